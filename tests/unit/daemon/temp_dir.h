// A fresh directory under /tmp for one test, removed with everything in it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace strata::testing {

struct TempDir {
  std::string path;  // the directory
  TempDir() {
    char tmpl[] = "/tmp/strata-daemon-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace strata::testing
