#include "daemon/startup_config.h"

namespace strata::daemon {

Result<StartupConfig> choose_startup_config(ConfigStore& store, const std::optional<v1::Config>& seed,
                                            const std::string& seed_path, bool db_reset) {
  StartupConfig out;
  if (db_reset) {
    auto aside = store.move_aside();
    if (!aside) return aside.status();
    if (*aside) out.warning = "--db-reset: the old db is kept as '" + **aside + "'";
  }
  auto loaded = store.load();
  if (!loaded) {
    return Status(loaded.status().code(),
                  loaded.status().message() + "; refusing to start rather than lose configuration (stratad " +
                      "--db-reset starts afresh and keeps the file aside)");
  }
  const uint64_t seed_fp = seed ? config_fingerprint(*seed) : 0;
  if (*loaded && (*loaded)->config.bridges_size() > 0) {
    const DbContent& db = **loaded;
    if (seed && db.seed != seed_fp) {
      return failed_precondition(
          "--config '" + seed_path + "' is not the configuration that seeded db '" + store.path() + "' (it holds " +
          std::to_string(db.config.bridges_size()) +
          " bridge(s)); --config only seeds an empty db: drop --config to run from the db, add --db-reset to "
          "start over from --config, or give this run a db of its own (--db FILE)");
    }
    store.set_seed(db.seed);
    out.config = db.config;
    out.origin = "db '" + store.path() + "'";
    return out;
  }
  if (seed) {
    out.config = *seed;
    out.origin = "--config '" + seed_path + "'";
    store.set_seed(seed_fp);
  } else if (*loaded) {
    out.config = (*loaded)->config;  // no bridges, but maybe datapath settings
    out.origin = "db '" + store.path() + "' (no bridges)";
    store.set_seed((*loaded)->seed);
  } else {
    out.origin = "empty configuration";
  }
  out.write = true;
  return out;
}

}  // namespace strata::daemon
