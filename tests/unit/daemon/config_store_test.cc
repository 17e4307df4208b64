#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "daemon/atomic_file.h"
#include "daemon/config_store.h"
#include "temp_dir.h"

using namespace strata;
using namespace strata::daemon;

namespace {

v1::Config sample() {
  v1::Config c;
  auto* b = c.add_bridges();
  b->set_name("br0");
  auto* p = b->add_ports();
  p->set_name("p1");
  p->set_type("null");
  p->set_ofport(3);
  auto* t = p->mutable_access()->mutable_stack()->add_tags();
  t->set_tpid(0x88a8);
  t->set_vid(100);
  b->add_controllers("ptcp:6653");
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

bool same(const v1::Config& a, const v1::Config& b) { return a.SerializeAsString() == b.SerializeAsString(); }

}  // namespace

TEST_CASE("db format: what is encoded decodes to the same configuration and seed", "[daemon][db]") {
  const std::string bytes = encode_db(DbContent{sample(), 42});
  auto back = decode_db(bytes);
  REQUIRE(back);
  CHECK(same(back->config, sample()));
  CHECK(back->seed == 42);
}

TEST_CASE("db format: every truncation and every flipped byte is refused as DATA_LOSS", "[daemon][db]") {
  const std::string bytes = encode_db(DbContent{sample(), 7});
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_db(std::string_view(bytes).substr(0, n));
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == StatusCode::kDataLoss);
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    auto r = decode_db(bad);
    INFO("byte " << i);
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == StatusCode::kDataLoss);
  }
}

TEST_CASE("db format: the reasons say what is wrong", "[daemon][db]") {
  CHECK_THAT(decode_db("hello").status().message(), Catch::Contains("truncated"));
  CHECK_THAT(decode_db(std::string(40, 'x')).status().message(), Catch::Contains("not a Strata db"));
  std::string bytes = encode_db(DbContent{sample(), 0});
  bytes[8] = 9;  // version
  CHECK_THAT(decode_db(bytes).status().message(), Catch::Contains("format version 9"));
  bytes = encode_db(DbContent{sample(), 0});
  bytes.back() ^= 1;
  CHECK_THAT(decode_db(bytes).status().message(), Catch::Contains("checksum"));
}

TEST_CASE("config store: commit writes a 0600 file atomically, load reads it back, no temp file left",
          "[daemon][db]") {
  testing::TempDir dir;
  const std::string path = dir.file("sub/dir/conf.db");  // missing directories are created
  auto store = ConfigStore::open(path);
  REQUIRE(store);
  auto empty = (*store)->load();
  REQUIRE(empty);
  CHECK_FALSE(empty->has_value());
  (*store)->set_seed(5);
  REQUIRE((*store)->commit(sample()));
  CHECK(same((*store)->current(), sample()));
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = (*store)->load();
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK(same((*loaded)->config, sample()));
  CHECK((*loaded)->seed == 5);
  for (const auto& e : std::filesystem::directory_iterator(dir.file("sub/dir"))) {
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("config store: a second opener of the same db is refused while the first holds it", "[daemon][db]") {
  testing::TempDir dir;
  auto first = ConfigStore::open(dir.file("conf.db"));
  REQUIRE(first);
  auto second = ConfigStore::open(dir.file("conf.db"));
  REQUIRE_FALSE(second);
  CHECK(second.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(second.status().message(), Catch::Contains("in use by another stratad"));
  first->reset();
  CHECK(ConfigStore::open(dir.file("conf.db")));
}

TEST_CASE("config store: a damaged file is reported, and move_aside keeps its bytes", "[daemon][db]") {
  testing::TempDir dir;
  const std::string path = dir.file("conf.db");
  spit(path, "garbage that is long enough to hold a header.....");
  auto store = ConfigStore::open(path);
  REQUIRE(store);
  auto loaded = (*store)->load();
  REQUIRE_FALSE(loaded);
  CHECK(loaded.status().code() == StatusCode::kDataLoss);
  CHECK_THAT(loaded.status().message(), Catch::Contains(path));
  auto aside = (*store)->move_aside();
  REQUIRE(aside);
  REQUIRE(aside->has_value());
  CHECK(slurp(**aside) == "garbage that is long enough to hold a header.....");
  auto after = (*store)->load();
  REQUIRE(after);
  CHECK_FALSE(after->has_value());
}

TEST_CASE("config store: a failed commit changes neither the file nor current()", "[daemon][db]") {
  testing::TempDir dir;
  const std::string sub = dir.file("ro");
  auto store = ConfigStore::open(sub + "/conf.db");
  REQUIRE(store);
  REQUIRE((*store)->commit(sample()));
  const std::string before = slurp(sub + "/conf.db");
  // A directory where the temp file should go makes the write fail (root
  // ignores permission bits, so use a name clash instead).
  std::filesystem::create_directory(sub + "/conf.db.tmp." + std::to_string(getpid()));
  v1::Config other = sample();
  other.mutable_bridges(0)->set_name("br9");
  Status st = (*store)->commit(other);
  CHECK_FALSE(st);
  CHECK(slurp(sub + "/conf.db") == before);
  CHECK((*store)->current().bridges(0).name() == "br0");
}

TEST_CASE("config store: in memory, commit keeps current() and writes nothing", "[daemon][db]") {
  auto store = ConfigStore::in_memory();
  CHECK_FALSE(store->persistent());
  REQUIRE(store->commit(sample()));
  CHECK(same(store->current(), sample()));
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK_FALSE(loaded->has_value());
}

TEST_CASE("config fingerprint: equal configurations agree, any change differs, never 0", "[daemon][db]") {
  CHECK(config_fingerprint(sample()) == config_fingerprint(sample()));
  v1::Config other = sample();
  other.mutable_bridges(0)->mutable_ports(0)->set_ofport(4);
  CHECK(config_fingerprint(other) != config_fingerprint(sample()));
  CHECK(config_fingerprint(v1::Config()) != 0);
}
