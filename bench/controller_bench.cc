// strata_controller_bench: an OpenFlow 1.3 controller that measures a
// switch through its control channel, in the manner of cbench, for issue
// 6's "packet-in rate and flow setup rate through a controller". It
// listens on 127.0.0.1:PORT; the switch under test (stratad or OVS) is told
// `tcp:127.0.0.1:PORT` and connects. After the handshake it replaces the
// switch's flows with a table-miss flow that sends to the controller, then:
//
//   --mode packet-in    counts PACKET_INs over a window: the rate at which
//                       the switch turns misses into controller messages.
//   --mode flow-setup   answers each PACKET_IN for a new destination MAC
//                       with a FLOW_MOD (in_port + eth_dst -> output) and a
//                       PACKET_OUT of the frame, as a learning controller
//                       does, until --flows destinations have flows; a
//                       BARRIER then proves the switch applied them. The
//                       rate is flows per second from the first PACKET_IN
//                       to the BARRIER_REPLY.
//
// The traffic comes from the switch's own source port (bench.py configures
// a pcap port replaying one frame per flow). Output: `key value` lines.
// Messages are encoded and decoded with the switch's own codec
// (ofproto/ofp_codec.h); the peer is measured with the same program.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <unordered_set>
#include <vector>

#include "ofproto/match.h"
#include "ofproto/ofp_codec.h"
#include "ofproto/ofp_constants.h"

namespace po = boost::program_options;
using namespace strata::ofproto;
using namespace strata::ofproto::msg;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  uint16_t port = 0;
  std::string mode = "packet-in";
  uint64_t flows = 10000;       // flow-setup: destinations to install
  double warmup = 1.0;          // packet-in: seconds before the window
  double duration = 5.0;        // packet-in: the window
  uint32_t out_port = 2;        // flow-setup: where installed flows send
  double timeout = 120.0;       // give up after this many seconds
  uint16_t miss_len = 128;      // bytes of a missed frame in each PACKET_IN
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "strata_controller_bench: %s\n", why.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// One OpenFlow connection: a non-blocking socket with buffers both ways.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Channel() { close(fd_); }

  void send(std::vector<uint8_t> msg) { out_.insert(out_.end(), msg.begin(), msg.end()); }

  // Waits up to `ms` for input (writing what is queued meanwhile), then
  // calls `on_msg(header, bytes)` for every complete message read.
  template <typename Fn>
  void pump(int ms, Fn&& on_msg) {
    flush();
    pollfd p{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0};
    if (poll(&p, 1, ms) < 0 && errno != EINTR) die(std::string("poll: ") + std::strerror(errno));
    if (p.revents & (POLLERR | POLLHUP) && !(p.revents & POLLIN)) die("the switch closed the connection");
    if (p.revents & POLLIN) {
      uint8_t buf[1 << 16];
      for (;;) {
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0) {
          in_.insert(in_.end(), buf, buf + n);
          continue;
        }
        if (n == 0) die("the switch closed the connection");
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno != EINTR) die(std::string("read: ") + std::strerror(errno));
      }
    }
    size_t off = 0;
    while (in_.size() - off >= ofp::kHeaderLen) {
      const OfpHeader h = read_header(in_.data() + off);
      if (h.length < ofp::kHeaderLen) die("a message shorter than its header");
      if (in_.size() - off < h.length) break;
      on_msg(h, in_.data() + off);
      off += h.length;
    }
    in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(off));
    flush();
  }

 private:
  void flush() {
    size_t done = 0;
    while (done < out_.size()) {
      const ssize_t n = write(fd_, out_.data() + done, out_.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else if (n < 0 && errno != EINTR) {
        die(std::string("write: ") + std::strerror(errno));
      }
    }
    out_.erase(out_.begin(), out_.begin() + static_cast<ptrdiff_t>(done));
  }

  int fd_;
  std::vector<uint8_t> in_;   // bytes read, not yet a whole message
  std::vector<uint8_t> out_;  // bytes queued for the switch
};

int accept_switch(uint16_t port, double timeout) {
  const int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(ls, 1) != 0) {
    die("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  }
  std::printf("listening 127.0.0.1:%u\n", port);
  std::fflush(stdout);
  pollfd p{ls, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout * 1000)) != 1) die("no switch connected");
  const int fd = accept(ls, nullptr, nullptr);
  close(ls);
  if (fd < 0) die(std::string("accept: ") + std::strerror(errno));
  return fd;
}

FlowModBody delete_all_flows() {
  FlowModBody fm;
  fm.command = ofp::kFcDelete;
  fm.table_id = ofp::kTableAll;
  return fm;
}

FlowModBody table_miss_to_controller(uint16_t max_len) {
  FlowModBody fm;
  fm.command = ofp::kFcAdd;
  fm.priority = 0;
  fm.instructions.apply = OfActions{OfAction::output(ofp::kPortController, max_len)};
  return fm;
}

// HELLO, FEATURES, SET_CONFIG, the flows replaced, a BARRIER answered.
void handshake(Channel& ch, const Options& o) {
  ch.send(encode_message(ofp::kHello, 1, Hello{}));
  ch.send(encode_message(ofp::kFeaturesRequest, 2, Empty{}));
  SwitchConfig cfg;
  cfg.miss_send_len = o.miss_len;
  ch.send(encode_message(ofp::kSetConfig, 3, cfg));
  ch.send(encode_message(ofp::kFlowMod, 4, delete_all_flows()));
  ch.send(encode_message(ofp::kFlowMod, 5, table_miss_to_controller(o.miss_len)));
  ch.send(encode_message(ofp::kBarrierRequest, 6, Empty{}));
  bool barrier = false;
  const auto start = Clock::now();
  while (!barrier) {
    if (seconds_since(start) > o.timeout) die("the switch did not answer the handshake");
    ch.pump(100, [&](const OfpHeader& h, const uint8_t* m) {
      if (h.type == ofp::kError) {
        Error e;
        (void)decode_body(m, h.length, &e);
        die("the switch answered xid " + std::to_string(h.xid) + " with ERROR type " + std::to_string(e.type) +
            " code " + std::to_string(e.code));
      }
      if (h.type == ofp::kEchoRequest) ch.send(encode_message(ofp::kEchoReply, h.xid, Echo{}));
      if (h.type == ofp::kBarrierReply && h.xid == 6) barrier = true;
    });
  }
}

// The MAC a frame is sent to, as a 48-bit number.
uint64_t eth_dst(const std::vector<uint8_t>& frame) {
  uint64_t v = 0;
  for (size_t i = 0; i < 6 && i < frame.size(); ++i) v = v << 8 | frame[i];
  return v;
}

int packet_in_rate(Channel& ch, const Options& o) {
  uint64_t count = 0, window_start_count = 0;
  const auto start = Clock::now();
  Clock::time_point window_start{};
  bool in_window = false;
  for (;;) {
    const double t = seconds_since(start);
    if (!in_window && t >= o.warmup) {
      in_window = true;
      window_start = Clock::now();
      window_start_count = count;
    }
    if (in_window && seconds_since(window_start) >= o.duration) break;
    ch.pump(10, [&](const OfpHeader& h, const uint8_t*) {
      if (h.type == ofp::kPacketIn) ++count;
      if (h.type == ofp::kEchoRequest) ch.send(encode_message(ofp::kEchoReply, h.xid, Echo{}));
    });
  }
  const double secs = seconds_since(window_start);
  const uint64_t n = count - window_start_count;
  std::printf("packet_ins %llu\nseconds %.3f\npacket_ins_per_second %.1f\ntotal_packet_ins %llu\n",
              static_cast<unsigned long long>(n), secs, static_cast<double>(n) / secs,
              static_cast<unsigned long long>(count));
  return n > 0 ? 0 : 1;
}

int flow_setup_rate(Channel& ch, const Options& o) {
  std::unordered_set<uint64_t> installed;
  installed.reserve(o.flows * 2);
  uint64_t packet_ins = 0, xid = 100;
  Clock::time_point first{};
  bool barrier_sent = false, done = false;
  uint32_t barrier_xid = 0;
  const auto start = Clock::now();
  while (!done) {
    if (seconds_since(start) > o.timeout) {
      std::printf("flows %zu\npacket_ins %llu\n", installed.size(), static_cast<unsigned long long>(packet_ins));
      die("timed out with " + std::to_string(installed.size()) + " of " + std::to_string(o.flows) + " flows");
    }
    ch.pump(10, [&](const OfpHeader& h, const uint8_t* m) {
      if (h.type == ofp::kEchoRequest) ch.send(encode_message(ofp::kEchoReply, h.xid, Echo{}));
      if (h.type == ofp::kError) die("the switch answered with ERROR (xid " + std::to_string(h.xid) + ")");
      if (h.type == ofp::kBarrierReply && barrier_sent && h.xid == barrier_xid) done = true;
      if (h.type != ofp::kPacketIn) return;
      if (packet_ins++ == 0) first = Clock::now();
      PacketIn pi;
      if (!decode_body(m, h.length, &pi).is_ok()) die("a PACKET_IN the codec cannot decode");
      const uint64_t dst = eth_dst(pi.data);
      if (installed.size() >= o.flows || !installed.insert(dst).second) return;
      uint64_t in_port = 0;
      match_exact(pi.match, FieldId::kInPort, &in_port);
      FlowModBody fm;
      fm.command = ofp::kFcAdd;
      fm.priority = 100;
      fm.match.set_in_port(static_cast<uint32_t>(in_port)).set_uint(FieldId::kEthDst, dst);
      fm.instructions.apply = OfActions{OfAction::output(o.out_port)};
      ch.send(encode_message(ofp::kFlowMod, static_cast<uint32_t>(++xid), fm));
      PacketOut po;
      po.in_port = static_cast<uint32_t>(in_port);
      po.actions = OfActions{OfAction::output(o.out_port)};
      po.data = std::move(pi.data);
      ch.send(encode_message(ofp::kPacketOut, static_cast<uint32_t>(++xid), po));
      if (installed.size() == o.flows) {
        barrier_xid = static_cast<uint32_t>(++xid);
        ch.send(encode_message(ofp::kBarrierRequest, barrier_xid, Empty{}));
        barrier_sent = true;
      }
    });
  }
  const double secs = std::chrono::duration<double>(Clock::now() - first).count();
  std::printf("flows %zu\nseconds %.3f\nflows_per_second %.1f\npacket_ins %llu\n", installed.size(), secs,
              static_cast<double>(installed.size()) / secs, static_cast<unsigned long long>(packet_ins));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  po::options_description desc("strata_controller_bench options");
  desc.add_options()("help", "this text")(
      "listen", po::value<uint16_t>(&o.port)->required(), "TCP port on 127.0.0.1 the switch connects to")(
      "mode", po::value<std::string>(&o.mode), "packet-in (default) or flow-setup")(
      "flows", po::value<uint64_t>(&o.flows), "flow-setup: destinations to install (default 10000)")(
      "warmup", po::value<double>(&o.warmup), "packet-in: seconds before the window (default 1)")(
      "duration", po::value<double>(&o.duration), "packet-in: seconds measured (default 5)")(
      "out-port", po::value<uint32_t>(&o.out_port), "flow-setup: OpenFlow port the flows output to (default 2)")(
      "miss-len", po::value<uint16_t>(&o.miss_len), "bytes of a missed frame sent up (default 128)")(
      "timeout", po::value<double>(&o.timeout), "seconds before giving up (default 120)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    die(e.what());
  }
  if (o.mode != "packet-in" && o.mode != "flow-setup") die("--mode: '" + o.mode + "' is not packet-in or flow-setup");
  if (o.flows == 0) die("--flows: must be at least 1");

  Channel ch(accept_switch(o.port, o.timeout));
  handshake(ch, o);
  std::printf("ready\n");
  std::fflush(stdout);
  return o.mode == "packet-in" ? packet_in_rate(ch, o) : flow_setup_rate(ch, o);
}
