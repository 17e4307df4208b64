#include "daemon/guest_pidfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "daemon/atomic_file.h"

namespace strata::daemon {

std::optional<uint64_t> process_start_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces:
  // count fields from the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      if (ec != std::errc()) return std::nullopt;
      return v;
    }
  }
  return std::nullopt;
}

bool still_running(const GuestProcess& p) {
  if (p.pid <= 0) return false;
  auto ticks = process_start_ticks(p.pid);
  return ticks && *ticks == p.start_ticks;
}

Status write_guest_pidfile(const std::string& path, const GuestProcess& p) {
  return write_file_atomically(path, std::to_string(p.pid) + " " + std::to_string(p.start_ticks) + "\n");
}

std::optional<GuestProcess> read_guest_pidfile(const std::string& path) {
  std::ifstream in(path);
  GuestProcess p;
  long long pid = 0;
  if (!(in >> pid >> p.start_ticks) || pid <= 0) return std::nullopt;
  p.pid = pid_t(pid);
  return p;
}

std::optional<int> exit_status_from_stderr(const std::string& last_line) {
  constexpr std::string_view kPrefix = "strata-hv: exit status ";
  const size_t at = last_line.find(kPrefix);
  if (at == std::string::npos) return std::nullopt;
  const char* b = last_line.data() + at + kPrefix.size();
  int v = 0;
  auto [end, ec] = std::from_chars(b, last_line.data() + last_line.size(), v);
  if (ec != std::errc() || v < 0 || v > 255) return std::nullopt;
  return v;
}

}  // namespace strata::daemon
