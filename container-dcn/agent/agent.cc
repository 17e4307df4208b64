#include "container-dcn/agent/agent.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "container-dcn/agent/convergence_plan.h"
#include "container-dcn/agent/ebpf_tagging.h"
#include "container-dcn/agent/kernel_containers.h"
#include "container-dcn/agent/naming.h"

namespace strata::dcn_agent {

namespace {

// flock()ed for as long as it lives. A DCN left without containers
// removes its lock file (remove_file()), so nothing stays behind; whoever
// locked a file that was removed meanwhile sees another inode at the path
// and locks again.
class DcnLock {
 public:
  static Result<DcnLock> acquire(const std::string& dcn) {
    const std::string dir = access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp";
    const std::string path = dir + "/strata-dcn-agent." + dcn + ".lock";
    while (true) {
      const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) return internal_error("lock file " + path + ": " + std::strerror(errno));
      int rc;
      while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
      }
      if (rc != 0) {
        const int err = errno;
        close(fd);
        return internal_error("lock file " + path + ": " + std::strerror(err));
      }
      struct stat held, named;
      if (fstat(fd, &held) == 0 && stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
          held.st_dev == named.st_dev) {
        return DcnLock(fd, path);
      }
      close(fd);  // removed while we waited: lock the new one
    }
  }
  DcnLock(DcnLock&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  DcnLock(const DcnLock&) = delete;
  ~DcnLock() {
    if (fd_ >= 0) close(fd_);
  }
  // While locked: the DCN has nothing left to guard.
  void remove_file() { unlink(path_.c_str()); }

 private:
  DcnLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;            // the locked file; closing it releases the lock
  std::string path_;  // where it is
};

// Ends an operation: a DCN with no namespace left needs no lock file.
void tidy_lock(DcnLock& lock, const std::string& dcn) {
  auto found = find_containers(dcn);
  if (found && found->empty()) lock.remove_file();
}

bool has_ebpf(const std::vector<ContainerRecord>& records) {
  return std::any_of(records.begin(), records.end(), [](const ContainerRecord& r) { return r.mechanism == Mechanism::kEbpf; });
}

}  // namespace

Result<ConvergenceReport> Agent::converge(const std::vector<ContainerSpec>& desired) {
  std::vector<ContainerRecord> records;
  std::vector<std::string> skipped;
  for (const auto& spec : desired) {
    if (Status st = validate_spec(spec); !st) {
      skipped.push_back(st.message());
    } else {
      records.push_back(record_of(spec));
    }
  }
  auto lock = DcnLock::acquire(settings_.dcn);
  if (!lock) return lock.status();
  auto report = converge_locked(records);
  if (report) report->skipped = std::move(skipped);
  tidy_lock(*lock, settings_.dcn);
  return report;
}

Result<ConvergenceReport> Agent::add(const ContainerSpec& spec) {
  STRATA_RETURN_IF_ERROR(validate_spec(spec));
  auto lock = DcnLock::acquire(settings_.dcn);
  if (!lock) return lock.status();
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  std::vector<ContainerRecord> desired = complete_containers(settings_.dcn, *found);
  auto same = std::find_if(desired.begin(), desired.end(), [&](const ContainerRecord& r) { return r.spec.name == spec.name; });
  if (same != desired.end()) {
    *same = record_of(spec);  // a changed container is made again
  } else {
    desired.push_back(record_of(spec));
  }
  auto report = converge_locked(desired);
  tidy_lock(*lock, settings_.dcn);
  return report;
}

Result<ConvergenceReport> Agent::remove(const std::string& name) {
  STRATA_RETURN_IF_ERROR(validate_name(name, "container name"));
  auto lock = DcnLock::acquire(settings_.dcn);
  if (!lock) return lock.status();
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  const std::string netns = namespace_name(settings_.dcn, name);
  const bool exists = std::any_of(found->begin(), found->end(), [&](const FoundContainer& f) { return f.netns == netns; });
  if (!exists) {
    tidy_lock(*lock, settings_.dcn);
    return not_found("container '" + name + "': DCN '" + settings_.dcn + "' has no such container");
  }
  std::vector<ContainerRecord> desired = complete_containers(settings_.dcn, *found);
  std::erase_if(desired, [&](const ContainerRecord& r) { return r.spec.name == name; });
  auto report = converge_locked(desired);
  tidy_lock(*lock, settings_.dcn);
  return report;
}

Result<ConvergenceReport> Agent::repair() {
  auto lock = DcnLock::acquire(settings_.dcn);
  if (!lock) return lock.status();
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  // Complete containers are kept as they are, whatever their mechanism.
  ConvergenceReport report;
  for (const auto& f : *found) {
    if (f.record || !container_of_namespace(settings_.dcn, f.netns)) continue;
    const std::string container = *container_of_namespace(settings_.dcn, f.netns);
    STRATA_RETURN_IF_ERROR(remove_container(settings_.dcn, container, f.netns));
    report.removed.push_back(f.netns);
  }
  STRATA_RETURN_IF_ERROR(sync_tagging());
  report.tagging_synced = true;
  tidy_lock(*lock, settings_.dcn);
  return report;
}

Result<std::vector<ContainerRecord>> Agent::list() const {
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  return complete_containers(settings_.dcn, *found);
}

Result<ConvergenceReport> Agent::converge_locked(const std::vector<ContainerRecord>& desired) {
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  auto plan = plan_convergence(settings_.dcn, desired, *found);
  if (!plan) return plan.status();
  ConvergenceReport report;
  if (!plan->create.empty()) STRATA_RETURN_IF_ERROR(prepare_nic(settings_.nic));
  Status first_error;
  for (const auto& netns : plan->remove) {
    // The record names the container; an incomplete namespace, its name.
    std::string container;
    for (const auto& f : *found) {
      if (f.netns != netns) continue;
      container = f.record ? f.record->spec.name : container_of_namespace(settings_.dcn, netns).value_or("");
    }
    Status st = remove_container(settings_.dcn, container, netns);
    if (st) {
      report.removed.push_back(netns);
    } else if (first_error.is_ok()) {
      first_error = st;
    }
  }
  for (const auto& record : plan->create) {
    const ContainerSpec& spec = record.spec;
    Status st = create_container(settings_.dcn, spec, record.mechanism, settings_.nic);
    if (st) {
      report.created.push_back(spec.name + " " + tag_text(spec.tpid, spec.vid) + " " +
                               mechanism_name(record.mechanism));
    } else if (first_error.is_ok()) {
      first_error = st;
    }
  }
  const bool changed = !report.removed.empty() || !report.created.empty();
  if (changed || !tagging_synced_ ||
      (has_ebpf(plan->keep) && !ebpf_tagging_attached(settings_.nic))) {
    Status st = sync_tagging();
    if (st) {
      report.tagging_synced = true;
    } else if (first_error.is_ok()) {
      first_error = st;
    }
  }
  if (!first_error.is_ok()) return first_error;
  return report;
}

Status Agent::sync_tagging() {
  auto found = find_containers(settings_.dcn);
  if (!found) return found.status();
  std::vector<TaggedVeth> veths;
  for (const auto& r : complete_containers(settings_.dcn, *found)) {
    if (r.mechanism == Mechanism::kEbpf) veths.push_back({veth_ifname(settings_.dcn, r.spec.name), r.spec.tpid, r.spec.vid});
  }
  // Without an eBPF container there is nothing to attach, and a NIC
  // without the agent's filter (a VLAN-only DCN) needs nothing removed.
  if (veths.empty() && !ebpf_tagging_attached(settings_.nic)) {
    tagging_synced_ = true;
    return Status::ok();
  }
  STRATA_RETURN_IF_ERROR(sync_ebpf_tagging(settings_.nic, veths));
  tagging_synced_ = true;
  return Status::ok();
}

}  // namespace strata::dcn_agent
