#include "datapath/actions.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace strata::datapath {

void ActionList::destroy(void* p) { std::free(p); }

namespace {
Action make(ActionType t) {
  Action a{};
  a.type = t;
  return a;
}
}  // namespace

ActionBuilder& ActionBuilder::output(uint32_t port) {
  Action a = make(ActionType::kOutputCopy);
  a.port = port;
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::push_tag(const l2tags::Tag& tag) {
  Action a = make(ActionType::kPushTag);
  a.tpid = tag.tpid;
  a.value = static_cast<uint16_t>((tag.pcp << 13) | (tag.dei ? 0x1000 : 0) | tag.vid);
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::pop_tag() {
  actions_.push_back(make(ActionType::kPopTag));
  return *this;
}

ActionBuilder& ActionBuilder::set_vid(int depth, uint16_t vid) {
  Action a = make(ActionType::kSetVid);
  a.depth = static_cast<uint8_t>(depth);
  a.value = vid;
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::set_pcp(int depth, uint8_t pcp) {
  Action a = make(ActionType::kSetPcp);
  a.depth = static_cast<uint8_t>(depth);
  a.value = pcp;
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::set_eth_src(const uint8_t mac[6]) {
  Action a = make(ActionType::kSetEthSrc);
  std::memcpy(a.mac, mac, 6);
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::set_eth_dst(const uint8_t mac[6]) {
  Action a = make(ActionType::kSetEthDst);
  std::memcpy(a.mac, mac, 6);
  actions_.push_back(a);
  return *this;
}

ActionBuilder& ActionBuilder::controller(uint32_t cookie, uint16_t max_len) {
  Action a = make(ActionType::kController);
  a.port = cookie;
  a.value = max_len;
  actions_.push_back(a);
  return *this;
}

ActionList* ActionBuilder::build() const {
  const size_t n = actions_.size();
  auto* list = static_cast<ActionList*>(std::malloc(sizeof(ActionList) + n * sizeof(Action)));
  if (list == nullptr) return nullptr;
  list->n = static_cast<uint32_t>(n);
  list->n_outputs = 0;
  if (n > 0) std::memcpy(list->a, actions_.data(), n * sizeof(Action));  // an empty list's data() may be null
  // The last output owns the frame unless something follows it: then every
  // output is a copy and the frame is freed after the last action.
  int last_output = -1;
  for (size_t i = 0; i < n; ++i) {
    if (list->a[i].type == ActionType::kOutputCopy) {
      last_output = static_cast<int>(i);
      ++list->n_outputs;
    }
  }
  if (last_output >= 0 && static_cast<size_t>(last_output) == n - 1) {
    list->a[last_output].type = ActionType::kOutput;
  }
  return list;
}

std::string format_actions(const ActionList& list) {
  if (list.n == 0) return "drop";
  std::string out;
  char buf[64];
  for (uint32_t i = 0; i < list.n; ++i) {
    const Action& a = list.a[i];
    if (!out.empty()) out += ',';
    switch (a.type) {
      case ActionType::kOutput:
      case ActionType::kOutputCopy:
        std::snprintf(buf, sizeof(buf), "output:%u", a.port);
        break;
      case ActionType::kPushTag:
        std::snprintf(buf, sizeof(buf), "push_tag:%04x:%u:%u", a.tpid, a.value & 0xfff, a.value >> 13);
        break;
      case ActionType::kPopTag:
        std::snprintf(buf, sizeof(buf), "pop_tag");
        break;
      case ActionType::kSetVid:
        std::snprintf(buf, sizeof(buf), "set_vid:%u:%u", a.depth, a.value);
        break;
      case ActionType::kSetPcp:
        std::snprintf(buf, sizeof(buf), "set_pcp:%u:%u", a.depth, a.value);
        break;
      case ActionType::kSetEthSrc:
      case ActionType::kSetEthDst:
        std::snprintf(buf, sizeof(buf), "set_eth_%s:%02x:%02x:%02x:%02x:%02x:%02x",
                      a.type == ActionType::kSetEthSrc ? "src" : "dst", a.mac[0], a.mac[1], a.mac[2], a.mac[3],
                      a.mac[4], a.mac[5]);
        break;
      case ActionType::kController:
        std::snprintf(buf, sizeof(buf), "controller:%u", a.port);
        break;
    }
    out += buf;
  }
  return out;
}

}  // namespace strata::datapath
