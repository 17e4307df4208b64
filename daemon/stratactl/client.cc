#include "daemon/stratactl/client.h"

#include "base/status.h"
#include "daemon/mgmt_address.h"

namespace strata::ctl {

Client::Client(const std::string& mgmt, std::chrono::milliseconds timeout) : mgmt_(mgmt), timeout_(timeout) {
  auto address = daemon::parse_mgmt_address(mgmt);
  if (!address) throw CliError(address.status().message(), kExitUsage);
  channel_ = grpc::CreateChannel(address->grpc_target, grpc::InsecureChannelCredentials());
  management_ = v1::Management::NewStub(channel_);
  flows_ = v1::Flows::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Client::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  return ctx;
}

void Client::check(const grpc::Status& st) const {
  if (st.ok()) return;
  switch (st.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      throw CliError("cannot reach stratad at " + mgmt_ + ": " + st.error_message() +
                     " (is it running? --mgmt ADDR names another address)");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      throw CliError("stratad at " + mgmt_ + " did not answer in time (--timeout)");
    default:
      // stratad's messages already name the field; the code is for scripts.
      throw CliError(st.error_message() + " [" + std::string(status_code_name(static_cast<StatusCode>(st.error_code()))) + "]");
  }
}

}  // namespace strata::ctl
