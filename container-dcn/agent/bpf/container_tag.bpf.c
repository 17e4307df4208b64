// TC (clsact) programs of strata-dcn-agent's eBPF tagging, for a DCN whose
// kernel has no 8021q: each container has a veth pair, its namespace end
// is the container's eth0, its DCN end carries `from_container`; the DCN's
// NIC (its link to Strata's VNIC) carries `from_nic`.
//
//   container eth0 -> DCN veth end, ingress: from_container pushes the
//     container's tag and redirects the frame out of the NIC;
//   NIC ingress: from_nic looks the outermost tag up, pops it and redirects
//     the frame out of that container's DCN veth end (so into its eth0).
//
// The kernel has already moved the outermost 802.1Q/802.1ad tag of a
// received frame into skb metadata (skb_vlan_untag runs before TC
// ingress), so from_nic reads it from skb->vlan_*; bpf_skb_vlan_push/pop
// work on that metadata and the NIC's transmit path puts it on the wire.
// Frames without a tag on the NIC are the DCN's own traffic and pass; so do
// frames whose tag names no container here (counted): they may be for a
// container of the VLAN mechanism (whose 8021q device the kernel finds
// after TC ingress), else the kernel drops them.
//
// The maps are filled by the agent from the containers that exist; the
// agent reloads the programs and refills fresh maps whenever the set
// changes, so no state lives only here (nothing is pinned).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// A container tag: TPID (host order: 0x8100 or 0x88a8) and VID.
struct tag_key {
  __u16 tpid;
  __u16 vid;
};

// What from_container needs about the veth a frame came in on.
struct port_tag {
  __u32 nic_ifindex;  // where tagged frames leave the DCN
  __u16 tpid;         // the container's tag, host order
  __u16 vid;
};

// Counter indexes of `counters` (the agent's `stats` prints them).
enum {
  kToContainer = 0,       // frames popped and redirected to a container
  kUnknownTag = 1,        // tagged frames on the NIC for no container: passed to the kernel
  kFromContainer = 2,     // frames tagged and redirected to the NIC
  kUnknownPort = 3,       // frames on a veth the maps do not know: dropped
  kTagOpFailed = 4,       // push/pop refused by the kernel: dropped
  kCounterCount = 5,
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct tag_key);
  __type(value, __u32);  // ifindex of the container's DCN veth end
} tag_to_port SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);  // ifindex of a container's DCN veth end
  __type(value, struct port_tag);
} port_to_tag SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, kCounterCount);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 index) {
  __u64* c = bpf_map_lookup_elem(&counters, &index);
  if (c) *c += 1;
}

SEC("tc")
int from_nic(struct __sk_buff* skb) {
  if (!skb->vlan_present) return TC_ACT_OK;  // the DCN's own, untagged traffic
  struct tag_key key = {
      .tpid = bpf_ntohs((__u16)skb->vlan_proto),
      .vid = skb->vlan_tci & 0x0fff,
  };
  __u32* port = bpf_map_lookup_elem(&tag_to_port, &key);
  if (!port) {
    count(kUnknownTag);
    return TC_ACT_OK;
  }
  __u32 ifindex = *port;
  if (bpf_skb_vlan_pop(skb) != 0) {
    count(kTagOpFailed);
    return TC_ACT_SHOT;
  }
  count(kToContainer);
  return bpf_redirect(ifindex, 0);
}

SEC("tc")
int from_container(struct __sk_buff* skb) {
  __u32 ifindex = skb->ifindex;
  struct port_tag* tag = bpf_map_lookup_elem(&port_to_tag, &ifindex);
  if (!tag) {
    count(kUnknownPort);
    return TC_ACT_SHOT;
  }
  __u32 nic = tag->nic_ifindex;
  if (bpf_skb_vlan_push(skb, bpf_htons(tag->tpid), tag->vid) != 0) {
    count(kTagOpFailed);
    return TC_ACT_SHOT;
  }
  count(kFromContainer);
  return bpf_redirect(nic, 0);
}

char LICENSE[] SEC("license") = "GPL";
