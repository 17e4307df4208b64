#include "hv/options.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace strata::hv {
namespace po = boost::program_options;

namespace {

Result<uint64_t> parse_count(const std::string& name, const std::string& text, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid_argument("--" + name + " '" + text + "' is not a whole number");
  }
  if (v < min || v > max) {
    return invalid_argument("--" + name + " " + text + " is out of range " + std::to_string(min) + ".." +
                            std::to_string(max));
  }
  return v;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<MacAddress> parse_mac(std::string_view text) {
  MacAddress mac{};
  if (text.size() != 17) return invalid_argument("MAC '" + std::string(text) + "' is not of the form 02:00:00:00:00:01");
  for (size_t i = 0; i < 6; ++i) {
    int hi = hex_digit(text[i * 3]), lo = hex_digit(text[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && text[i * 3 + 2] != ':')) {
      return invalid_argument("MAC '" + std::string(text) + "' is not of the form 02:00:00:00:00:01");
    }
    mac[i] = uint8_t(hi << 4 | lo);
  }
  if (mac[0] & 1) return invalid_argument("MAC '" + std::string(text) + "' is a multicast address; a NIC needs a unicast one");
  return mac;
}

std::string format_mac(const MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}

MacAddress default_mac(std::string_view socket) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: stable across runs and builds
  for (char c : socket) h = (h ^ uint8_t(c)) * 0x100000001b3ull;
  MacAddress mac;
  mac[0] = 0x02;  // locally administered, unicast
  for (int i = 1; i < 6; ++i) mac[i] = uint8_t(h >> (8 * (i - 1)));
  return mac;
}

Result<NetOption> parse_net_option(std::string_view spec) {
  constexpr std::string_view kPrefix = "vhost-user=";
  if (spec.substr(0, kPrefix.size()) != kPrefix) {
    return invalid_argument("--net '" + std::string(spec) + "': expected vhost-user=SOCKET[,mac=MAC]");
  }
  spec.remove_prefix(kPrefix.size());
  NetOption net;
  size_t comma = spec.find(',');
  net.socket = std::string(spec.substr(0, comma));
  if (net.socket.empty()) return invalid_argument("--net: the vhost-user socket path is empty");
  bool mac_given = false;
  while (comma != std::string_view::npos) {
    spec.remove_prefix(comma + 1);
    comma = spec.find(',');
    std::string_view kv = spec.substr(0, comma);
    if (kv.substr(0, 4) == "mac=") {
      auto mac = parse_mac(kv.substr(4));
      if (!mac) return mac.status().with_context("--net " + net.socket);
      net.mac = *mac;
      mac_given = true;
    } else {
      return invalid_argument("--net " + net.socket + ": unknown key '" + std::string(kv) + "' (known: mac=)");
    }
  }
  if (!mac_given) net.mac = default_mac(net.socket);
  net.mac_given = mac_given;
  return net;
}

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
  po::options_description desc(
      "Usage: strata-hv --kernel FILE | --elf FILE | --restore DIR | --incoming ADDR [options]\n"
      "Runs one KVM guest whose NICs attach to a switch over vhost-user");
  desc.add_options()
      ("help,h", "print this help")
      ("version", "print the version and exit")
      ("kernel", po::value<std::string>(), "Linux bzImage to boot (64-bit boot protocol)")
      ("elf", po::value<std::string>(), "flat x86-64 ELF to boot (e.g. the test guest)")
      ("initrd", po::value<std::string>(), "initial ramdisk (with --kernel)")
      ("cmdline", po::value<std::string>(), "guest command line (virtio_mmio.device= entries are appended)")
      ("memory", po::value<std::string>()->default_value("128"), "guest RAM in MiB")
      ("vcpus", po::value<std::string>()->default_value("1"), "number of vCPUs")
      ("net", po::value<std::vector<std::string>>(), "vhost-user=SOCKET[,mac=MAC]; repeatable")
      ("console", po::value<std::string>(), "write the guest's serial console to FILE (default stdout)")
      ("control", po::value<std::string>(), "serve the control protocol (pause, resume, snapshot, migrate; hv/README.md) on this Unix socket")
      ("restore", po::value<std::string>(), "start the guest saved in snapshot directory DIR; --net entries, if given, replace its NICs' sockets (and MACs with mac=)")
      ("clone", "with --restore: the snapshot is a template and this guest a new clone of it (next clone generation; give each --net a mac=)")
      ("incoming", po::value<std::string>(), "wait for a guest sent by a live migration on unix:PATH or tcp:HOST:PORT, then run it");
  std::ostringstream usage;
  usage << desc;

  CommandLine cl;
  cl.usage = usage.str();
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return invalid_argument(e.what());
  }
  if (vm.count("help") || vm.count("version")) {
    cl.help = vm.count("help") > 0;
    cl.version = !cl.help;
    return cl;
  }
  HvOptions& o = cl.options;
  if (vm.count("kernel")) o.kernel = vm["kernel"].as<std::string>();
  if (vm.count("elf")) o.elf = vm["elf"].as<std::string>();
  if (vm.count("restore")) o.restore = vm["restore"].as<std::string>();
  if (vm.count("incoming")) o.incoming = vm["incoming"].as<std::string>();
  if (vm.count("control")) o.control = vm["control"].as<std::string>();
  o.clone = vm.count("clone") > 0;
  const int sources = int(!o.kernel.empty()) + int(!o.elf.empty()) + int(!o.restore.empty()) + int(!o.incoming.empty());
  if (sources != 1) {
    return invalid_argument("give exactly one of --kernel FILE, --elf FILE, --restore DIR and --incoming ADDR");
  }
  if (o.clone && o.restore.empty()) return invalid_argument("--clone needs --restore DIR (the template)");
  if (!o.restore.empty() || !o.incoming.empty()) {
    // The saved guest brings its own memory size, vCPUs and command line.
    for (const char* fixed : {"memory", "vcpus", "cmdline", "initrd"}) {
      if (vm.count(fixed) && !vm[fixed].defaulted()) {
        return invalid_argument(std::string("--") + fixed + " cannot change a restored or incoming guest");
      }
    }
  }
  if (vm.count("initrd")) {
    o.initrd = vm["initrd"].as<std::string>();
    if (o.kernel.empty()) return invalid_argument("--initrd needs --kernel (ELF guests take no initrd)");
  }
  if (vm.count("cmdline")) {
    o.cmdline = vm["cmdline"].as<std::string>();
    o.cmdline_given = true;
  }
  auto mem = parse_count("memory", vm["memory"].as<std::string>(), kMinMemoryMib, UINT32_MAX);
  if (!mem) return mem.status();
  o.memory_mib = *mem;
  auto vcpus = parse_count("vcpus", vm["vcpus"].as<std::string>(), 1, kMaxVcpus);
  if (!vcpus) return vcpus.status();
  o.vcpus = uint32_t(*vcpus);
  if (vm.count("net")) {
    for (const std::string& spec : vm["net"].as<std::vector<std::string>>()) {
      auto net = parse_net_option(spec);
      if (!net) return net.status();
      o.nets.push_back(*net);
    }
  }
  if (vm.count("console")) o.console = vm["console"].as<std::string>();
  return cl;
}

}  // namespace strata::hv
