// Which configuration stratad starts with, from the db and --config:
//   - the db holds a configuration: that one (it is what was last
//     acknowledged); a --config that differs is not applied, and the log
//     says so: --config only seeds an empty db;
//   - the db is missing or holds no bridge: --config if given, else empty;
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
