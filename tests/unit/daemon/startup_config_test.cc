#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "daemon/startup_config.h"
#include "temp_dir.h"

using namespace strata;
using namespace strata::daemon;

namespace {

v1::Config with_bridge(const std::string& name) {
  v1::Config c;
  c.add_bridges()->set_name(name);
  return c;
}

}  // namespace

TEST_CASE("startup: no db and no --config starts empty and writes the db", "[daemon][startup]") {
  testing::TempDir dir;
  auto store = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(store);
  auto s = choose_startup_config(**store, std::nullopt, "", false);
  REQUIRE(s);
  CHECK(s->config.bridges_size() == 0);
  CHECK(s->write);
}

TEST_CASE("startup: --config seeds an empty db, and a restart with the same --config runs the db",
          "[daemon][startup]") {
  testing::TempDir dir;
  const v1::Config seed = with_bridge("br0");
  {
    auto store = ConfigStore::open(dir.file("conf.db"));
    REQUIRE(store);
    auto s = choose_startup_config(**store, seed, "seed.conf", false);
    REQUIRE(s);
    CHECK(s->write);
    CHECK(s->config.bridges(0).name() == "br0");
    // An API change after seeding.
    v1::Config changed = s->config;
    changed.add_bridges()->set_name("br1");
    REQUIRE((*store)->commit(changed));
  }
  auto store = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(store);
  auto s = choose_startup_config(**store, seed, "seed.conf", false);
  REQUIRE(s);
  CHECK_FALSE(s->write);
  REQUIRE(s->config.bridges_size() == 2);  // the acknowledged state, not the seed
  CHECK(s->config.bridges(1).name() == "br1");
}

TEST_CASE("startup: a different --config than the seed of a populated db is refused, saying what to do",
          "[daemon][startup]") {
  testing::TempDir dir;
  {
    auto store = ConfigStore::open(dir.file("conf.db"));
    REQUIRE(store);
    REQUIRE((*store)->commit(with_bridge("br0")));  // made through the API: no seed
  }
  auto store = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(store);
  auto s = choose_startup_config(**store, with_bridge("brX"), "other.conf", false);
  REQUIRE_FALSE(s);
  CHECK(s.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(s.status().message(), Catch::Contains("other.conf") && Catch::Contains("--db-reset") &&
                                       Catch::Contains("--db FILE"));
}

TEST_CASE("startup: a damaged db refuses to start, --db-reset starts from --config and keeps the file",
          "[daemon][startup]") {
  testing::TempDir dir;
  std::ofstream(dir.file("conf.db")) << "STRATADB but not really a db file at all";
  {
    auto store = ConfigStore::open(dir.file("conf.db"));
    REQUIRE(store);
    auto s = choose_startup_config(**store, with_bridge("br0"), "seed.conf", false);
    REQUIRE_FALSE(s);
    CHECK(s.status().code() == StatusCode::kDataLoss);
    CHECK_THAT(s.status().message(), Catch::Contains("refusing to start") && Catch::Contains("--db-reset"));
  }
  auto store = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(store);
  auto s = choose_startup_config(**store, with_bridge("br0"), "seed.conf", true);
  REQUIRE(s);
  CHECK(s->write);
  CHECK(s->config.bridges(0).name() == "br0");
  CHECK_THAT(s->warning, Catch::Contains("conf.db.bad-"));
  int kept = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) {
    if (e.path().filename().string().rfind("conf.db.bad-", 0) == 0) ++kept;
  }
  CHECK(kept == 1);
}

TEST_CASE("startup: a db without bridges still yields to --config", "[daemon][startup]") {
  testing::TempDir dir;
  {
    auto store = ConfigStore::open(dir.file("conf.db"));
    REQUIRE(store);
    REQUIRE((*store)->commit(v1::Config()));
  }
  auto store = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(store);
  auto s = choose_startup_config(**store, with_bridge("br0"), "seed.conf", false);
  REQUIRE(s);
  CHECK(s->config.bridges(0).name() == "br0");
}
