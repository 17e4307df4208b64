#include "daemon/packet_io_stream.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/flow_convert.h"
#include "ofproto/ofproto.h"

namespace strata::daemon {
namespace ofp = ofproto::ofp;

namespace {

// What the control thread's listener and the reader thread hand to the
// writer (the handler thread).
struct Outbox {
  std::mutex mu;                             // guards everything below
  std::condition_variable cv;                // something to write, or the reader ended
  std::deque<v1::PacketIoResponse> queue;    // to send, in order
  bool reader_done = false;                  // the client closed its side (or the call ended)
  uint64_t dropped = 0;                      // packet-ins lost to a full queue

  // Packet-ins beyond the bound are dropped; answers to the client's own
  // requests (subscribed, errors) never are.
  void push(v1::PacketIoResponse r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (r.has_packet_in() && queue.size() >= PacketIoStream::kMaxQueued) {
        ++dropped;
        return;
      }
      queue.push_back(std::move(r));
    }
    cv.notify_one();
  }
};

v1::PacketIoResponse packet_in_of(const ofproto::PacketInEvent& ev) {
  v1::PacketIoResponse r;
  v1::PacketIn* pi = r.mutable_packet_in();
  pi->set_frame(std::string(ev.pi.data.begin(), ev.pi.data.end()));
  pi->set_total_len(ev.pi.total_len);
  uint64_t in_port = 0;
  if (ofproto::match_exact(ev.pi.match, ofproto::FieldId::kInPort, &in_port)) pi->set_in_port(static_cast<uint32_t>(in_port));
  pi->set_table(ev.pi.table_id);
  pi->set_cookie(ev.pi.cookie);
  pi->set_reason(ev.pi.reason == 0 ? v1::PACKET_IN_REASON_NO_MATCH : v1::PACKET_IN_REASON_ACTION);
  return r;
}

v1::PacketIoResponse error_of(const Status& st) {
  v1::PacketIoResponse r;
  r.mutable_error()->set_code(static_cast<uint32_t>(st.code()));
  r.mutable_error()->set_message(st.message());
  return r;
}

}  // namespace

Status PacketIoStream::run(grpc::ServerContext* ctx,
                           grpc::ServerReaderWriter<v1::PacketIoResponse, v1::PacketIoRequest>* stream) {
  auto outbox = std::make_shared<Outbox>();
  const std::string bridge = bridge_;
  const int listener = loop_.call([&] {
    return loop_.ofproto().add_packet_in_listener([outbox, bridge](const ofproto::PacketInEvent& ev) {
      if (ev.bridge == bridge) outbox->push(packet_in_of(ev));
    });
  });
  v1::PacketIoResponse subscribed;
  subscribed.mutable_subscribed()->set_bridge(bridge_);
  outbox->push(std::move(subscribed));
  spdlog::info("mgmt PacketIo: a client subscribed to bridge {}", bridge_);

  std::thread reader([&, outbox] {
    v1::PacketIoRequest req;
    try {
      while (stream->Read(&req)) {
        if (req.kind_case() != v1::PacketIoRequest::kPacketOut) {
          outbox->push(error_of(invalid_argument("packet_out: expected a packet_out (subscribe comes once)")));
          continue;
        }
        const v1::PacketOut& po = req.packet_out();
        auto acts = to_actions(po.actions(), "packet_out.actions");
        if (!acts) {
          outbox->push(error_of(acts.status()));
          continue;
        }
        if (po.frame().size() < 14) {
          outbox->push(error_of(invalid_argument("packet_out.frame: " + std::to_string(po.frame().size()) +
                                                 " bytes is shorter than an Ethernet header")));
          continue;
        }
        const uint32_t in_port = po.in_port() == 0 ? ofp::kPortController : po.in_port();
        Status st = loop_.call([&] {
          return loop_.ofproto().packet_out(bridge, in_port, *acts,
                                            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(po.frame().data()),
                                                                     po.frame().size()));
        });
        if (!st) outbox->push(error_of(st.with_context("packet_out")));
      }
    } catch (const std::future_error&) {
      // The control loop stopped: the daemon is going away.
    }
    {
      std::lock_guard<std::mutex> lock(outbox->mu);
      outbox->reader_done = true;
    }
    outbox->cv.notify_one();
  });

  bool write_failed = false;
  while (true) {
    std::deque<v1::PacketIoResponse> batch;
    bool done = false;
    {
      std::unique_lock<std::mutex> lock(outbox->mu);
      outbox->cv.wait_for(lock, std::chrono::milliseconds(100),
                          [&] { return !outbox->queue.empty() || outbox->reader_done; });
      batch.swap(outbox->queue);
      done = outbox->reader_done;
    }
    for (auto& r : batch) {
      if (!stream->Write(r)) {
        write_failed = true;
        break;
      }
    }
    if (write_failed || done || ctx->IsCancelled()) break;
  }
  // The reader may still sit in Read(): cancelling the call releases it.
  bool reader_done = false;
  {
    std::lock_guard<std::mutex> lock(outbox->mu);
    reader_done = outbox->reader_done;
  }
  if (!reader_done) ctx->TryCancel();
  reader.join();
  try {
    loop_.call([&] { loop_.ofproto().remove_packet_in_listener(listener); });
  } catch (const std::future_error&) {
    // Stopping: the listener goes with ofproto.
  }
  spdlog::info("mgmt PacketIo: client of bridge {} left ({} packet-in(s) dropped for a slow reader)", bridge_,
               outbox->dropped);
  return Status::ok();
}

}  // namespace strata::daemon
