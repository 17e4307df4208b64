// guest-add, guest-del, guest-list, guest-pause, guest-resume,
// guest-snapshot, guest-status: strata-hv guests that stratad runs.
#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/output.h"

namespace strata::ctl {

namespace {

using Mgmt = v1::Management::Stub;

// Relative paths are the caller's: stratad runs elsewhere. An input file
// must exist (and is resolved); an output file is only anchored to the
// caller's directory.
std::string absolute(const std::string& path, const char* option) {
  if (path.empty() || path[0] == '/') return path;
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) throw CliError(std::string("--") + option + " " + path + ": no such file", kExitUsage);
  std::string out = resolved;
  std::free(resolved);
  return out;
}

std::string absolute_output(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char* cwd = getcwd(nullptr, 0);
  if (cwd == nullptr) return path;
  std::string out = std::string(cwd) + "/" + path;
  std::free(cwd);
  return out;
}

// --memory / --vcpus: 0 would mean "the default" on the wire, so say it is wrong here.
uint32_t nonzero(const Args& a, const char* option, const char* range) {
  const uint32_t v = a.options[option].as<uint32_t>();
  if (v == 0) throw CliError(fmt::format("--{} 0: a guest needs {}", option, range), kExitUsage);
  return v;
}

std::string state_text(v1::GuestState s) {
  switch (s) {
    case v1::GUEST_STATE_RUNNING: return "running";
    case v1::GUEST_STATE_BACKOFF: return "backoff";
    case v1::GUEST_STATE_STOPPED: return "stopped";
    case v1::GUEST_STATE_FAILED: return "failed";
    default: return "unknown";
  }
}

std::string last_exit_text(const v1::GuestStatus& g) {
  if (g.last_signal() != 0) return "signal " + std::to_string(g.last_signal());
  if (g.last_exit_code() >= 0) return "exit " + std::to_string(g.last_exit_code());
  return "-";
}

std::string state_detail(const v1::GuestStatus& g) {
  std::string s = state_text(g.state());
  if (g.state() == v1::GUEST_STATE_RUNNING) s += fmt::format(" (pid {}, up {:.1f} s)", g.pid(), g.uptime_ms() / 1000.0);
  if (g.state() == v1::GUEST_STATE_BACKOFF) s += fmt::format(" (restart in {:.1f} s)", g.restart_in_ms() / 1000.0);
  return s;
}

void print_guest(const v1::GuestStatus& gs, std::ostream& out) {
  const auto& g = gs.guest();
  out << "guest " << g.name() << "\n";
  out << "    bridge: " << g.bridge() << "\n";
  if (g.image_case() == v1::Guest::kKernel) out << "    kernel: " << g.kernel() << "\n";
  if (g.image_case() == v1::Guest::kElf) out << "    elf: " << g.elf() << "\n";
  if (!g.initrd().empty()) out << "    initrd: " << g.initrd() << "\n";
  if (!g.cmdline().empty()) out << "    cmdline: " << g.cmdline() << "\n";
  out << "    memory: " << (g.memory_mib() != 0 ? g.memory_mib() : 128) << " MiB, vcpus: " << (g.vcpus() != 0 ? g.vcpus() : 1)
      << "\n";
  for (int i = 0; i < g.nics_size(); ++i) {
    out << "    nic " << i << ": port " << g.nics(i).port();
    if (!g.nics(i).mac().empty()) out << ", mac " << g.nics(i).mac();
    if (i < gs.sockets_size()) out << ", socket " << gs.sockets(i);
    out << "\n";
  }
  out << "    state: " << state_detail(gs) << ", restarts " << gs.restarts() << ", last exit " << last_exit_text(gs)
      << "\n";
  if (!gs.last_error().empty()) out << "    last stderr line: " << gs.last_error() << "\n";
  out << "    console: " << gs.console_file() << "\n";
  out << "    stderr: " << gs.stderr_file() << "\n";
}

// --port PORT[,mac=MAC]... and --console FILE, shared by the commands that
// add a guest.
void add_nics_and_console(const Args& a, v1::Guest* g) {
  if (a.options.count("console")) g->set_console(absolute_output(a.options["console"].as<std::string>()));
  if (!a.options.count("port")) return;
  for (const auto& spec : a.options["port"].as<std::vector<std::string>>()) {
    v1::GuestNic* nic = g->add_nics();
    const size_t comma = spec.find(',');
    nic->set_port(spec.substr(0, comma));
    if (comma != std::string::npos) {
      const std::string kv = spec.substr(comma + 1);
      if (kv.rfind("mac=", 0) != 0) throw CliError("--port " + spec + ": expected PORT[,mac=MAC]", kExitUsage);
      nic->set_mac(kv.substr(4));
    }
  }
}

void nic_options(po::options_description& d) {
  d.add_options()("port", po::value<std::vector<std::string>>()->composing(), "NIC: vhostuser port of BR[,mac=MAC] (repeatable)")(
      "console", po::value<std::string>(), "UART output file");
}

Command guest_add() {
  Command c;
  c.name = "guest-add";
  c.usage =
      "BR NAME --kernel FILE|--elf FILE [--initrd FILE] [--cmdline STR] [--memory MiB] [--vcpus N]\n"
      "                 --port PORT[,mac=MAC]... [--console FILE]";
  c.summary = "start a strata-hv guest whose NICs are vhostuser ports of BR; stratad supervises it";
  c.details =
      "Each --port names a 'vhostuser' port of BR (stratad serves its socket, the guest's\n"
      "strata-hv connects to it), one NIC per --port in order, used by no other guest.\n"
      "--memory 2..3072 (default 128), --vcpus 1..64 (default 1). Paths are made absolute.\n"
      "Without --console the guest's UART goes to NAME.console in stratad's --guest-dir.\n"
      "An exit with code 0 (the guest powered off) stops it; any other end restarts it\n"
      "after 1 s, 2 s, 4 s ... 30 s. guest-del stops it (SIGTERM, SIGKILL after 2 s).";
  c.min_args = c.max_args = 2;
  c.options = [](po::options_description& d) {
    d.add_options()("kernel", po::value<std::string>(), "Linux bzImage")(
        "elf", po::value<std::string>(), "flat x86-64 ELF (e.g. strata-hv-test-guest)")(
        "initrd", po::value<std::string>(), "initial ramdisk (with --kernel)")(
        "cmdline", po::value<std::string>(), "guest command line")(
        "memory", po::value<uint32_t>(), "guest RAM in MiB")(
        "vcpus", po::value<uint32_t>(), "vCPUs");
    nic_options(d);
  };
  c.run = [](Context& ctx, const Args& a) {
    v1::AddGuestRequest req;
    v1::Guest* g = req.mutable_guest();
    g->set_bridge(a.positional[0]);
    g->set_name(a.positional[1]);
    if (a.options.count("kernel") && a.options.count("elf")) throw CliError("give --kernel or --elf, not both", kExitUsage);
    if (a.options.count("kernel")) g->set_kernel(absolute(a.options["kernel"].as<std::string>(), "kernel"));
    if (a.options.count("elf")) g->set_elf(absolute(a.options["elf"].as<std::string>(), "elf"));
    if (a.options.count("initrd")) g->set_initrd(absolute(a.options["initrd"].as<std::string>(), "initrd"));
    if (a.options.count("cmdline")) g->set_cmdline(a.options["cmdline"].as<std::string>());
    if (a.options.count("memory")) g->set_memory_mib(nonzero(a, "memory", "2..3072 MiB"));
    if (a.options.count("vcpus")) g->set_vcpus(nonzero(a, "vcpus", "1..64 vCPUs"));
    add_nics_and_console(a, g);
    v1::AddGuestResponse resp;
    ctx.client.call(&Mgmt::AddGuest, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command guest_del() {
  Command c;
  c.name = "guest-del";
  c.usage = "NAME";
  c.summary = "stop a guest (SIGTERM, SIGKILL after 2 s) and forget it";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::DelGuestRequest req;
    req.set_guest(a.positional[0]);
    v1::DelGuestResponse resp;
    ctx.client.call(&Mgmt::DelGuest, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command guest_list() {
  Command c;
  c.name = "guest-list";
  c.usage = "";
  c.summary = "the guests: bridge, NIC ports, state, PID, restarts, last exit";
  c.min_args = c.max_args = 0;
  c.run = [](Context& ctx, const Args&) {
    v1::ListGuestsRequest req;
    v1::ListGuestsResponse resp;
    ctx.client.call(&Mgmt::ListGuests, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    Table t({"guest", "bridge", "ports", "state", "pid", "restarts", "last exit", "last stderr line"});
    t.set_numeric({false, false, false, false, true, true, false, false});
    for (const auto& gs : resp.guests()) {
      std::string ports;
      for (const auto& n : gs.guest().nics()) ports += (ports.empty() ? "" : ",") + n.port();
      t.add_row({gs.guest().name(), gs.guest().bridge(), ports, state_text(gs.state()),
                 gs.pid() != 0 ? std::to_string(gs.pid()) : "-", std::to_string(gs.restarts()), last_exit_text(gs),
                 gs.last_error()});
    }
    t.print(ctx.out);
  };
  return c;
}

// guest-restore BR NAME DIR / guest-clone TEMPLATE NAME --bridge BR: a guest
// whose image is a snapshot directory (strata-hv --restore [--clone]).
Command guest_from_snapshot(bool clone) {
  Command c;
  c.name = clone ? "guest-clone" : "guest-restore";
  c.usage = clone ? "TEMPLATE NAME --bridge BR --port PORT,mac=MAC... [--console FILE]"
                  : "BR NAME DIR --port PORT[,mac=MAC]... [--console FILE]";
  c.summary = clone ? "start a new guest from the template directory TEMPLATE (guest-template), with MACs of its own"
                    : "start a guest from the snapshot directory DIR (guest-snapshot) on vhostuser ports of BR";
  c.details = clone ? "The clone's strata-hv restores the template's memory and state into a new guest, bumps\n"
                      "its clone generation (the guest reads it and re-reads its identity), and gives each NIC\n"
                      "the mac= of its --port. A restart starts it from the template again."
                    : "The guest resumes where it was saved; its NICs attach to the --port sockets in order\n"
                      "(MACs as saved unless mac= is given) and the switch hears a RARP for each.";
  c.min_args = c.max_args = clone ? 2 : 3;
  c.options = [clone](po::options_description& d) {
    if (clone) d.add_options()("bridge", po::value<std::string>()->required(), "the bridge of the clone's ports");
    nic_options(d);
  };
  c.run = [clone](Context& ctx, const Args& a) {
    v1::AddGuestRequest req;
    v1::Guest* g = req.mutable_guest();
    g->set_bridge(clone ? a.options["bridge"].as<std::string>() : a.positional[0]);
    g->set_name(a.positional[1]);
    g->set_snapshot(absolute(clone ? a.positional[0] : a.positional[2], clone ? "TEMPLATE" : "DIR"));
    g->set_clone(clone);
    add_nics_and_console(a, g);
    v1::AddGuestResponse resp;
    ctx.client.call(&Mgmt::AddGuest, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

// guest-template NAME DIR: pause, snapshot into DIR, resume.
Command guest_template() {
  Command c;
  c.name = "guest-template";
  c.usage = "NAME TEMPLATE";
  c.summary = "save a running guest as the template directory TEMPLATE (pause, snapshot, resume); guest-clone makes guests of it";
  c.min_args = c.max_args = 2;
  c.run = [](Context& ctx, const Args& a) {
    v1::ControlGuestRequest req;
    req.set_guest(a.positional[0]);
    v1::ControlGuestResponse resp;
    req.set_action(v1::ControlGuestRequest::ACTION_PAUSE);
    ctx.client.call(&Mgmt::ControlGuest, ctx.client.management(), req, &resp);
    req.set_action(v1::ControlGuestRequest::ACTION_SNAPSHOT);
    req.set_dir(absolute_output(a.positional[1]));
    v1::ControlGuestResponse snap;
    try {
      ctx.client.call(&Mgmt::ControlGuest, ctx.client.management(), req, &snap);
    } catch (...) {
      // The guest runs on whatever went wrong with the template.
      req.set_action(v1::ControlGuestRequest::ACTION_RESUME);
      ctx.client.call(&Mgmt::ControlGuest, ctx.client.management(), req, &resp);
      throw;
    }
    req.set_action(v1::ControlGuestRequest::ACTION_RESUME);
    ctx.client.call(&Mgmt::ControlGuest, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(snap, ctx.out);
    ctx.out << snap.reply() << "\n";
  };
  return c;
}

// guest-pause / guest-resume / guest-snapshot / guest-status: one request
// to the guest's strata-hv, through stratad; prints strata-hv's reply.
Command guest_control(const char* name, const char* usage, const char* summary,
                      v1::ControlGuestRequest::Action action) {
  Command c;
  c.name = name;
  c.usage = usage;
  c.summary = summary;
  c.min_args = c.max_args = action == v1::ControlGuestRequest::ACTION_SNAPSHOT ? 2 : 1;
  c.run = [action](Context& ctx, const Args& a) {
    v1::ControlGuestRequest req;
    req.set_guest(a.positional[0]);
    req.set_action(action);
    if (action == v1::ControlGuestRequest::ACTION_SNAPSHOT) req.set_dir(absolute_output(a.positional[1]));
    v1::ControlGuestResponse resp;
    ctx.client.call(&Mgmt::ControlGuest, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    ctx.out << resp.reply() << "\n";
  };
  return c;
}

}  // namespace

void print_guests(const google::protobuf::RepeatedPtrField<v1::GuestStatus>& guests, std::ostream& out) {
  for (const auto& g : guests) print_guest(g, out);
}

std::vector<Command> guest_commands() {
  using A = v1::ControlGuestRequest;
  return {guest_add(),
          guest_del(),
          guest_list(),
          guest_control("guest-pause", "NAME", "pause a guest: every vCPU parked, its NICs' rings stopped", A::ACTION_PAUSE),
          guest_control("guest-resume", "NAME", "resume a paused guest", A::ACTION_RESUME),
          guest_control("guest-snapshot", "NAME DIR",
                        "write a paused guest's memory and state into the new directory DIR (on stratad's host); "
                        "strata-hv --restore DIR starts it again",
                        A::ACTION_SNAPSHOT),
          guest_control("guest-status", "NAME", "what strata-hv says of a running guest (running or paused, clone generation)",
                        A::ACTION_STATUS),
          guest_from_snapshot(false),
          guest_template(),
          guest_from_snapshot(true)};
}

}  // namespace strata::ctl
