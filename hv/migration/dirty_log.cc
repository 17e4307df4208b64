#include "hv/migration/dirty_log.h"

#include <sys/mman.h>
#include <unistd.h>

#include "hv/migration/stream.h"
#include "hv/os_error.h"
#include "hv/vmm.h"

namespace strata::hv::migration {

Result<DirtyLog> DirtyLog::start(Vmm& vmm) {
  DirtyLog log(vmm);
  const uint64_t pages = vmm.memory().size() / kPageBytes;
  // Whole u64 words: the backend sets bits with 8-byte atomics too.
  log.backend_bytes_ = (pages + 63) / 64 * 8;
  log.backend_log_.reset(::memfd_create("strata-hv-dirty-log", MFD_CLOEXEC));
  if (!log.backend_log_.valid()) return os_error("cannot create the dirty log");
  if (::ftruncate(log.backend_log_.get(), off_t(log.backend_bytes_)) != 0) return os_error("cannot size the dirty log");
  void* p = ::mmap(nullptr, log.backend_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, log.backend_log_.get(), 0);
  if (p == MAP_FAILED) return os_error("cannot map the dirty log");
  log.backend_bits_ = static_cast<uint64_t*>(p);
  STRATA_RETURN_IF_ERROR(vmm.vm().set_memory(vmm.memory(), true));
  log.active_ = true;  // from here on, stop() undoes what was done
  for (auto& nic : vmm.nics()) {
    Status s = nic->set_dirty_log(log.backend_log_.get(), log.backend_bytes_);
    if (!s.is_ok()) {
      log.stop();
      return s;
    }
  }
  return log;
}

DirtyLog::DirtyLog(DirtyLog&& o) noexcept
    : vmm_(o.vmm_),
      backend_log_(std::move(o.backend_log_)),
      backend_bits_(std::exchange(o.backend_bits_, nullptr)),
      backend_bytes_(o.backend_bytes_),
      active_(std::exchange(o.active_, false)) {}

DirtyLog::~DirtyLog() {
  stop();
  if (backend_bits_) ::munmap(backend_bits_, backend_bytes_);
}

void DirtyLog::stop() {
  if (!active_) return;
  active_ = false;
  for (auto& nic : vmm_->nics()) (void)nic->set_dirty_log(-1, 0);
  (void)vmm_->vm().set_memory(vmm_->memory(), false);
}

Status DirtyLog::collect(std::vector<uint64_t>& bitmap) {
  const uint64_t words = (vmm_->memory().size() / kPageBytes + 63) / 64;
  bitmap.assign(words, 0);
  STRATA_RETURN_IF_ERROR(vmm_->vm().get_dirty_log(bitmap));
  for (uint64_t i = 0; i < words && i < backend_bytes_ / 8; ++i) {
    bitmap[i] |= __atomic_exchange_n(&backend_bits_[i], 0, __ATOMIC_ACQ_REL);
  }
  return Status::ok();
}

}  // namespace strata::hv::migration
