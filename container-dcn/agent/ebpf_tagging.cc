#include "container-dcn/agent/ebpf_tagging.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <memory>

#include "container-dcn/agent/bpf/container_tag_object.h"

namespace strata::dcn_agent {

namespace {

// The agent's filters, told apart from anyone else's on the same hook.
constexpr uint32_t kTcHandle = 0xdc;
constexpr uint32_t kTcPriority = 0xdc;

// Must match the programs' structs and counter indexes.
struct TagKey {
  uint16_t tpid;
  uint16_t vid;
};
struct PortTag {
  uint32_t nic_ifindex;
  uint16_t tpid;
  uint16_t vid;
};
constexpr uint32_t kCounterCount = 5;

// libbpf's last warning, for the error message when a load fails.
std::string g_libbpf_message;

int capture_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[512];
  vsnprintf(buf, sizeof buf, format, args);
  g_libbpf_message = buf;
  while (!g_libbpf_message.empty() && g_libbpf_message.back() == '\n') g_libbpf_message.pop_back();
  return 0;
}

std::string errno_text(int err) {
  return std::strerror(err < 0 ? -err : err);
}

struct ObjectCloser {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};
using Object = std::unique_ptr<bpf_object, ObjectCloser>;

Result<Object> load_object() {
  libbpf_set_print(capture_libbpf);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "container_tag");
  bpf_object* raw = bpf_object__open_mem(kContainerTagObject, kContainerTagObjectSize, &opts);
  if (!raw) return internal_error("eBPF object: cannot open: " + errno_text(errno));
  Object obj(raw);
  if (int err = bpf_object__load(obj.get())) {
    return failed_precondition("eBPF programs: the kernel refused them: " + errno_text(err) +
                               (g_libbpf_message.empty() ? "" : " (" + g_libbpf_message + ")"));
  }
  return obj;
}

Status attach_ingress(unsigned ifindex, const std::string& ifname, int prog_fd) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(ifindex), .attach_point = BPF_TC_INGRESS);
  int err = bpf_tc_hook_create(&hook);  // the clsact qdisc
  if (err && err != -EEXIST) {
    return failed_precondition("interface '" + ifname + "': cannot add the clsact qdisc: " + errno_text(err));
  }
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE, .handle = kTcHandle,
              .priority = kTcPriority);
  err = bpf_tc_attach(&hook, &opts);
  if (err) return failed_precondition("interface '" + ifname + "': cannot attach the TC program: " + errno_text(err));
  return Status::ok();
}

Result<uint32_t> attached_prog_id(const std::string& nic) {
  const unsigned ifindex = if_nametoindex(nic.c_str());
  if (!ifindex) return not_found("--nic: interface '" + nic + "' does not exist in this network namespace");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(ifindex), .attach_point = BPF_TC_INGRESS);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kTcHandle, .priority = kTcPriority);
  libbpf_set_print(capture_libbpf);
  if (bpf_tc_query(&hook, &opts) != 0) {  // ENOENT, or EINVAL when there is no clsact qdisc at all
    return not_found("interface '" + nic + "' has no strata-dcn-agent TC program");
  }
  return opts.prog_id;
}

}  // namespace

Status sync_ebpf_tagging(const std::string& nic, const std::vector<TaggedVeth>& veths) {
  const unsigned nic_ifindex = if_nametoindex(nic.c_str());
  if (!nic_ifindex) return not_found("--nic: interface '" + nic + "' does not exist in this network namespace");
  if (veths.empty()) {
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(nic_ifindex), .attach_point = BPF_TC_INGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kTcHandle, .priority = kTcPriority);
    libbpf_set_print(capture_libbpf);
    int err = bpf_tc_detach(&hook, &opts);
    if (err && err != -ENOENT && err != -EINVAL) {
      return failed_precondition("interface '" + nic + "': cannot detach the TC program: " + errno_text(err));
    }
    return Status::ok();
  }
  auto obj = load_object();
  if (!obj) return obj.status();
  bpf_map* tag_to_port = bpf_object__find_map_by_name(obj->get(), "tag_to_port");
  bpf_map* port_to_tag = bpf_object__find_map_by_name(obj->get(), "port_to_tag");
  bpf_program* from_nic = bpf_object__find_program_by_name(obj->get(), "from_nic");
  bpf_program* from_container = bpf_object__find_program_by_name(obj->get(), "from_container");
  if (!tag_to_port || !port_to_tag || !from_nic || !from_container) {
    return internal_error("eBPF object: a map or program is missing (built from another source?)");
  }
  std::vector<unsigned> veth_ifindexes;
  for (const auto& v : veths) {
    const unsigned ifindex = if_nametoindex(v.veth.c_str());
    if (!ifindex) return not_found("veth '" + v.veth + "' does not exist in this network namespace");
    TagKey key{v.tpid, v.vid};
    uint32_t port = ifindex;
    PortTag tag{nic_ifindex, v.tpid, v.vid};
    if (int err = bpf_map__update_elem(tag_to_port, &key, sizeof key, &port, sizeof port, BPF_ANY)) {
      return internal_error("eBPF map tag_to_port: " + errno_text(err));
    }
    if (int err = bpf_map__update_elem(port_to_tag, &port, sizeof port, &tag, sizeof tag, BPF_ANY)) {
      return internal_error("eBPF map port_to_tag: " + errno_text(err));
    }
    veth_ifindexes.push_back(ifindex);
  }
  // The veths first: until the NIC's filter is replaced, frames towards a
  // new container are dropped as unknown, never sent to a veth whose
  // filter does not know it yet.
  for (size_t i = 0; i < veths.size(); ++i) {
    STRATA_RETURN_IF_ERROR(attach_ingress(veth_ifindexes[i], veths[i].veth, bpf_program__fd(from_container)));
  }
  return attach_ingress(nic_ifindex, nic, bpf_program__fd(from_nic));
}

bool ebpf_tagging_attached(const std::string& nic) {
  return attached_prog_id(nic).is_ok();
}

Result<TaggingCounters> ebpf_tagging_counters(const std::string& nic) {
  auto prog_id = attached_prog_id(nic);
  if (!prog_id) return prog_id.status();
  const int prog_fd = bpf_prog_get_fd_by_id(*prog_id);
  if (prog_fd < 0) return not_found("TC program " + std::to_string(*prog_id) + ": " + errno_text(errno));
  uint32_t map_ids[8] = {};
  bpf_prog_info info = {};
  info.nr_map_ids = 8;
  info.map_ids = reinterpret_cast<uint64_t>(map_ids);
  uint32_t info_len = sizeof info;
  const int err = bpf_obj_get_info_by_fd(prog_fd, &info, &info_len);
  close(prog_fd);
  if (err) return internal_error("TC program info: " + errno_text(errno));
  for (uint32_t i = 0; i < info.nr_map_ids && i < 8; ++i) {
    const int map_fd = bpf_map_get_fd_by_id(map_ids[i]);
    if (map_fd < 0) continue;
    bpf_map_info map_info = {};
    uint32_t map_info_len = sizeof map_info;
    if (bpf_obj_get_info_by_fd(map_fd, &map_info, &map_info_len) != 0 || std::strcmp(map_info.name, "counters") != 0) {
      close(map_fd);
      continue;
    }
    const int cpus = libbpf_num_possible_cpus();
    std::vector<uint64_t> per_cpu(cpus > 0 ? cpus : 1);
    uint64_t totals[kCounterCount] = {};
    for (uint32_t k = 0; k < kCounterCount; ++k) {
      if (bpf_map_lookup_elem(map_fd, &k, per_cpu.data()) == 0) {
        for (uint64_t v : per_cpu) totals[k] += v;
      }
    }
    close(map_fd);
    return TaggingCounters{totals[0], totals[1], totals[2], totals[3], totals[4]};
  }
  return not_found("TC program " + std::to_string(*prog_id) + " has no counters map");
}

}  // namespace strata::dcn_agent
