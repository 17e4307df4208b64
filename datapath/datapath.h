// Datapath: Strata's DPDK fast path as one object: the mbuf pool, the
// ports, the PMD threads, the megaflow classifier, the upcall rings and the
// RCU machinery, behind the Dpif interface.
//
// Threads: the control thread (whoever calls start() and run_once()) owns
// every change; PMD threads only read published state. run_once() is the
// control thread's datapath work: upcalls, deferred frees, megaflow expiry,
// subtable ranking. Call it often (every few hundred microseconds).
#pragma once

#include <rte_mempool.h>

#include <map>
#include <memory>
#include <vector>

#include "datapath/action_table.h"
#include "datapath/classifier.h"
#include "datapath/dp_port.h"
#include "datapath/dpif.h"
#include "datapath/pmd.h"
#include "datapath/rcu_reclaimer.h"

namespace strata::datapath {

struct DatapathOptions {
  std::vector<unsigned> pmd_lcores;      // lcore id per PMD (EAL must know them)
  std::vector<unsigned> pmd_cpus;        // CPU per PMD, for reporting
  unsigned n_mbufs = 65535;              // mbuf pool size
  l2tags::TpidSet tpids;                 // recognised TPIDs
  uint32_t megaflow_idle_ms = 10000;     // idle megaflows expire after this
  uint32_t emc_insert_inv_prob = 100;    // EMC insertion 1 in N
  bool busy_poll = false;                // PMDs never sleep
  unsigned upcall_ring_size = 1024;      // per port: its fair share of the slow path
  unsigned upcall_budget = 256;          // frames per run_once(), round robin over ports
};

class Datapath final : public Dpif {
 public:
  static Result<std::unique_ptr<Datapath>> create(const DatapathOptions& options);
  ~Datapath() override;  // stops PMDs, removes ports, returns every mbuf

  // Launches the PMD threads.
  Status start();
  // Stops the PMD threads (idempotent).
  void stop();
  // The control thread's share of the work; returns frames handled.
  size_t run_once();

  // For a control thread that sleeps (ppoll) while idle rather than poll
  // the upcall rings: put upcall_wake_fd() (an eventfd) in the ppoll set,
  // call prepare_upcall_sleep() just before sleeping (false: upcalls are
  // already queued, do not sleep) and end_upcall_sleep() after waking. A
  // PMD that queues an upcall in between writes the eventfd, once.
  int upcall_wake_fd() const { return shared_.upcall_wake_fd; }
  bool prepare_upcall_sleep();
  void end_upcall_sleep();

  // Dpif
  Result<uint32_t> port_add(const vnic::PortSpec& spec) override;
  Status set_tag_mux(uint32_t port_no, bool enabled) override;
  Result<uint32_t> logical_port_add(const LogicalPortSpec& spec) override;
  Status port_del(uint32_t port_no) override;
  std::vector<DpPortInfo> port_list() const override;
  Result<DpPortStats> port_stats(uint32_t port_no) const override;
  Result<std::vector<DpPortXstat>> port_xstats(uint32_t port_no) const override;
  Status flow_put(const FlowKey& key, const FlowMask& mask, const ActionBuilder& actions) override;
  size_t flow_del_if(const std::function<bool(const MegaflowInfo&)>& pred) override;
  void flow_flush() override;
  std::vector<MegaflowInfo> flow_dump() const override;
  Status execute(rte_mbuf* packet, uint32_t in_port, const ActionBuilder& actions) override;
  Result<rte_mbuf*> make_packet(const uint8_t* bytes, size_t len) override;
  void set_upcall_handler(UpcallHandler* handler) override { handler_ = handler; }
  std::vector<PmdStatsSnapshot> pmd_stats() const override;

  rte_mempool* pool() const { return pool_; }
  size_t megaflow_count() const;
  // Frames in flight inside the datapath's pool (for leak checks).
  unsigned mbufs_in_use() const;
  Result<uint32_t> port_no(const std::string& name) const;

 private:
  explicit Datapath(const DatapathOptions& options) : options_(options) {}
  Status init();
  void publish_ports();
  // Builds and publishes the demultiplexing table of `parent` from the
  // logical ports it carries now.
  void publish_mux(DpPort& parent);
  // The lowest free port number, or ALREADY_EXISTS if `name` is taken.
  Result<uint32_t> free_port_no(const std::string& name) const;
  Status create_upcall_ring(DpPort& port);
  void rebalance_rxqs();
  size_t handle_upcalls();
  void expire_megaflows();
  // Drops a removed (or never installed) megaflow's reference to its list.
  void release_actions(const void* list);
  MegaflowInfo describe(const Megaflow& flow) const;
  friend struct ControlExecContext;
  void send_now(uint32_t port_no, rte_mbuf* m);

  DatapathOptions options_;                     // as created
  rte_mempool* pool_ = nullptr;                 // every frame's mbuf comes from here
  std::unique_ptr<RcuReclaimer> rcu_;           // deferred frees
  std::unique_ptr<Classifier> classifier_;      // megaflows
  ActionTable action_table_;                    // their action lists, shared when equal
  DatapathShared shared_;                       // what the PMDs read
  std::vector<std::unique_ptr<Pmd>> pmds_;      // PMD threads' state
  bool running_ = false;                        // PMDs launched
  std::map<uint32_t, std::unique_ptr<DpPort>> ports_;  // by number (control thread)
  UpcallHandler* handler_ = nullptr;            // the pipeline (ofproto)
  uint32_t upcall_cursor_ = 0;                  // round-robin position over ports
  uint64_t last_expiry_ms_ = 0;                 // when megaflows were last aged
  uint64_t tsc_per_ms_ = 1;                     // TSC ticks per millisecond
  uint64_t ring_serial_ = 0;                    // makes every upcall ring name new
};

}  // namespace strata::datapath
