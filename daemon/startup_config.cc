#include "daemon/startup_config.h"

#include <google/protobuf/util/message_differencer.h>

namespace strata::daemon {

namespace {

// `seed` as it would be once applied next to `db`: ports it leaves at
// ofport 0 get the number the db gave them, so that restarting with the
// --config that seeded the db does not count as a different configuration.
v1::Config as_applied(v1::Config seed, const v1::Config& db) {
  for (auto& b : *seed.mutable_bridges()) {
    for (auto& p : *b.mutable_ports()) {
      if (p.ofport() != 0) continue;
      for (const auto& db_b : db.bridges()) {
        for (const auto& db_p : db_b.ports()) {
          if (db_b.name() == b.name() && db_p.name() == p.name()) p.set_ofport(db_p.ofport());
        }
      }
    }
  }
  return seed;
}

}  // namespace

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
                      "--db-reset starts empty and keeps the file aside)");
  }
  if (*loaded && (*loaded)->bridges_size() > 0) {
    out.config = **loaded;
    out.origin = "db '" + store.path() + "'";
    if (seed && !google::protobuf::util::MessageDifferencer::Equals(as_applied(*seed, out.config), out.config)) {
      out.warning = "--config '" + seed_path + "' not applied: the db '" + store.path() +
                    "' holds a configuration already (--config seeds an empty db; --db-reset starts over)";
    }
    return out;
  }
  if (seed) {
    out.config = *seed;
    out.origin = "--config '" + seed_path + "'";
  } else if (*loaded) {
    out.config = **loaded;  // no bridges, but maybe datapath settings
    out.origin = "db '" + store.path() + "' (no bridges)";
    return out;
  } else {
    out.origin = "empty configuration";
  }
  out.write = true;
  return out;
}

}  // namespace strata::daemon
