#include "datapath/datapath.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "datapath/execute.h"
#include "datapath/flow_extract.h"
#include "datapath/packet_meta.h"

namespace strata::datapath {

namespace {

int pmd_main(void* arg) { return static_cast<Pmd*>(arg)->run(); }

void delete_poll_list(void* p) { delete static_cast<PollList*>(p); }
void delete_port_table(void* p) { delete static_cast<PortTable*>(p); }
void delete_mux_table(void* p) { delete static_cast<TagMuxTable*>(p); }

}  // namespace

// Output sink for frames the control thread executes (upcalls, packet-out):
// sent at once on the control thread's own tx queue.
struct ControlExecContext {
  Datapath& dp;
  UpcallHandler* handler;
  uint32_t in_port;
  void output(uint32_t port_no, rte_mbuf* m) { dp.send_now(port_no, m); }
  void to_controller(rte_mbuf* m, const Action& a) {
    if (handler != nullptr) {
      FlowKey key;
      extract_flow_key(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, in_port, dp.shared_.tpids, &key);
      UpcallResult ignored;
      handler->upcall(Upcall{m, &key, UpcallReason::kController, a.port, a.value}, &ignored);
    }
    rte_pktmbuf_free(m);
  }
  void drop(rte_mbuf* m) { rte_pktmbuf_free(m); }
  rte_mempool* pool() { return dp.pool_; }
};

Result<std::unique_ptr<Datapath>> Datapath::create(const DatapathOptions& options) {
  if (options.pmd_lcores.empty()) return invalid_argument("the datapath needs at least one PMD thread");
  if (options.pmd_lcores.size() > kMaxPmds) {
    return invalid_argument("at most " + std::to_string(kMaxPmds) + " PMD threads");
  }
  std::unique_ptr<Datapath> dp(new Datapath(options));
  STRATA_RETURN_IF_ERROR(dp->init());
  return dp;
}

Status Datapath::init() {
  if (!register_packet_meta()) return internal_error("cannot register the mbuf metadata field");
  pool_ = rte_pktmbuf_pool_create("strata_mbufs", options_.n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                  static_cast<int>(rte_socket_id()));
  if (pool_ == nullptr) {
    return resource_exhausted("cannot create a pool of " + std::to_string(options_.n_mbufs) +
                              " mbufs: " + rte_strerror(rte_errno));
  }
  const auto n_pmds = static_cast<unsigned>(options_.pmd_lcores.size());
  rcu_ = std::make_unique<RcuReclaimer>(n_pmds);
  if (rcu_->qsbr() == nullptr) return resource_exhausted("cannot allocate the RCU state");
  classifier_ = std::make_unique<Classifier>(*rcu_);
  tsc_per_ms_ = std::max<uint64_t>(1, rte_get_tsc_hz() / 1000);

  shared_.classifier = classifier_.get();
  shared_.rcu = rcu_.get();
  shared_.pool = pool_;
  shared_.tpids = options_.tpids;
  shared_.tsc_hz = rte_get_tsc_hz();
  shared_.emc_insert_inv_prob = options_.emc_insert_inv_prob;
  shared_.busy_poll = options_.busy_poll;
  shared_.n_pmds = n_pmds;
  shared_.upcall_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (shared_.upcall_wake_fd < 0) return internal_error(std::string("cannot create an eventfd: ") + strerror(errno));
  shared_.ports.store(new PortTable());
  for (unsigned i = 0; i < n_pmds; ++i) {
    const unsigned cpu = i < options_.pmd_cpus.size() ? options_.pmd_cpus[i] : 0;
    pmds_.push_back(std::make_unique<Pmd>(i, cpu, shared_));
  }
  return Status::ok();
}

Status Datapath::start() {
  if (running_) return Status::ok();
  shared_.quit.store(false);
  for (size_t i = 0; i < pmds_.size(); ++i) {
    if (int rc = rte_eal_remote_launch(pmd_main, pmds_[i].get(), options_.pmd_lcores[i]); rc != 0) {
      shared_.quit.store(true);
      rte_eal_mp_wait_lcore();
      return internal_error("cannot launch PMD " + std::to_string(i) + " on lcore " +
                            std::to_string(options_.pmd_lcores[i]));
    }
  }
  running_ = true;
  return Status::ok();
}

void Datapath::stop() {
  if (!running_) return;
  shared_.quit.store(true);
  rte_eal_mp_wait_lcore();
  running_ = false;
}

Datapath::~Datapath() {
  stop();
  // Every port goes, logical ports before their parents, oldest first; the
  // PMDs are stopped so nothing races.
  for (bool logical : {true, false}) {
    std::vector<uint32_t> doomed;
    for (const auto& [no, p] : ports_) {
      if (p->is_logical() == logical) doomed.push_back(no);
    }
    for (uint32_t no : doomed) {
      if (!logical) (void)set_tag_mux(no, false);
      (void)port_del(no);
    }
  }
  if (classifier_) flow_flush();
  pmds_.clear();
  if (rcu_) {
    rcu_->poll();
    rcu_.reset();  // frees whatever is still pending: no reader is left
  }
  classifier_.reset();
  if (shared_.upcall_wake_fd >= 0) close(shared_.upcall_wake_fd);
  delete shared_.ports.load();
  if (pool_ != nullptr) rte_mempool_free(pool_);
}

// --- ports -----------------------------------------------------------------

Result<uint32_t> Datapath::port_add(const vnic::PortSpec& spec) {
  if (spec.name.empty()) return invalid_argument("a port needs a name");
  auto no_or = free_port_no(spec.name);
  if (!no_or) return no_or.status();
  const uint32_t no = *no_or;

  vnic::QueueLayout queues;
  queues.n_txq = static_cast<uint16_t>(pmds_.size() + 1);  // one per PMD + the control thread
  auto dev = vnic::EthdevPort::open(spec, queues, pool_);
  if (!dev) return dev.status();

  auto port = std::make_unique<DpPort>();
  port->port_no = no;
  port->name = spec.name;
  port->dev = std::move(*dev);
  port->ethdev_id = port->dev->ethdev_id();
  port->n_txq = port->dev->n_txq();
  port->txq_shared = port->n_txq < queues.n_txq;
  for (auto& l : port->txq_lock) rte_spinlock_init(&l);
  STRATA_RETURN_IF_ERROR(create_upcall_ring(*port));
  ports_[no] = std::move(port);
  publish_ports();
  rebalance_rxqs();
  return no;
}

Result<uint32_t> Datapath::free_port_no(const std::string& name) const {
  for (const auto& [no, p] : ports_) {
    if (p->name == name) return already_exists("port '" + name + "' already exists");
  }
  uint32_t no = 0;
  while (no < kMaxPorts && ports_.count(no) != 0) ++no;
  if (no == kMaxPorts) return resource_exhausted("the datapath has " + std::to_string(kMaxPorts) + " ports already");
  return no;
}

Status Datapath::create_upcall_ring(DpPort& port) {
  // Ring names are global to the process and must not outlive a reused
  // port number: the serial makes each one new.
  const std::string ring_name = "upcall_" + std::to_string(port.port_no) + "_" + std::to_string(ring_serial_++);
  port.upcall_ring = rte_ring_create(ring_name.c_str(), options_.upcall_ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
  if (port.upcall_ring == nullptr) {
    return resource_exhausted("port '" + port.name + "': cannot create its upcall ring");
  }
  return Status::ok();
}

// --- logical ports (tag_mux.h) ----------------------------------------------

Status Datapath::set_tag_mux(uint32_t port_no, bool enabled) {
  auto it = ports_.find(port_no);
  if (it == ports_.end()) return not_found("no datapath port " + std::to_string(port_no));
  DpPort& port = *it->second;
  if (port.is_logical()) return invalid_argument("port '" + port.name + "' is a logical port itself");
  const bool is_parent = port.mux.load(std::memory_order_relaxed) != nullptr;
  if (enabled == is_parent) return Status::ok();
  if (!enabled) {
    for (const auto& [no, p] : ports_) {
      if (p->parent == &port) {
        return failed_precondition("port '" + port.name + "' still carries logical port '" + p->name + "'");
      }
    }
    rcu_->retire(const_cast<TagMuxTable*>(port.mux.exchange(nullptr, std::memory_order_acq_rel)), delete_mux_table);
  } else {
    publish_mux(port);
  }
  // What the port received so far was decided as a plain port's frames
  // (or as a parent's): none of its megaflows is right any more.
  flow_del_if([&](const MegaflowInfo& f) { return f.mask.in_port != 0 && f.key.in_port == port_no; });
  return Status::ok();
}

Result<uint32_t> Datapath::logical_port_add(const LogicalPortSpec& spec) {
  if (spec.name.empty()) return invalid_argument("a port needs a name");
  auto pit = ports_.find(spec.parent);
  if (pit == ports_.end()) return not_found("no datapath port " + std::to_string(spec.parent));
  DpPort& parent = *pit->second;
  if (parent.is_logical()) return invalid_argument("port '" + parent.name + "' is a logical port itself");
  if (parent.mux.load(std::memory_order_relaxed) == nullptr) {
    return failed_precondition("port '" + parent.name + "' is not a parent of logical ports (set_tag_mux)");
  }
  if (!shared_.tpids.contains(spec.tpid)) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%04x", spec.tpid);
    return invalid_argument(std::string("TPID ") + buf + " is not recognised");
  }
  if (spec.vid < 1 || spec.vid > 4094) return invalid_argument("VID " + std::to_string(spec.vid) + " is out of range 1..4094");
  for (const auto& [no, p] : ports_) {
    if (p->parent == &parent && (p->mux_tci & 0x0fff) == spec.vid) {
      return already_exists("port '" + parent.name + "' already carries VID " + std::to_string(spec.vid) +
                            " (logical port '" + p->name + "')");
    }
  }
  auto no_or = free_port_no(spec.name);
  if (!no_or) return no_or.status();
  auto port = std::make_unique<DpPort>();
  port->port_no = *no_or;
  port->name = spec.name;
  port->parent = &parent;
  port->mux_tpid = spec.tpid;
  port->mux_tci = spec.vid;
  STRATA_RETURN_IF_ERROR(create_upcall_ring(*port));
  const uint32_t no = port->port_no;
  ports_[no] = std::move(port);
  // The port table first, then the parent's table (a PMD still on the old
  // port table drops what the new demultiplexing table sends to the port).
  publish_ports();
  publish_mux(parent);
  return no;
}

void Datapath::publish_mux(DpPort& parent) {
  auto* table = new TagMuxTable();
  for (const auto& [no, p] : ports_) {
    if (p->parent != &parent) continue;
    table->by_vid[p->mux_tci & 0x0fff] = TagMuxTable::Entry{p->mux_tpid, static_cast<uint16_t>(no)};
    ++table->ports;
  }
  const TagMuxTable* old = parent.mux.exchange(table, std::memory_order_acq_rel);
  if (old != nullptr) rcu_->retire(const_cast<TagMuxTable*>(old), delete_mux_table);
}

Status Datapath::port_del(uint32_t port_no) {
  auto it = ports_.find(port_no);
  if (it == ports_.end()) return not_found("no datapath port " + std::to_string(port_no));
  for (const auto& [no, p] : ports_) {
    if (p->parent == it->second.get()) {
      return failed_precondition("port '" + it->second->name + "' still carries logical port '" + p->name + "'");
    }
  }
  std::unique_ptr<DpPort> port = std::move(it->second);
  ports_.erase(it);
  // 1. Stop polling and sending: publish lists and tables without it (a
  // logical port leaves its parent's demultiplexing table too).
  if (port->is_logical()) publish_mux(*port->parent);
  rebalance_rxqs();
  publish_ports();
  // 2. Megaflows that come from it or output to it are stale now.
  flow_del_if([&](const MegaflowInfo& f) {
    if (f.mask.in_port != 0 && f.key.in_port == port_no) return true;
    return f.actions.find("output:" + std::to_string(port_no)) != std::string::npos;
  });
  // 3. Wait until no PMD can hold it, then release the device and frames.
  if (running_) rcu_->synchronize();
  rcu_->poll();
  void* obj = nullptr;
  while (rte_ring_dequeue(port->upcall_ring, &obj) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(obj));
  rte_ring_free(port->upcall_ring);
  if (const TagMuxTable* mux = port->mux.load(std::memory_order_relaxed)) delete mux;  // no PMD holds it now
  port->dev.reset();
  return Status::ok();
}

void Datapath::publish_ports() {
  auto* table = new PortTable();
  for (const auto& [no, p] : ports_) table->by_no[no] = p.get();
  PortTable* old = shared_.ports.exchange(table, std::memory_order_acq_rel);
  rcu_->retire(old, delete_port_table);
}

// Spreads every port's rx queues over the PMDs, fewest-loaded first.
void Datapath::rebalance_rxqs() {
  std::vector<PollList*> lists(pmds_.size());
  for (auto& l : lists) l = new PollList();
  for (const auto& [no, p] : ports_) {
    if (p->is_logical()) continue;  // its frames arrive on the parent's queues
    for (uint16_t q = 0; q < p->dev->n_rxq(); ++q) {
      auto best = std::min_element(lists.begin(), lists.end(),
                                   [](const PollList* a, const PollList* b) { return a->n < b->n; });
      if ((*best)->n < sizeof((*best)->rxq) / sizeof((*best)->rxq[0])) {
        (*best)->rxq[(*best)->n++] = PollList::Entry{p.get(), q};
      }
    }
  }
  for (size_t i = 0; i < pmds_.size(); ++i) rcu_->retire(pmds_[i]->swap_poll_list(lists[i]), delete_poll_list);
}

std::vector<DpPortInfo> Datapath::port_list() const {
  std::vector<DpPortInfo> out;
  for (const auto& [no, p] : ports_) {
    if (p->is_logical()) {
      DpPortInfo info;
      info.port_no = no;
      info.spec.name = p->name;
      info.spec.type = "logical";
      info.link_up = p->parent->dev->link_up();
      info.logical = true;
      info.parent = p->parent->port_no;
      info.mux_tpid = p->mux_tpid;
      info.mux_vid = static_cast<uint16_t>(p->mux_tci & 0x0fff);
      out.push_back(std::move(info));
      continue;
    }
    out.push_back(DpPortInfo{no, p->dev->spec(), p->dev->link_up(), p->dev->mac()});
  }
  return out;
}

Result<uint32_t> Datapath::port_no(const std::string& name) const {
  for (const auto& [no, p] : ports_) {
    if (p->name == name) return no;
  }
  return not_found("no port named '" + name + "'");
}

Result<DpPortStats> Datapath::port_stats(uint32_t port_no) const {
  auto it = ports_.find(port_no);
  if (it == ports_.end()) return not_found("no datapath port " + std::to_string(port_no));
  const DpPort& p = *it->second;
  DpPortStats s;
  s.tx_dropped = p.counters.tx_dropped.load(std::memory_order_relaxed);
  s.malformed = p.counters.malformed.load(std::memory_order_relaxed);
  s.upcalls = p.counters.upcalls.load(std::memory_order_relaxed);
  s.upcall_dropped = p.counters.upcall_dropped.load(std::memory_order_relaxed);
  s.unknown_tag = p.counters.unknown_tag.load(std::memory_order_relaxed);
  if (p.is_logical()) {
    s.rx_packets = p.logical.rx_packets.load(std::memory_order_relaxed);
    s.rx_bytes = p.logical.rx_bytes.load(std::memory_order_relaxed);
    s.tx_packets = p.logical.tx_packets.load(std::memory_order_relaxed);
    s.tx_bytes = p.logical.tx_bytes.load(std::memory_order_relaxed);
    return s;
  }
  const vnic::DeviceStats d = p.dev->stats();
  s.rx_packets = d.rx_packets;
  s.rx_bytes = d.rx_bytes;
  s.rx_dropped = d.rx_dropped;
  s.rx_errors = d.rx_errors;
  s.tx_packets = d.tx_packets;
  s.tx_bytes = d.tx_bytes;
  s.tx_errors = d.tx_errors;
  return s;
}

Result<std::vector<DpPortXstat>> Datapath::port_xstats(uint32_t port_no) const {
  auto it = ports_.find(port_no);
  if (it == ports_.end()) return not_found("no datapath port " + std::to_string(port_no));
  std::vector<DpPortXstat> out;
  if (it->second->is_logical()) return out;  // no device of its own
  for (auto& x : it->second->dev->xstats()) out.push_back(DpPortXstat{std::move(x.name), x.value});
  return out;
}

// --- megaflows ---------------------------------------------------------------

Status Datapath::flow_put(const FlowKey& key, const FlowMask& mask, const ActionBuilder& actions) {
  ActionList* list = action_table_.acquire(actions);
  if (list == nullptr) return resource_exhausted("out of memory for an action list");
  auto flow = classifier_->insert(key, mask, list);
  if (!flow) {
    release_actions(list);
    return flow.status();
  }
  (*flow)->last_used.store(rte_rdtsc() / tsc_per_ms_, std::memory_order_relaxed);
  return Status::ok();
}

MegaflowInfo Datapath::describe(const Megaflow& flow) const {
  MegaflowInfo info;
  info.key = flow.key();
  info.mask = flow.mask();
  info.actions = format_actions(*static_cast<const ActionList*>(flow.actions.load(std::memory_order_acquire)));
  info.packets = flow.packets.load(std::memory_order_relaxed);
  info.bytes = flow.bytes.load(std::memory_order_relaxed);
  const uint64_t used = flow.last_used.load(std::memory_order_relaxed);
  const uint64_t now_ms = rte_rdtsc() / tsc_per_ms_;
  info.idle_ms = now_ms > used ? now_ms - used : 0;
  return info;
}

size_t Datapath::flow_del_if(const std::function<bool(const MegaflowInfo&)>& pred) {
  std::vector<Megaflow*> doomed;
  classifier_->for_each([&](Megaflow& f) {
    if (pred(describe(f))) doomed.push_back(&f);
  });
  for (Megaflow* f : doomed) {
    const void* actions = f->actions.load(std::memory_order_relaxed);
    classifier_->remove(f);
    release_actions(actions);
  }
  return doomed.size();
}

void Datapath::release_actions(const void* list) {
  // PMDs may still be running a removed megaflow's list: freed after a grace period.
  if (action_table_.release(static_cast<const ActionList*>(list))) {
    rcu_->retire(const_cast<void*>(list), ActionList::destroy);
  }
}

void Datapath::flow_flush() {
  flow_del_if([](const MegaflowInfo&) { return true; });
}

std::vector<MegaflowInfo> Datapath::flow_dump() const {
  std::vector<MegaflowInfo> out;
  classifier_->for_each([&](Megaflow& f) { out.push_back(describe(f)); });
  return out;
}

size_t Datapath::megaflow_count() const { return classifier_->size(); }

void Datapath::expire_megaflows() {
  const uint64_t now_ms = rte_rdtsc() / tsc_per_ms_;
  const uint64_t idle = options_.megaflow_idle_ms;
  std::vector<Megaflow*> doomed;
  classifier_->for_each([&](Megaflow& f) {
    const uint64_t used = f.last_used.load(std::memory_order_relaxed);  // set at insert, then by PMDs
    if (now_ms > used && now_ms - used > idle) doomed.push_back(&f);
  });
  for (Megaflow* f : doomed) {
    const void* actions = f->actions.load(std::memory_order_relaxed);
    classifier_->remove(f);
    release_actions(actions);
  }
}

// --- control-thread execution ---------------------------------------------

void Datapath::send_now(uint32_t port_no, rte_mbuf* m) {
  auto it = ports_.find(port_no);
  if (it == ports_.end()) {
    rte_pktmbuf_free(m);
    return;
  }
  DpPort& p = *it->second;
  DpPort& dev = p.is_logical() ? *p.parent : p;
  const uint32_t len = m->pkt_len;
  if (p.is_logical()) {
    m = tag_mux_push(m, p.mux_tpid, p.mux_tci, pool_);
    if (m == nullptr) {
      p.counters.tx_dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  const auto txq = static_cast<uint16_t>(pmds_.size() % dev.n_txq);
  if (dev.txq_shared) rte_spinlock_lock(&dev.txq_lock[txq]);
  const uint16_t sent = rte_eth_tx_burst(dev.ethdev_id, txq, &m, 1);
  if (dev.txq_shared) rte_spinlock_unlock(&dev.txq_lock[txq]);
  if (sent == 0) {
    p.counters.tx_dropped.fetch_add(1, std::memory_order_relaxed);
    rte_pktmbuf_free(m);
  } else if (p.is_logical()) {
    p.logical.tx_packets.fetch_add(1, std::memory_order_relaxed);
    p.logical.tx_bytes.fetch_add(len, std::memory_order_relaxed);
  }
}

Result<rte_mbuf*> Datapath::make_packet(const uint8_t* bytes, size_t len) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return resource_exhausted("no free mbuf");
  if (len > rte_pktmbuf_tailroom(m)) {
    rte_pktmbuf_free(m);
    return invalid_argument("packet of " + std::to_string(len) + " bytes does not fit one buffer");
  }
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(len)), bytes, len);
  return m;
}

Status Datapath::execute(rte_mbuf* packet, uint32_t in_port, const ActionBuilder& actions) {
  ActionList* list = actions.build();
  if (list == nullptr) {
    rte_pktmbuf_free(packet);
    return resource_exhausted("out of memory for an action list");
  }
  FlowKey key;
  if (extract_flow_key(rte_pktmbuf_mtod(packet, const uint8_t*), packet->data_len, in_port, shared_.tpids,
                       &key) != ExtractResult::kOk) {
    ActionList::destroy(list);
    rte_pktmbuf_free(packet);
    return invalid_argument("packet is malformed (runt, truncated tag or too many tags)");
  }
  uint8_t depth = key.tag_depth;
  ControlExecContext ctx{*this, handler_, in_port};
  execute_actions(*list, &packet, &depth, 1, ctx);
  ActionList::destroy(list);
  return Status::ok();
}

size_t Datapath::handle_upcalls() {
  if (ports_.empty()) return 0;
  size_t handled = 0;
  // Round robin over the ports' rings, a burst from each in turn: one port's
  // flood of new flows cannot starve the others of the slow path.
  std::vector<DpPort*> order;
  for (auto& [no, p] : ports_) order.push_back(p.get());
  const size_t start = upcall_cursor_++ % order.size();
  bool progress = true;
  while (progress && handled < options_.upcall_budget) {
    progress = false;
    for (size_t k = 0; k < order.size(); ++k) {
      DpPort* port = order[(start + k) % order.size()];
      rte_mbuf* pkts[kBurst];
      const unsigned n =
          rte_ring_sc_dequeue_burst(port->upcall_ring, reinterpret_cast<void**>(pkts), kBurst, nullptr);
      if (n == 0) continue;
      progress = true;
      handled += n;
      for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        const PacketMeta meta = *packet_meta(m);
        FlowKey key;
        if (extract_flow_key(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, meta.in_port, shared_.tpids,
                             &key) != ExtractResult::kOk ||
            handler_ == nullptr) {
          rte_pktmbuf_free(m);
          continue;
        }
        UpcallResult result;
        handler_->upcall(Upcall{m, &key, meta.reason, meta.cookie, meta.max_len}, &result);
        if (meta.reason == UpcallReason::kController) {
          rte_pktmbuf_free(m);
          continue;
        }
        // A list for a megaflow is interned (shared with the megaflows that
        // do the same); one only executed here is this frame's alone.
        ActionList* list = result.install ? action_table_.acquire(result.actions) : result.actions.build();
        if (list == nullptr) {
          rte_pktmbuf_free(m);
          continue;
        }
        bool owned_by_flow = false;
        if (result.install) {
          // Several frames of a new flow may have missed before it was
          // installed: the first installs, the rest just execute.
          auto flow = classifier_->insert(key, result.mask, list);
          owned_by_flow = flow.is_ok();
          if (owned_by_flow) (*flow)->last_used.store(rte_rdtsc() / tsc_per_ms_, std::memory_order_relaxed);
        }
        uint8_t depth = key.tag_depth;
        ControlExecContext ctx{*this, handler_, meta.in_port};
        execute_actions(*list, &m, &depth, 1, ctx);
        // Not a megaflow's: dropped as any megaflow's list is (a list only
        // executed here was never interned, so it is simply retired).
        if (!owned_by_flow) release_actions(list);
      }
    }
  }
  return handled;
}

bool Datapath::prepare_upcall_sleep() {
  shared_.upcall_sleeper.store(true);  // seq_cst: ordered before the looks below (see Pmd::wake_upcall_sleeper)
  for (const auto& [no, port] : ports_) {
    if (rte_ring_count(port->upcall_ring) > 0) {
      shared_.upcall_sleeper.store(false);
      return false;
    }
  }
  return true;
}

void Datapath::end_upcall_sleep() {
  shared_.upcall_sleeper.store(false, std::memory_order_relaxed);
  uint64_t n;
  (void)!read(shared_.upcall_wake_fd, &n, sizeof n);  // non-blocking: clears a wake-up, if any
}

size_t Datapath::run_once() {
  const size_t handled = handle_upcalls();
  const uint64_t now_ms = rte_rdtsc() / tsc_per_ms_;
  if (now_ms - last_expiry_ms_ >= 1000) {
    last_expiry_ms_ = now_ms;
    expire_megaflows();
    classifier_->rank_subtables();
  }
  rcu_->poll();
  return handled;
}

std::vector<PmdStatsSnapshot> Datapath::pmd_stats() const {
  std::vector<PmdStatsSnapshot> out;
  for (const auto& p : pmds_) out.push_back(p->snapshot());
  return out;
}

unsigned Datapath::mbufs_in_use() const { return rte_mempool_in_use_count(pool_); }

}  // namespace strata::datapath
