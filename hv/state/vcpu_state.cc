#include "hv/state/vcpu_state.h"

#include <sys/ioctl.h>

#include <cstring>

#include "hv/os_error.h"

namespace strata::hv::state {
namespace {

// struct kvm_msrs and kvm_msr_list end in flexible arrays, which C++ lays
// out differently from the kernel's C (see kvm_vm.h on kvm_cpuid2): these
// headers, then the entries right after, as the kernel reads them.
struct MsrsHeader {
  uint32_t nmsrs;  // entries that follow
  uint32_t pad;
};
struct MsrListHeader {
  uint32_t nmsrs;  // in: room; out: how many the kernel has
};
constexpr unsigned long kGetMsrIndexList = _IOWR(KVMIO, 0x02, MsrListHeader);
constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);
static_assert(kGetMsrIndexList == 0xc004ae02 && kGetMsrs == 0xc008ae88 && kSetMsrs == 0x4008ae89);
// struct kvm_xsave is 4096 bytes in C; its trailing flexible array makes
// it 4100 in C++, and KVM_GET_XSAVE then names an ioctl that does not
// exist (ENOTTY). The numbers as the kernel defines them:
struct XsaveRegion {
  uint32_t region[1024];
};
constexpr unsigned long kGetXsave = _IOR(KVMIO, 0xa4, XsaveRegion);
constexpr unsigned long kSetXsave = _IOW(KVMIO, 0xa5, XsaveRegion);
constexpr unsigned long kGetXsave2 = _IOR(KVMIO, 0xcf, XsaveRegion);
static_assert(kGetXsave == 0x9000aea4 && kSetXsave == 0x5000aea5 && kGetXsave2 == 0x9000aecf);
constexpr uint32_t kXsaveBytes = sizeof(XsaveRegion);

constexpr uint32_t kMaxMsrs = 4096;
constexpr uint32_t kMaxXsaveBytes = 1u << 20;
constexpr uint32_t kMaxNestedBytes = 1u << 20;

// KVM_GET_MSRS / KVM_SET_MSRS over `entries`; returns how many the kernel
// processed (it stops at the first MSR it refuses).
int msrs_ioctl(int fd, unsigned long request, std::vector<kvm_msr_entry>& entries) {
  std::vector<uint8_t> buf(sizeof(MsrsHeader) + entries.size() * sizeof(kvm_msr_entry));
  auto* h = reinterpret_cast<MsrsHeader*>(buf.data());
  h->nmsrs = uint32_t(entries.size());
  std::memcpy(buf.data() + sizeof *h, entries.data(), entries.size() * sizeof(kvm_msr_entry));
  int n = ::ioctl(fd, request, buf.data());
  if (n > 0) std::memcpy(entries.data(), buf.data() + sizeof *h, size_t(n) * sizeof(kvm_msr_entry));
  return n;
}

Status ioctl_status(int fd, unsigned long request, void* arg, const char* name) {
  if (::ioctl(fd, request, arg) != 0) return os_error(std::string(name) + " failed");
  return Status::ok();
}

}  // namespace

Result<VcpuStateContext> VcpuStateContext::probe(int kvm_fd, int vm_fd) {
  VcpuStateContext ctx;
  std::vector<uint8_t> buf(sizeof(MsrListHeader) + kMaxMsrs * sizeof(uint32_t));
  auto* list = reinterpret_cast<MsrListHeader*>(buf.data());
  list->nmsrs = kMaxMsrs;
  if (::ioctl(kvm_fd, kGetMsrIndexList, buf.data()) != 0) return os_error("KVM_GET_MSR_INDEX_LIST failed");
  ctx.msr_indexes.resize(list->nmsrs);
  std::memcpy(ctx.msr_indexes.data(), buf.data() + sizeof *list, list->nmsrs * sizeof(uint32_t));
  if (::ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) {
    int size2 = ::ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
    ctx.xsave_bytes = size2 > int(kXsaveBytes) ? uint32_t(size2) : kXsaveBytes;
  }
  int nested = ::ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NESTED_STATE);
  ctx.nested_bytes = nested > 0 ? uint32_t(nested) : 0;
  return ctx;
}

Result<VcpuState> save_vcpu(int fd, const VcpuStateContext& ctx) {
  VcpuState s;
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_MP_STATE, &s.mp_state, "KVM_GET_MP_STATE"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_REGS, &s.regs, "KVM_GET_REGS"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_SREGS, &s.sregs, "KVM_GET_SREGS"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_FPU, &s.fpu, "KVM_GET_FPU"));
  if (ctx.xsave_bytes > 0) {
    s.xsave.assign(ctx.xsave_bytes, 0);
    unsigned long req = ctx.xsave_bytes > kXsaveBytes ? kGetXsave2 : kGetXsave;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, req, s.xsave.data(), "KVM_GET_XSAVE"));
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_XCRS, &s.xcrs, "KVM_GET_XCRS"));
  }
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_DEBUGREGS, &s.debugregs, "KVM_GET_DEBUGREGS"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_LAPIC, &s.lapic, "KVM_GET_LAPIC"));
  // The index list names MSRs this CPU may not have (KVM_GET_MSRS stops
  // at the first it refuses): drop each refused one and read on.
  for (uint32_t index : ctx.msr_indexes) s.msrs.push_back({index, 0, 0});
  for (size_t done = 0; done < s.msrs.size();) {
    std::vector<kvm_msr_entry> rest(s.msrs.begin() + long(done), s.msrs.end());
    int n = msrs_ioctl(fd, kGetMsrs, rest);
    if (n < 0) return os_error("KVM_GET_MSRS failed");
    std::copy(rest.begin(), rest.begin() + n, s.msrs.begin() + long(done));
    done += size_t(n);
    if (done < s.msrs.size()) s.msrs.erase(s.msrs.begin() + long(done));
  }
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_VCPU_EVENTS, &s.events, "KVM_GET_VCPU_EVENTS"));
  int khz = ::ioctl(fd, KVM_GET_TSC_KHZ, 0);
  s.tsc_khz = khz > 0 ? uint32_t(khz) : 0;
  if (ctx.nested_bytes > 0) {
    s.nested.assign(ctx.nested_bytes, 0);
    auto* ns = reinterpret_cast<kvm_nested_state*>(s.nested.data());
    ns->size = ctx.nested_bytes;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_GET_NESTED_STATE, ns, "KVM_GET_NESTED_STATE"));
    s.nested.resize(std::min<size_t>(ns->size, ctx.nested_bytes));
  }
  return s;
}

Status restore_vcpu(int fd, const VcpuState& s) {
  // A different TSC rate on the destination is set, not refused: KVM
  // scales the guest's TSC when the host can (TSC scaling), else says so.
  if (s.tsc_khz != 0 && ::ioctl(fd, KVM_GET_TSC_KHZ, 0) != int(s.tsc_khz)) {
    if (::ioctl(fd, KVM_SET_TSC_KHZ, s.tsc_khz) != 0) {
      return os_error("KVM_SET_TSC_KHZ " + std::to_string(s.tsc_khz) + " failed (the destination cannot scale the TSC)");
    }
  }
  auto mp = s.mp_state;
  auto regs = s.regs;
  auto sregs = s.sregs;
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_REGS, &regs, "KVM_SET_REGS"));
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS"));
  if (!s.xsave.empty()) {
    // KVM_SET_XSAVE takes the larger XSAVE2 area through the same call.
    std::vector<uint8_t> xsave = s.xsave;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, kSetXsave, xsave.data(), "KVM_SET_XSAVE"));
    auto xcrs = s.xcrs;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_XCRS, &xcrs, "KVM_SET_XCRS"));
  } else {
    auto fpu = s.fpu;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_FPU, &fpu, "KVM_SET_FPU"));
  }
  auto debugregs = s.debugregs;
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_DEBUGREGS, &debugregs, "KVM_SET_DEBUGREGS"));
  auto lapic = s.lapic;
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_LAPIC, &lapic, "KVM_SET_LAPIC"));
  std::vector<kvm_msr_entry> msrs = s.msrs;
  int n = msrs_ioctl(fd, kSetMsrs, msrs);
  if (n < 0) return os_error("KVM_SET_MSRS failed");
  if (size_t(n) != msrs.size()) {
    return failed_precondition("KVM_SET_MSRS refused MSR " + std::to_string(msrs[size_t(n)].index) + " (" +
                               std::to_string(n) + " of " + std::to_string(msrs.size()) +
                               " set): the destination's CPU differs from the source's");
  }
  auto events = s.events;
  STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_VCPU_EVENTS, &events, "KVM_SET_VCPU_EVENTS"));
  if (!s.nested.empty()) {
    std::vector<uint8_t> nested = s.nested;
    STRATA_RETURN_IF_ERROR(ioctl_status(fd, KVM_SET_NESTED_STATE, nested.data(), "KVM_SET_NESTED_STATE"));
  }
  return Status::ok();
}

void notify_clock_paused(int fd) { (void)::ioctl(fd, KVM_KVMCLOCK_CTRL, 0); }

void encode_vcpu(const VcpuState& s, ByteWriter& w) {
  w.pod(s.mp_state);
  w.pod(s.regs);
  w.pod(s.sregs);
  w.pod(s.fpu);
  w.blob(s.xsave);
  w.pod(s.xcrs);
  w.pod(s.debugregs);
  w.pod(s.lapic);
  w.u32(uint32_t(s.msrs.size()));
  for (const kvm_msr_entry& m : s.msrs) {
    w.u32(m.index);
    w.u64(m.data);
  }
  w.pod(s.events);
  w.u32(s.tsc_khz);
  w.blob(s.nested);
}

Result<VcpuState> decode_vcpu(std::span<const uint8_t> payload) {
  ByteReader r(payload, "vCPU state");
  VcpuState s;
  r.pod(s.mp_state);
  r.pod(s.regs);
  r.pod(s.sregs);
  r.pod(s.fpu);
  r.blob(s.xsave, kMaxXsaveBytes);
  r.pod(s.xcrs);
  r.pod(s.debugregs);
  r.pod(s.lapic);
  uint32_t nmsrs = 0;
  if (r.u32(nmsrs) && nmsrs > kMaxMsrs) r.fail(std::to_string(nmsrs) + " MSRs");
  for (uint32_t i = 0; r.status().is_ok() && i < nmsrs; ++i) {
    kvm_msr_entry m{};
    uint64_t data = 0;
    r.u32(m.index);
    r.u64(data);
    m.data = data;
    s.msrs.push_back(m);
  }
  r.pod(s.events);
  r.u32(s.tsc_khz);
  r.blob(s.nested, kMaxNestedBytes);
  if (r.status().is_ok() && !s.xsave.empty() && s.xsave.size() < kXsaveBytes) {
    r.fail("an XSAVE area of " + std::to_string(s.xsave.size()) + " bytes");
  }
  if (r.status().is_ok() && !s.nested.empty()) {
    kvm_nested_state head{};
    if (s.nested.size() < sizeof head) {
      r.fail("a nested state of " + std::to_string(s.nested.size()) + " bytes");
    } else {
      std::memcpy(&head, s.nested.data(), sizeof head);
      if (head.size != s.nested.size()) r.fail("a nested state whose size field disagrees with its length");
    }
  }
  if (r.status().is_ok() && !r.at_end()) r.fail("bytes after the vCPU state");
  if (!r.status().is_ok()) return r.status();
  return s;
}

}  // namespace strata::hv::state
