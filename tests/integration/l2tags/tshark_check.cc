// Writes a pcap of frames carrying 1 to 8 tags, made with l2tags' own ops,
// has tshark dissect it, and requires that tshark reports, frame by frame and
// tag by tag, the TPIDs, VIDs, PCPs and DEIs that were written, and the same
// inner ethertype. tshark is an independent reading of the bytes: it catches
// an encoder and a parser that agree with each other but not with 802.1Q.
//
// tshark 4.0 dissects 0x8100 and 0x9100 as 802.1Q, 0x88a8 with its own
// 802.1ad dissector (other field names) and 0x9200 / 0x9300 not at all, so
// those three are decoded as 802.1Q with -d: the tag layout is the same, and
// one dissector gives one ordered list of fields per frame.
//
// Exit status 0 when everything agrees, 1 on a mismatch, 2 when the test
// could not run. Temporary files are removed on every exit path, including
// SIGINT / SIGTERM (a CTest timeout).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "l2tags/frame_ops.h"
#include "l2tags/frame_parse.h"
#include "l2tags/notation.h"

namespace {

using namespace strata::l2tags;

constexpr int kFrames = 400;
constexpr uint64_t kSeed = 0x75a4c0de;
constexpr uint32_t kHeadroom = 4 * kMaxTags;

// ---------------------------------------------------------------------------
// Temporary directory, removed on return and on a terminating signal.

char g_dir[64];    // mkdtemp result; empty when none
char g_pcap[128];  // the capture file inside it

void remove_temp_files() {
  if (g_pcap[0] != '\0') unlink(g_pcap);
  if (g_dir[0] != '\0') rmdir(g_dir);
}

void on_signal(int sig) {
  remove_temp_files();  // unlink and rmdir are async-signal-safe
  signal(sig, SIG_DFL);
  raise(sig);
}

struct TempDir {
  bool ok = false;  // the directory exists
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::snprintf(g_dir, sizeof g_dir, "%s/strata-l2tags-XXXXXX",
                  (tmp != nullptr && std::strlen(tmp) < 32) ? tmp : "/tmp");
    if (mkdtemp(g_dir) == nullptr) {
      std::fprintf(stderr, "cannot create a temporary directory %s: %s\n", g_dir, std::strerror(errno));
      g_dir[0] = '\0';
      return;
    }
    std::snprintf(g_pcap, sizeof g_pcap, "%s/tags.pcap", g_dir);
    ok = true;
  }
  ~TempDir() { remove_temp_files(); }
};

// ---------------------------------------------------------------------------
// Frames.

struct Written {
  TagStack stack;              // the tags the frame carries
  uint16_t ethertype;          // the inner ethertype
  std::vector<uint8_t> bytes;  // the whole frame as written to the pcap
};

// Builds frame `k`: depth 1 + k % 8 so every depth appears equally, random
// TPIDs from the default set and random PCP, DEI and VID. Half the frames get
// their tags from push_tag (innermost first), half from one replace_stack, so
// tshark checks the ops as well as the encoding.
bool make_frame(int k, std::mt19937_64& rng, Written* out) {
  const TpidSet tpids;
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  const int depth = 1 + k % kMaxTags;
  for (int i = 0; i < depth; ++i) {
    out->stack.push_inner(Tag{TpidSet::kDefaultTpids[pick(0, TpidSet::kDefaultTpids.size() - 1)],
                              static_cast<uint8_t>(pick(0, 7)), pick(0, 1) == 1, static_cast<uint16_t>(pick(0, 4095))});
  }
  // 0x88b5 is IEEE's "local experimental" type: no dissector guesses at it.
  out->ethertype = pick(0, 1) == 0 ? 0x88b5 : 0x0800;

  std::vector<uint8_t> buf(kHeadroom + kEthHeaderLen + 46);
  FrameView f{buf.data() + kHeadroom, static_cast<uint32_t>(buf.size() - kHeadroom), kHeadroom};
  for (size_t i = 0; i < kMacsLen; ++i) f.data[i] = static_cast<uint8_t>(pick(0, 255) & 0xfe);  // unicast
  store_be16(f.data + kMacsLen, out->ethertype);
  for (size_t i = kEthHeaderLen; i < f.len; ++i) f.data[i] = static_cast<uint8_t>(pick(0, 255));

  if (k % 2 == 0) {
    for (int i = depth - 1; i >= 0; --i) {
      if (push_tag(f, depth - 1 - i, out->stack[i]) != OpError::kOk) return false;
    }
  } else if (replace_stack(f, 0, out->stack) != OpError::kOk) {
    return false;
  }
  out->bytes.assign(f.data, f.data + f.len);

  // Our own parser must agree before tshark is asked.
  const ParsedFrame p = parse_frame(f.data, f.len, tpids);
  return p.ok() && p.tags == out->stack && p.ethertype == out->ethertype;
}

void put32(std::FILE* f, uint32_t v) { std::fwrite(&v, 4, 1, f); }  // pcap is host order
void put16(std::FILE* f, uint16_t v) { std::fwrite(&v, 2, 1, f); }

bool write_pcap(const char* path, const std::vector<Written>& frames) {
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return false;
  put32(f, 0xa1b2c3d4);  // classic pcap, microseconds
  put16(f, 2);
  put16(f, 4);
  put32(f, 0);      // thiszone
  put32(f, 0);      // sigfigs
  put32(f, 65535);  // snaplen
  put32(f, 1);      // LINKTYPE_ETHERNET
  for (size_t i = 0; i < frames.size(); ++i) {
    put32(f, static_cast<uint32_t>(i));  // ts_sec
    put32(f, 0);
    put32(f, static_cast<uint32_t>(frames[i].bytes.size()));
    put32(f, static_cast<uint32_t>(frames[i].bytes.size()));
    std::fwrite(frames[i].bytes.data(), 1, frames[i].bytes.size(), f);
  }
  return std::fclose(f) == 0;
}

// ---------------------------------------------------------------------------
// tshark.

// Runs argv[0] with its stdout captured and stderr discarded (tshark warns
// about running as root there). False when it cannot run or fails.
bool run_capture(const std::vector<std::string>& args, std::string* out) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  char chunk[4096];
  ssize_t n;
  while ((n = read(pipefd[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out->append(chunk, static_cast<size_t>(n));
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    std::fprintf(stderr, "cannot run %s: is it installed? (scripts/install-deps.sh installs tshark)\n",
                 args[0].c_str());
    return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A whole field of decimal (base 10) or 0x-prefixed hex (base 16) digits.
bool parse_number(const std::string& s, int base, unsigned long max, unsigned long* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtoul(s.c_str(), &end, base);
  return errno == 0 && *end == '\0' && *v <= max;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

// Rebuilds the stack tshark saw from its field lists: the first TPID is the
// Ethernet type, each next TPID is the type field of the tag before it, and
// the last tag's type field is the inner ethertype.
bool stack_from_fields(const std::vector<std::string>& cols, TagStack* stack, uint16_t* inner) {
  if (cols.size() != 6) return false;
  const auto ids = split(cols[2], ',');
  const auto pcps = split(cols[3], ',');
  const auto deis = split(cols[4], ',');
  const auto types = split(cols[5], ',');
  if (ids.size() > static_cast<size_t>(kMaxTags) || pcps.size() != ids.size() || deis.size() != ids.size() ||
      types.size() != ids.size()) {
    return false;
  }
  unsigned long tpid = 0;
  if (!parse_number(cols[1], 16, 0xffff, &tpid)) return false;
  for (size_t i = 0; i < ids.size(); ++i) {
    unsigned long vid = 0, pcp = 0, dei = 0;
    if (!parse_number(ids[i], 10, kMaxVid, &vid) || !parse_number(pcps[i], 10, kMaxPcp, &pcp) ||
        !parse_number(deis[i], 10, 1, &dei)) {
      return false;
    }
    stack->push_inner(Tag{static_cast<uint16_t>(tpid), static_cast<uint8_t>(pcp), dei != 0, static_cast<uint16_t>(vid)});
    if (!parse_number(types[i], 16, 0xffff, &tpid)) return false;
  }
  *inner = static_cast<uint16_t>(tpid);
  return true;
}

std::string describe(const TagStack& s) {
  std::string out = format(s) + " (DEI";
  for (const Tag& t : s) out += t.dei ? " 1" : " 0";
  return out + ")";
}

int run() {
  std::printf("l2tags tshark cross-check: %d frames, seed 0x%llx\n", kFrames, static_cast<unsigned long long>(kSeed));
  std::mt19937_64 rng(kSeed);
  std::vector<Written> frames(kFrames);
  for (int k = 0; k < kFrames; ++k) {
    if (!make_frame(k, rng, &frames[static_cast<size_t>(k)])) {
      std::fprintf(stderr, "frame %d: l2tags could not build it or parse it back\n", k + 1);
      return 1;
    }
  }

  TempDir dir;
  if (!dir.ok) return 2;
  if (!write_pcap(g_pcap, frames)) {
    std::fprintf(stderr, "cannot write %s: %s\n", g_pcap, std::strerror(errno));
    return 2;
  }
  std::string out;
  const std::vector<std::string> cmd = {
      "tshark", "-n", "-r", g_pcap,
      "-d", "ethertype==0x88a8,vlan", "-d", "ethertype==0x9200,vlan", "-d", "ethertype==0x9300,vlan",
      "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
      "-e", "frame.number", "-e", "eth.type", "-e", "vlan.id", "-e", "vlan.priority", "-e", "vlan.dei",
      "-e", "vlan.etype"};
  if (!run_capture(cmd, &out)) {
    std::fprintf(stderr, "tshark failed on %s\n", g_pcap);
    return 2;
  }

  const auto lines = split(out, '\n');
  int checked = 0;
  int mismatches = 0;
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    const auto cols = split(line, '\t');
    unsigned long number = 0;
    if (cols.empty() || !parse_number(cols[0], 10, kFrames, &number) || number == 0) {
      std::fprintf(stderr, "unexpected tshark line: %s\n", line.c_str());
      return 1;
    }
    const Written& w = frames[static_cast<size_t>(number - 1)];
    TagStack seen;
    uint16_t inner = 0;
    if (!stack_from_fields(cols, &seen, &inner) || !(seen == w.stack) || inner != w.ethertype) {
      std::fprintf(stderr, "frame %lu: wrote %s inner %04x; tshark says \"%s\"\n", number, describe(w.stack).c_str(),
                   w.ethertype, line.c_str());
      ++mismatches;
    }
    ++checked;
  }
  if (checked != kFrames) {
    std::fprintf(stderr, "tshark reported %d frames, %d were written\n", checked, kFrames);
    return 1;
  }
  if (mismatches != 0) {
    std::fprintf(stderr, "%d of %d frames differ\n", mismatches, kFrames);
    return 1;
  }
  std::printf("tshark agrees on all %d frames (depths 1-%d, TPIDs 88a8 8100 9100 9200 9300)\n", kFrames, kMaxTags);
  return 0;
}

}  // namespace

int main() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, on_signal);
  return run();
}
