#include "l2tags/notation.h"

#include <optional>

#include "l2tags/text.h"

namespace strata::l2tags {

namespace {

// One `TPID:VID[:PCP]` element, checked for ranges; vid empty means `*`.
struct Element {
  uint16_t tpid = 0;            // validated EtherType
  std::optional<uint16_t> vid;  // empty when written as `*`
  std::optional<uint8_t> pcp;   // empty when not written
};

using text::cat;
using text::hex4;
using text::quoted;

// Decimal digits only; saturates instead of overflowing so that "99999999999"
// is reported as out of range, not as a wrapped small number.
std::optional<uint32_t> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v > 100000 ? v : v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<uint16_t> parse_tpid(std::string_view s, const TpidSet* tpids) {
  std::string_view digits = s;
  if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
  if (digits.empty()) return invalid_argument("TPID is empty");
  uint32_t v = 0;
  for (char c : digits) {
    const int d = hex_digit(c);
    if (d < 0) return invalid_argument(cat("TPID ", quoted(s), " is not hexadecimal"));
    v = v * 16 + static_cast<uint32_t>(d);
    if (v > 0xffff) return invalid_argument(cat("TPID ", quoted(s), " does not fit in 16 bits"));
  }
  const auto tpid = static_cast<uint16_t>(v);
  if (!is_valid_tpid(tpid)) {
    return invalid_argument(cat("TPID ", hex4(tpid), " is below 0600: that is an 802.3 length, not an EtherType"));
  }
  if (tpids != nullptr && !tpids->contains(tpid)) {
    std::string known;
    for (uint16_t t : tpids->values()) known.append(known.empty() ? "" : ", ").append(hex4(t));
    if (known.empty()) return invalid_argument(cat("TPID ", hex4(tpid), " is not recognised: no TPIDs are configured"));
    return invalid_argument(cat("TPID ", hex4(tpid), " is not a recognised TPID (recognised: ", known, ")"));
  }
  return tpid;
}

Result<Element> parse_element(std::string_view s, bool allow_wildcard, const TpidSet* tpids) {
  std::string_view fields[3];
  int n = 0;
  size_t start = 0;
  while (true) {
    const size_t colon = s.find(':', start);
    if (n == 3) return invalid_argument("has more than 3 fields; expected TPID:VID[:PCP]");
    fields[n++] = s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (n < 2) return invalid_argument("has no VID; expected TPID:VID[:PCP]");

  Element e;
  Result<uint16_t> tpid = parse_tpid(fields[0], tpids);
  if (!tpid) return tpid.status();
  e.tpid = *tpid;

  if (fields[1].empty()) return invalid_argument("VID is empty");
  if (fields[1] == "*") {
    if (!allow_wildcard) return invalid_argument("VID * (any) is only allowed in a match pattern");
  } else {
    const std::optional<uint32_t> vid = parse_decimal(fields[1]);
    if (!vid) return invalid_argument(cat("VID ", quoted(fields[1]), " is not a decimal number"));
    if (*vid > kMaxVid) {
      return invalid_argument(cat("VID ", fields[1], " is out of range 0-", std::to_string(kMaxVid)));
    }
    e.vid = static_cast<uint16_t>(*vid);
  }

  if (n == 3) {
    if (fields[2].empty()) return invalid_argument("PCP is empty");
    const std::optional<uint32_t> pcp = parse_decimal(fields[2]);
    if (!pcp) return invalid_argument(cat("PCP ", quoted(fields[2]), " is not a decimal number"));
    if (*pcp > kMaxPcp) {
      return invalid_argument(cat("PCP ", fields[2], " is out of range 0-", std::to_string(kMaxPcp)));
    }
    e.pcp = static_cast<uint8_t>(*pcp);
  }
  return e;
}

// Splits on '/' and parses each element, handing it to `add` in order,
// outermost first. `what` names the kind of text in error messages.
template <typename Add>
Status parse_elements(std::string_view text, const char* what, bool allow_wildcard, const TpidSet* tpids,
                      Add add) {
  const std::string where = cat(what, " ", quoted(text));
  if (text.empty()) return Status::ok();
  int count = 1;
  for (char c : text) count += c == '/';
  if (count > kMaxTags) {
    return invalid_argument(
        cat(where, ": has ", std::to_string(count), " tags, more than the maximum ", std::to_string(kMaxTags)));
  }
  size_t start = 0;
  for (int index = 1; index <= count; ++index) {
    const size_t slash = text.find('/', start);
    const std::string_view elem =
        text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    const std::string tag = cat("tag ", std::to_string(index));
    if (elem.empty()) return invalid_argument(cat(where, ": ", tag, " is empty"));
    Result<Element> e = parse_element(elem, allow_wildcard, tpids);
    if (!e) return e.status().with_context(cat(where, ": ", tag, " ", quoted(elem)));
    add(*e);
    start = slash + 1;
  }
  return Status::ok();
}

Result<TagStack> parse_stack_impl(std::string_view text, const TpidSet* tpids) {
  TagStack stack;
  Status s = parse_elements(text, "tag stack", false, tpids, [&](const Element& e) {
    stack.push_inner(Tag{e.tpid, e.pcp.value_or(0), false, *e.vid});
  });
  if (!s) return s;
  return stack;
}

Result<StackPattern> parse_pattern_impl(std::string_view text, const TpidSet* tpids) {
  StackPattern pattern;
  Status s = parse_elements(text, "tag stack pattern", true, tpids, [&](const Element& e) {
    pattern.push_inner(TagPattern{e.tpid, e.vid, e.pcp});
  });
  if (!s) return s;
  return pattern;
}

template <typename Stack>
std::string join(const Stack& stack) {
  std::string out;
  for (const auto& elem : stack) {
    if (!out.empty()) out += '/';
    out += format(elem);
  }
  return out;
}

}  // namespace

Result<TagStack> parse_stack(std::string_view text) { return parse_stack_impl(text, nullptr); }
Result<TagStack> parse_stack(std::string_view text, const TpidSet& tpids) { return parse_stack_impl(text, &tpids); }
Result<StackPattern> parse_pattern(std::string_view text) { return parse_pattern_impl(text, nullptr); }
Result<StackPattern> parse_pattern(std::string_view text, const TpidSet& tpids) {
  return parse_pattern_impl(text, &tpids);
}

std::string format(const Tag& tag) {
  if (tag.pcp == 0) return cat(hex4(tag.tpid), ":", std::to_string(tag.vid));
  return cat(hex4(tag.tpid), ":", std::to_string(tag.vid), ":", std::to_string(tag.pcp));
}

std::string format(const TagPattern& pattern) {
  const std::string vid = pattern.vid ? std::to_string(*pattern.vid) : "*";
  if (!pattern.pcp) return cat(hex4(pattern.tpid), ":", vid);
  return cat(hex4(pattern.tpid), ":", vid, ":", std::to_string(*pattern.pcp));
}

std::string format(const TagStack& stack) { return join(stack); }
std::string format(const StackPattern& pattern) { return join(pattern); }

}  // namespace strata::l2tags
