#include "container-dcn/agent/stratad_source.h"

#include <chrono>

#include "daemon/mgmt_address.h"

namespace strata::dcn_agent {

namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);

}  // namespace

std::vector<ContainerSpec> specs_from_dcn(const v1::DcnStatus& dcn) {
  std::vector<ContainerSpec> specs;
  for (const auto& status : dcn.containers()) {
    const v1::Container& c = status.container();
    ContainerSpec spec;
    spec.name = c.name();
    spec.tpid = c.tag().tpid() == 0 ? kTpid8021q : static_cast<uint16_t>(c.tag().tpid());
    spec.vid = static_cast<uint16_t>(c.tag().vid());
    spec.address = c.address();
    spec.mac = c.mac();
    specs.push_back(std::move(spec));
  }
  return specs;
}

Status status_from_grpc(const grpc::Status& st, const std::string& mgmt) {
  if (st.ok()) return Status::ok();
  const auto code = static_cast<StatusCode>(st.error_code());
  if (code == StatusCode::kUnavailable) {
    return unavailable("cannot reach stratad at " + mgmt + ": " + st.error_message());
  }
  return Status(code, "stratad at " + mgmt + ": " + st.error_message());
}

Result<std::unique_ptr<StratadSource>> StratadSource::connect(const std::string& mgmt) {
  auto address = daemon::parse_mgmt_address(mgmt);
  if (!address) return invalid_argument("--mgmt: " + address.status().message());
  auto channel = grpc::CreateChannel(address->grpc_target, grpc::InsecureChannelCredentials());
  return std::unique_ptr<StratadSource>(new StratadSource(mgmt, std::move(channel)));
}

StratadSource::StratadSource(std::string mgmt, std::shared_ptr<grpc::Channel> channel)
    : mgmt_(std::move(mgmt)), channel_(std::move(channel)), stub_(v1::Management::NewStub(channel_)) {}

Result<std::vector<ContainerSpec>> StratadSource::list(const std::string& dcn) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  v1::ListContainersRequest req;
  req.set_dcn(dcn);
  v1::ListContainersResponse resp;
  grpc::Status st = stub_->ListContainers(&ctx, req, &resp);
  if (!st.ok()) return status_from_grpc(st, mgmt_);
  return specs_from_dcn(resp.dcn());
}

Status StratadSource::watch(const std::string& dcn, const std::function<void(std::vector<ContainerSpec>)>& on_update) {
  grpc::ClientContext ctx;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_) return Status(StatusCode::kCancelled, "stopped");
    watch_context_ = &ctx;
  }
  v1::WatchContainersRequest req;
  req.set_dcn(dcn);
  auto reader = stub_->WatchContainers(&ctx, req);
  v1::ListContainersResponse resp;
  while (reader->Read(&resp)) on_update(specs_from_dcn(resp.dcn()));
  grpc::Status st = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    watch_context_ = nullptr;
  }
  if (st.ok()) return unavailable("stratad at " + mgmt_ + " ended the watch");
  return status_from_grpc(st, mgmt_);
}

void StratadSource::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  if (watch_context_) watch_context_->TryCancel();
}

}  // namespace strata::dcn_agent
