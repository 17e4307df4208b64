#include "daemon/guest_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace strata::daemon {

namespace {

bool name_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// strata-hv's MAC rule (hv/options.cc): six hex pairs joined by ':', unicast.
Status check_mac(const std::string& mac, const std::string& field) {
  bool ok = mac.size() == 17;
  for (size_t i = 0; ok && i < 6; ++i) {
    ok = hex_digit(mac[i * 3]) >= 0 && hex_digit(mac[i * 3 + 1]) >= 0 && (i == 5 || mac[i * 3 + 2] == ':');
  }
  if (!ok) return invalid_argument(field + ": '" + mac + "' is not a MAC of the form 02:00:00:00:00:0a");
  if (hex_digit(mac[1]) & 1) return invalid_argument(field + ": '" + mac + "' is a multicast address; a NIC needs a unicast one");
  return Status::ok();
}

Status check_path(const std::string& path, const std::string& field) {
  if (path.empty()) return invalid_argument(field + ": a path is required");
  if (path[0] != '/') return invalid_argument(field + ": '" + path + "' is not an absolute path");
  return Status::ok();
}

Status check_readable_file(const std::string& path, const std::string& field) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return invalid_argument(field + ": cannot use '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return invalid_argument(field + ": '" + path + "' is not a regular file");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return invalid_argument(field + ": cannot read '" + path + "': " + std::strerror(errno));
  close(fd);
  return Status::ok();
}

const v1::Port* find_port(const v1::Bridge& bridge, const std::string& name) {
  for (const auto& p : bridge.ports()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

}  // namespace

Status check_guest_fields(const v1::Guest& g, const std::string& field) {
  if (g.name().empty()) return invalid_argument(field + ".name: a guest name is required");
  if (g.name().size() > kGuestMaxNameLength) {
    return invalid_argument(field + ".name: longer than " + std::to_string(kGuestMaxNameLength) + " characters");
  }
  for (char c : g.name()) {
    if (!name_char_ok(c)) {
      return invalid_argument(field + ".name: '" + g.name() + "' may hold only letters, digits, '.', '_' and '-'");
    }
  }
  if (g.name()[0] == '.' || g.name()[0] == '-') {
    return invalid_argument(field + ".name: '" + g.name() + "' must not start with '.' or '-'");
  }
  if (g.bridge().empty()) return invalid_argument(field + ".bridge: a bridge name is required");
  switch (g.image_case()) {
    case v1::Guest::kKernel:
      STRATA_RETURN_IF_ERROR(check_path(g.kernel(), field + ".kernel"));
      break;
    case v1::Guest::kElf:
      STRATA_RETURN_IF_ERROR(check_path(g.elf(), field + ".elf"));
      if (!g.initrd().empty()) return invalid_argument(field + ".initrd: an initrd goes with a kernel, not an ELF");
      break;
    case v1::Guest::kSnapshot:
      STRATA_RETURN_IF_ERROR(check_path(g.snapshot(), field + ".snapshot"));
      // The snapshot fixes these; strata-hv would refuse them.
      if (!g.initrd().empty() || !g.cmdline().empty() || g.memory_mib() != 0 || g.vcpus() != 0) {
        return invalid_argument(field + ".snapshot: a restored guest brings its own memory, vCPUs, command line and initrd");
      }
      break;
    default:
      return invalid_argument(field + ".image: a kernel (bzImage), an elf image or a snapshot directory is required");
  }
  if (g.clone()) {
    if (g.image_case() != v1::Guest::kSnapshot) return invalid_argument(field + ".clone: a clone is made of a snapshot (a template)");
    for (int i = 0; i < g.nics_size(); ++i) {
      if (g.nics(i).mac().empty()) {
        return invalid_argument(field + ".nics[" + std::to_string(i) + "].mac: a clone's NIC needs a MAC of its own");
      }
    }
  }
  if (!g.initrd().empty()) STRATA_RETURN_IF_ERROR(check_path(g.initrd(), field + ".initrd"));
  if (!g.console().empty()) STRATA_RETURN_IF_ERROR(check_path(g.console(), field + ".console"));
  if (g.memory_mib() != 0 && (g.memory_mib() < kGuestMinMemoryMib || g.memory_mib() > kGuestMaxMemoryMib)) {
    return invalid_argument(field + ".memory_mib: " + std::to_string(g.memory_mib()) + " is out of range " +
                            std::to_string(kGuestMinMemoryMib) + ".." + std::to_string(kGuestMaxMemoryMib));
  }
  if (g.vcpus() > kGuestMaxVcpus) {
    return invalid_argument(field + ".vcpus: " + std::to_string(g.vcpus()) + " is out of range 1.." +
                            std::to_string(kGuestMaxVcpus));
  }
  if (g.nics_size() == 0) return invalid_argument(field + ".nics: a guest needs at least one NIC (a vhostuser port)");
  if (g.nics_size() > kGuestMaxNics) {
    return invalid_argument(field + ".nics: at most " + std::to_string(kGuestMaxNics) + " NICs, not " +
                            std::to_string(g.nics_size()));
  }
  std::set<std::string> ports;
  for (int i = 0; i < g.nics_size(); ++i) {
    const std::string nf = field + ".nics[" + std::to_string(i) + "]";
    const auto& nic = g.nics(i);
    if (nic.port().empty()) return invalid_argument(nf + ".port: a port name is required");
    if (!ports.insert(nic.port()).second) {
      return invalid_argument(nf + ".port: port '" + nic.port() + "' is listed twice");
    }
    if (!nic.mac().empty()) STRATA_RETURN_IF_ERROR(check_mac(nic.mac(), nf + ".mac"));
  }
  return Status::ok();
}

Result<GuestPlan> plan_guest(const v1::Config& config, const v1::Guest& g, const std::string& field) {
  STRATA_RETURN_IF_ERROR(check_guest_fields(g, field));
  const v1::Bridge* bridge = nullptr;
  for (const auto& b : config.bridges()) {
    if (b.name() == g.bridge()) bridge = &b;
  }
  if (bridge == nullptr) return not_found(field + ".bridge: no bridge '" + g.bridge() + "'");
  GuestPlan plan;
  plan.name = g.name();
  plan.bridge = g.bridge();
  plan.kernel = g.kernel();
  plan.elf = g.elf();
  plan.snapshot = g.snapshot();
  plan.clone = g.clone();
  plan.initrd = g.initrd();
  plan.cmdline = g.cmdline();
  plan.cmdline_given = !g.cmdline().empty();
  plan.memory_mib = g.memory_mib() != 0 ? g.memory_mib() : kGuestDefaultMemoryMib;
  plan.vcpus = g.vcpus() != 0 ? g.vcpus() : 1;
  plan.console = g.console();
  for (int i = 0; i < g.nics_size(); ++i) {
    const std::string nf = field + ".nics[" + std::to_string(i) + "].port";
    const auto& nic = g.nics(i);
    const v1::Port* port = find_port(*bridge, nic.port());
    if (port == nullptr) return not_found(nf + ": bridge '" + g.bridge() + "' has no port '" + nic.port() + "'");
    if (port->type() != "vhostuser") {
      return invalid_argument(nf + ": port '" + nic.port() + "' is of type '" + port->type() +
                              "'; a guest NIC needs a 'vhostuser' port (stratad serves its socket)");
    }
    auto path = port->options().find("path");
    if (path == port->options().end() || path->second.empty()) {
      return invalid_argument(nf + ": port '" + nic.port() + "' has no path= option (its socket)");
    }
    for (int o = 0; o < config.guests_size(); ++o) {
      const auto& other = config.guests(o);
      if (other.name() == g.name() || other.bridge() != g.bridge()) continue;
      for (int n = 0; n < other.nics_size(); ++n) {
        if (other.nics(n).port() == nic.port()) {
          return already_exists(nf + ": port '" + nic.port() + "' is already NIC " + std::to_string(n) +
                                " of guest '" + other.name() + "'");
        }
      }
    }
    plan.nics.push_back({nic.port(), path->second, nic.mac()});
  }
  return plan;
}

Result<std::vector<GuestPlan>> plan_guests(const v1::Config& config) {
  std::vector<GuestPlan> plans;
  // Each guest against the ones before it, so a conflict names the later one.
  v1::Config earlier = config;
  earlier.clear_guests();
  for (int i = 0; i < config.guests_size(); ++i) {
    const std::string field = "guests[" + std::to_string(i) + "]";
    if (guest_index(earlier, config.guests(i).name()) >= 0) {
      return already_exists(field + ".name: guest '" + config.guests(i).name() + "' is listed twice");
    }
    auto plan = plan_guest(earlier, config.guests(i), field);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
    *earlier.add_guests() = config.guests(i);
  }
  return plans;
}

Status check_guest_files(const v1::Guest& g, const std::string& field) {
  if (g.image_case() == v1::Guest::kKernel) STRATA_RETURN_IF_ERROR(check_readable_file(g.kernel(), field + ".kernel"));
  if (g.image_case() == v1::Guest::kElf) STRATA_RETURN_IF_ERROR(check_readable_file(g.elf(), field + ".elf"));
  if (g.image_case() == v1::Guest::kSnapshot) {
    STRATA_RETURN_IF_ERROR(check_readable_file(g.snapshot() + "/state", field + ".snapshot"));
  }
  if (!g.initrd().empty()) STRATA_RETURN_IF_ERROR(check_readable_file(g.initrd(), field + ".initrd"));
  if (!g.console().empty()) {
    const std::string dir = g.console().substr(0, g.console().rfind('/') + 1);
    if (access(dir.c_str(), W_OK) != 0) {
      return invalid_argument(field + ".console: cannot write in '" + dir + "': " + std::strerror(errno));
    }
  }
  return Status::ok();
}

std::vector<std::string> guest_hv_args(const GuestPlan& plan) {
  std::vector<std::string> args;
  if (!plan.snapshot.empty()) {
    // The snapshot fixes memory, vCPUs and command line.
    args.insert(args.end(), {"--restore", plan.snapshot});
    if (plan.clone) args.push_back("--clone");
  } else {
    if (!plan.kernel.empty()) {
      args.insert(args.end(), {"--kernel", plan.kernel});
    } else {
      args.insert(args.end(), {"--elf", plan.elf});
    }
    if (!plan.initrd.empty()) args.insert(args.end(), {"--initrd", plan.initrd});
    if (plan.cmdline_given) args.insert(args.end(), {"--cmdline", plan.cmdline});
    args.insert(args.end(), {"--memory", std::to_string(plan.memory_mib), "--vcpus", std::to_string(plan.vcpus)});
  }
  for (const auto& nic : plan.nics) {
    args.push_back("--net");
    args.push_back("vhost-user=" + nic.socket + (nic.mac.empty() ? "" : ",mac=" + nic.mac));
  }
  if (!plan.console.empty()) args.insert(args.end(), {"--console", plan.console});
  return args;
}

int guest_using_port(const v1::Config& config, const std::string& bridge, const std::string& port) {
  for (int i = 0; i < config.guests_size(); ++i) {
    const auto& g = config.guests(i);
    if (g.bridge() != bridge) continue;
    for (const auto& nic : g.nics()) {
      if (nic.port() == port) return i;
    }
  }
  return -1;
}

int guest_index(const v1::Config& config, const std::string& name) {
  for (int i = 0; i < config.guests_size(); ++i) {
    if (config.guests(i).name() == name) return i;
  }
  return -1;
}

Status check_no_guest_on_port(const v1::Config& config, const std::string& bridge, const std::string& port,
                              const std::string& field) {
  const int g = guest_using_port(config, bridge, port);
  if (g < 0) return Status::ok();
  return failed_precondition(field + ": port '" + port + "' is a NIC of guest '" + config.guests(g).name() +
                             "'; remove the guest first (guest-del " + config.guests(g).name() + ")");
}

Status check_no_guest_on_bridge(const v1::Config& config, const std::string& bridge, const std::string& field) {
  std::string names;
  for (const auto& g : config.guests()) {
    if (g.bridge() != bridge) continue;
    names += names.empty() ? "'" + g.name() + "'" : ", '" + g.name() + "'";
  }
  if (names.empty()) return Status::ok();
  return failed_precondition(field + ": bridge '" + bridge + "' has guests (" + names +
                             "); remove them first (guest-del): a bridge does not take running guests with it");
}

}  // namespace strata::daemon
