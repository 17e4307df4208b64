// One PacketIo stream (flows.proto) once it has subscribed to a bridge:
// packet-ins of that bridge go to the client, packet-outs from the client
// run through ofproto. Two threads per stream: the gRPC handler thread
// writes (packet-ins, packet-out errors), a reader thread reads and
// executes packet-outs. The packet-in listener runs on the control thread
// and only queues: it never blocks on the client. A client slower than its
// packet-ins loses the excess (counted), as OpenFlow's packet-in does.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <string>

#include "daemon/control_loop.h"
#include "strata/v1/flows.grpc.pb.h"

namespace strata::daemon {

class PacketIoStream {
 public:
  PacketIoStream(ControlLoop& loop, std::string bridge) : loop_(loop), bridge_(std::move(bridge)) {}

  // Until the client closes its side (OK) or the call is cancelled.
  Status run(grpc::ServerContext* ctx,
             grpc::ServerReaderWriter<v1::PacketIoResponse, v1::PacketIoRequest>* stream);

  // Packet-ins waiting for a slow client, at most.
  static constexpr size_t kMaxQueued = 4096;

 private:
  ControlLoop& loop_;   // the control thread, owner of ofproto
  std::string bridge_;  // the subscribed bridge
};

}  // namespace strata::daemon
