// Which configuration stratad starts with, from the db and --config:
//   - the db is missing or holds no bridge: --config if given (the db
//     then records its fingerprint), else empty;
//   - the db holds a configuration: that one, the last acknowledged. With
//     --config too, it must be the --config that seeded this db (a
//     restart with the same command line); any other --config is refused
//     with what to do instead, never silently ignored or applied;
//   - the db is damaged or unreadable: refuse to start, saying how to
//     recover, unless --db-reset, which moves the file aside
//     (FILE.bad-<time>) and starts as if it were missing.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "daemon/config_store.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

struct StartupConfig {
  v1::Config config;    // what to start with
  bool write = false;   // the db does not hold it yet: commit it once applied
  std::string origin;   // for the log: "db '...'", "--config '...'", "empty"
  std::string warning;  // something the user should know, or empty
};

// `seed`: the parsed --config (its path in seed_path), if given.
Result<StartupConfig> choose_startup_config(ConfigStore& store, const std::optional<v1::Config>& seed,
                                            const std::string& seed_path, bool db_reset);

}  // namespace strata::daemon
