#include "dpdk_test_env.h"

#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "l2tags/frame_ops.h"
#include "vnic/ring_names.h"

namespace strata::testing {

void ensure_eal() {
  static bool started = false;
  if (started) return;
  datapath::EalOptions o;
  o.program = "strata-test";
  o.file_prefix = "stest" + std::to_string(getpid());
  o.memory_mb = 512;
  o.pmd_cpus = {std::thread::hardware_concurrency() > 1 ? 1u : 0u};
  o.log_level = "error";
  auto info = datapath::eal_start(o);
  if (!info) throw std::runtime_error(info.status().to_string());
  started = true;
  std::atexit([] { datapath::eal_stop(); });
}

datapath::DatapathOptions Switch::default_options() {
  datapath::DatapathOptions o;
  o.pmd_lcores = {1};
  o.pmd_cpus = {1};
  o.n_mbufs = 8191;
  return o;
}

Switch::Switch(datapath::DatapathOptions o, bool start) {
  ensure_eal();
  auto d = datapath::Datapath::create(o);
  if (!d) throw std::runtime_error(d.status().to_string());
  dp = std::move(*d);
  ofp = std::make_unique<ofproto::Ofproto>(*dp);
  if (!ofp->add_bridge("br0")) throw std::runtime_error("add_bridge");
  if (start) {
    if (Status st = dp->start(); !st) throw std::runtime_error(st.to_string());
  }
}

Switch::~Switch() {
  dp->stop();
  ofp.reset();
  dp.reset();
}

uint32_t Switch::add_port(const std::string& name, const std::string& type, ofproto::BridgePort mode,
                          std::map<std::string, std::string> options) {
  vnic::PortSpec spec{name, type, std::move(options)};
  auto p = ofp->add_port("br0", spec, mode);
  if (!p) throw std::runtime_error(p.status().to_string());
  return p->dp_port;
}

bool Switch::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (dp->run_once() == 0) usleep(50);
    if (done()) return true;
  }
  return done();
}

void inject(Switch& sw, const std::string& port, const std::vector<uint8_t>& frame, int copies) {
  rte_ring* r = rte_ring_lookup(vnic::ring_rx_name(port).c_str());
  if (r == nullptr) throw std::runtime_error("no ring for port " + port);
  for (int i = 0; i < copies; ++i) {
    auto m = sw.dp->make_packet(frame.data(), frame.size());
    if (!m) throw std::runtime_error(m.status().to_string());
    while (rte_ring_enqueue(r, *m) != 0) usleep(10);  // the PMD drains it
  }
}

std::vector<std::vector<uint8_t>> drain(const std::string& port) {
  std::vector<std::vector<uint8_t>> out;
  rte_ring* r = rte_ring_lookup(vnic::ring_tx_name(port).c_str());
  if (r == nullptr) return out;
  void* obj = nullptr;
  while (rte_ring_dequeue(r, &obj) == 0) {
    auto* m = static_cast<rte_mbuf*>(obj);
    std::vector<uint8_t> bytes(m->pkt_len);
    // Points into the mbuf when the frame is contiguous, else copies.
    const void* data = rte_pktmbuf_read(m, 0, m->pkt_len, bytes.data());
    if (data != bytes.data()) std::memcpy(bytes.data(), data, m->pkt_len);
    out.push_back(std::move(bytes));
    rte_pktmbuf_free(m);
  }
  return out;
}

std::vector<uint8_t> make_frame(const uint8_t dst[6], const uint8_t src[6], const l2tags::TagStack& tags,
                                uint16_t ethertype, size_t payload) {
  std::vector<uint8_t> f(12 + 4 * static_cast<size_t>(tags.size()) + 2 + payload, 0);
  std::memcpy(f.data(), dst, 6);
  std::memcpy(f.data() + 6, src, 6);
  size_t off = 12;
  for (const auto& t : tags) {
    const uint16_t tci = t.tci();
    f[off] = static_cast<uint8_t>(t.tpid >> 8);
    f[off + 1] = static_cast<uint8_t>(t.tpid);
    f[off + 2] = static_cast<uint8_t>(tci >> 8);
    f[off + 3] = static_cast<uint8_t>(tci);
    off += 4;
  }
  f[off] = static_cast<uint8_t>(ethertype >> 8);
  f[off + 1] = static_cast<uint8_t>(ethertype);
  for (size_t i = 0; i < payload; ++i) f[off + 2 + i] = static_cast<uint8_t>(i * 7 + 3);
  return f;
}

l2tags::TagStack stack_of(std::initializer_list<std::pair<uint16_t, uint16_t>> tpid_vid) {
  l2tags::TagStack s;
  for (auto [tpid, vid] : tpid_vid) s.push_inner(l2tags::Tag{tpid, 0, false, vid});
  return s;
}

}  // namespace strata::testing
