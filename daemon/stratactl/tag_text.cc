#include "daemon/stratactl/tag_text.h"

#include <fmt/format.h>

#include "l2tags/notation.h"

namespace strata::ctl {

namespace {

v1::Tag to_proto(const l2tags::Tag& t) {
  v1::Tag out;
  out.set_tpid(t.tpid);
  out.set_vid(t.vid);
  out.set_pcp(t.pcp);
  return out;
}

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

}  // namespace

Result<v1::TagStack> parse_stack_text(const std::string& text) {
  auto stack = l2tags::parse_stack(text);
  if (!stack) return stack.status();
  if (stack->empty()) return invalid_argument("tag stack " + quoted(text) + " is empty");
  v1::TagStack out;
  for (const auto& t : *stack) *out.add_tags() = to_proto(t);
  return out;
}

Result<v1::TagStack> parse_allowed_text(const std::string& text) {
  auto pattern = l2tags::parse_pattern(text);
  if (!pattern) return pattern.status();
  if (pattern->empty()) return invalid_argument("tag stack " + quoted(text) + " is empty");
  v1::TagStack out;
  for (const auto& p : *pattern) {
    v1::Tag* t = out.add_tags();
    t->set_tpid(p.tpid);
    if (p.vid) {
      t->set_vid(*p.vid);
    } else {
      t->set_any_vid(true);
    }
    if (p.pcp) t->set_pcp(*p.pcp);
  }
  return out;
}

Result<v1::StackMatch> parse_stack_match(const std::string& text) {
  v1::StackMatch out;
  if (text == "none") return out;
  std::string body = text;
  if (body == "...") {
    out.set_outer_only(true);
    return out;
  }
  if (body.size() > 4 && body.compare(body.size() - 4, 4, "/...") == 0) {
    out.set_outer_only(true);
    body.resize(body.size() - 4);
  }
  auto pattern = l2tags::parse_pattern(body);
  if (!pattern) return pattern.status();
  if (pattern->empty()) return invalid_argument("tag match " + quoted(text) + " is empty (write none for untagged)");
  for (const auto& p : *pattern) {
    v1::TagMatch* m = out.add_tags();
    m->set_tpid(p.tpid);
    if (p.vid) m->set_vid(*p.vid);
    if (p.pcp) m->set_pcp(*p.pcp);
  }
  return out;
}

std::string format_stack(const v1::TagStack& stack) {
  if (stack.tags_size() == 0) return "none";
  std::string out;
  for (const auto& t : stack.tags()) {
    if (!out.empty()) out += '/';
    out += fmt::format("{:04x}:", t.tpid() == 0 ? 0x8100 : t.tpid());
    out += t.any_vid() ? std::string("*") : std::to_string(t.vid());
    if (t.pcp() != 0) out += fmt::format(":{}", t.pcp());
  }
  return out;
}

std::string format_stack_match(const v1::StackMatch& match) {
  std::string out;
  for (const auto& t : match.tags()) {
    if (!out.empty()) out += '/';
    out += fmt::format("{:04x}:", t.tpid() == 0 ? 0x8100 : t.tpid());
    out += t.has_vid() ? std::to_string(t.vid()) : std::string("*");
    if (t.has_pcp()) out += fmt::format(":{}", t.pcp());
  }
  if (match.outer_only()) return out.empty() ? "..." : out + "/...";
  return out.empty() ? "none" : out;
}

std::string port_mode_text(const v1::Port& port) {
  if (port.has_access()) return "access " + format_stack(port.access().stack());
  if (!port.has_trunk() || port.trunk().allowed_size() == 0) return "trunk (every stack)";
  std::string out = "trunk ";
  for (int i = 0; i < port.trunk().allowed_size(); ++i) {
    if (i != 0) out += ',';
    out += format_stack(port.trunk().allowed(i));
  }
  return out;
}

}  // namespace strata::ctl
