// What every gRPC handler of stratad runs inside: no exception leaves it
// (an uncaught one in a gRPC thread would end the daemon), a control loop
// that has stopped becomes UNAVAILABLE, and each call is logged once with
// its outcome.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <future>

#include "daemon/grpc_status.h"

namespace strata::daemon {

template <typename Fn>
grpc::Status guarded_call(const char* rpc, Fn&& fn) {
  try {
    const Status st = fn();
    if (st) {
      spdlog::debug("mgmt {}: ok", rpc);
    } else {
      spdlog::info("mgmt {}: {}", rpc, st.to_string());
    }
    return to_grpc(st);
  } catch (const std::future_error&) {
    // ControlLoop::call() after the loop ended: we are stopping.
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stratad is shutting down");
  } catch (const std::exception& e) {
    spdlog::error("mgmt {}: internal error: {}", rpc, e.what());
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("mgmt {}: internal error", rpc);
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

}  // namespace strata::daemon
