// DirtyLog: which guest pages changed since the last look, from both
// writers of guest memory: the vCPUs (KVM's dirty log on the memory slot)
// and the vhost-user backend (frames it writes into the guest's receive
// buffers; VHOST_F_LOG_ALL into a shared bitmap). Without the second,
// frames the switch delivers during the copy would be lost.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "hv/unique_fd.h"

namespace strata::hv {
class Vmm;
}

namespace strata::hv::migration {

class DirtyLog {
 public:
  // Turns logging on in KVM and in every NIC's backend.
  static Result<DirtyLog> start(Vmm& vmm);
  DirtyLog(DirtyLog&&) noexcept;
  DirtyLog& operator=(DirtyLog&&) = delete;
  ~DirtyLog();

  // The pages written since start() or the previous collect(), as a bitmap
  // (bit p of word p/64 = page p), both logs merged and cleared.
  Status collect(std::vector<uint64_t>& bitmap);
  // Turns logging off again (the migration failed and the guest stays).
  void stop();

 private:
  explicit DirtyLog(Vmm& vmm) : vmm_(&vmm) {}

  Vmm* vmm_;                   // the guest; outlives this
  UniqueFd backend_log_;       // memfd of the backends' bitmap
  uint64_t* backend_bits_ = nullptr;  // its mapping
  uint64_t backend_bytes_ = 0;        // its size
  bool active_ = false;               // logging is on
};

}  // namespace strata::hv::migration
