// Table-driven OpenFlow codec machinery. A message body (or a multipart
// entry, a bucket, a port) is described once, as data: a constexpr list of
// items, each a wire kind bound to a struct member,
//
//   template <> inline constexpr auto kLayout<SetConfig> =
//       layout(u16(&SetConfig::flags), u16(&SetConfig::miss_send_len));
//
// and one generic encode() / decode() walks that list in either direction.
// No message has a hand-written encoder or decoder; variable parts (match,
// instructions, actions, lists of entries, trailing data) are item kinds too,
// implemented once in ofp_wire_items.cc.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ofproto/of_action.h"
#include "ofproto/of_status.h"
#include "ofproto/match.h"
#include "ofproto/ofp_buffer.h"

namespace strata::ofproto::wire {

// Every struct with a wire form specialises this with layout(...).
template <typename T>
inline constexpr int kLayout = 0;

template <typename... Items>
struct Layout {
  std::tuple<Items...> items;  // in wire order
};
template <typename... Items>
constexpr Layout<Items...> layout(Items... items) {
  return Layout<Items...>{std::tuple<Items...>(items...)};
}

// Where an item's decode failure is reported when the bytes run short: a
// message body is BAD_REQUEST/BAD_LEN unless an item knows better.
OfStatus short_body(const char* what);

// The variable parts, implemented in ofp_wire_items.cc.
OfStatus decode_match(Reader& r, Match* m);
void encode_match(const Match& m, Writer& w);
OfStatus decode_actions(Reader& r, OfActions* out);  // until r is empty
void encode_actions(const OfActions& a, Writer& w);
OfStatus decode_instructions(Reader& r, Instructions* out);  // until r is empty
void encode_instructions(const Instructions& i, Writer& w);

// ---- item kinds -----------------------------------------------------------

// Unsigned integers of N bytes (any integral or enum member).
template <typename S, typename M, int N>
struct UInt {
  M S::*m;  // the member
  void enc(const S& s, Writer& w) const {
    const auto v = static_cast<uint64_t>(s.*m);
    if constexpr (N == 1) w.u8(static_cast<uint8_t>(v));
    if constexpr (N == 2) w.u16(static_cast<uint16_t>(v));
    if constexpr (N == 4) w.u32(static_cast<uint32_t>(v));
    if constexpr (N == 8) w.u64(v);
  }
  OfStatus dec(S& s, Reader& r) const {
    uint64_t v = 0;
    if constexpr (N == 1) v = r.u8();
    if constexpr (N == 2) v = r.u16();
    if constexpr (N == 4) v = r.u32();
    if constexpr (N == 8) v = r.u64();
    s.*m = static_cast<M>(v);
    return r.ok() ? OfStatus::ok() : short_body("integer");
  }
};
template <typename S, typename M>
constexpr UInt<S, M, 1> u8(M S::*m) { return {m}; }
template <typename S, typename M>
constexpr UInt<S, M, 2> u16(M S::*m) { return {m}; }
template <typename S, typename M>
constexpr UInt<S, M, 4> u32(M S::*m) { return {m}; }
template <typename S, typename M>
constexpr UInt<S, M, 8> u64(M S::*m) { return {m}; }

// N zero bytes (ignored when read).
template <int N>
struct Pad {
  template <typename S>
  void enc(const S&, Writer& w) const { w.zeros(N); }
  template <typename S>
  OfStatus dec(S&, Reader& r) const {
    r.skip(N);
    return r.ok() ? OfStatus::ok() : short_body("padding");
  }
};
template <int N>
constexpr Pad<N> pad() { return {}; }

// A fixed array of N unsigned 32-bit values (async masks, group limits).
template <typename S, size_t N>
struct U32Array {
  std::array<uint32_t, N> S::*m;  // the member
  void enc(const S& s, Writer& w) const {
    for (uint32_t v : s.*m) w.u32(v);
  }
  OfStatus dec(S& s, Reader& r) const {
    for (auto& v : s.*m) v = r.u32();
    return r.ok() ? OfStatus::ok() : short_body("array");
  }
};
template <typename S, size_t N>
constexpr U32Array<S, N> u32s(std::array<uint32_t, N> S::*m) { return {m}; }

// Raw bytes of fixed size N (a MAC address).
template <typename S, size_t N>
struct Raw {
  std::array<uint8_t, N> S::*m;  // the member
  void enc(const S& s, Writer& w) const { w.bytes((s.*m).data(), N); }
  OfStatus dec(S& s, Reader& r) const {
    r.bytes((s.*m).data(), N);
    return r.ok() ? OfStatus::ok() : short_body("address");
  }
};
template <typename S, size_t N>
constexpr Raw<S, N> raw(std::array<uint8_t, N> S::*m) { return {m}; }

// A NUL-padded string in N bytes (descriptions, port and table names).
template <typename S, int N>
struct Str {
  std::string S::*m;  // the member
  void enc(const S& s, Writer& w) const {
    const std::string& v = s.*m;
    const size_t n = std::min(v.size(), static_cast<size_t>(N - 1));
    w.bytes(reinterpret_cast<const uint8_t*>(v.data()), n);
    w.zeros(static_cast<size_t>(N) - n);
  }
  OfStatus dec(S& s, Reader& r) const {
    char buf[N];
    r.bytes(reinterpret_cast<uint8_t*>(buf), N);
    // The specification NUL-terminates these; a peer that fills all N
    // bytes gets its first N - 1, what encoding can say back.
    size_t n = 0;
    while (n < static_cast<size_t>(N - 1) && buf[n] != 0) ++n;
    (s.*m).assign(buf, n);
    return r.ok() ? OfStatus::ok() : short_body("string");
  }
};
template <int N, typename S>
constexpr Str<S, N> str(std::string S::*m) { return {m}; }

// An ofp_match (OXM), padded to 8 bytes.
template <typename S>
struct MatchItem {
  Match S::*m;  // the member
  void enc(const S& s, Writer& w) const { encode_match(s.*m, w); }
  OfStatus dec(S& s, Reader& r) const { return decode_match(r, &(s.*m)); }
};
template <typename S>
constexpr MatchItem<S> match(Match S::*m) { return {m}; }

// Instructions up to the end of the enclosing body or entry.
template <typename S>
struct InstructionsRest {
  Instructions S::*m;  // the member
  void enc(const S& s, Writer& w) const { encode_instructions(s.*m, w); }
  OfStatus dec(S& s, Reader& r) const { return decode_instructions(r, &(s.*m)); }
};
template <typename S>
constexpr InstructionsRest<S> instructions_rest(Instructions S::*m) { return {m}; }

// Actions up to the end of the enclosing body or entry (a bucket).
template <typename S>
struct ActionsRest {
  OfActions S::*m;  // the member
  void enc(const S& s, Writer& w) const { encode_actions(s.*m, w); }
  OfStatus dec(S& s, Reader& r) const { return decode_actions(r, &(s.*m)); }
};
template <typename S>
constexpr ActionsRest<S> actions_rest(OfActions S::*m) { return {m}; }

// A 16-bit actions length, PadN zero bytes, then that many bytes of
// actions (PACKET_OUT).
template <typename S, int PadN>
struct ActionsLen16 {
  OfActions S::*m;  // the member
  void enc(const S& s, Writer& w) const {
    const size_t at = w.size();
    w.u16(0);
    w.zeros(PadN);
    const size_t start = w.size();
    encode_actions(s.*m, w);
    w.patch_u16(at, static_cast<uint16_t>(w.size() - start));
  }
  OfStatus dec(S& s, Reader& r) const {
    const uint16_t len = r.u16();
    r.skip(PadN);
    if (!r.ok()) return short_body("actions header");
    if (len > r.remaining()) return bad_request(ofp::kBrcBadLen, "actions_len runs past the message");
    Reader sub = r.sub(len);
    return decode_actions(sub, &(s.*m));
  }
};
template <int PadN, typename S>
constexpr ActionsLen16<S, PadN> actions_len16(OfActions S::*m) { return {m}; }

// Every remaining byte (packet data, echo payload).
template <typename S>
struct BytesRest {
  std::vector<uint8_t> S::*m;  // the member
  void enc(const S& s, Writer& w) const { w.bytes((s.*m).data(), (s.*m).size()); }
  OfStatus dec(S& s, Reader& r) const {
    (s.*m).resize(r.remaining());
    r.bytes((s.*m).data(), (s.*m).size());
    return OfStatus::ok();
  }
};
template <typename S>
constexpr BytesRest<S> bytes_rest(std::vector<uint8_t> S::*m) { return {m}; }

// The entry's own total length as a 16-bit field: written after the entry
// is complete, checked and used to delimit the entry when read. Must be the
// first item of an entry layout (see ListRest).
struct SelfLen16 {
  template <typename S>
  void enc(const S&, Writer& w) const { w.u16(0); }  // patched by encode_entry
  template <typename S>
  OfStatus dec(S&, Reader& r) const {
    r.skip(2);
    return r.ok() ? OfStatus::ok() : short_body("entry length");
  }
};
constexpr SelfLen16 self_len16() { return {}; }

template <typename T>
OfStatus decode(Reader& r, T* out);
template <typename T>
void encode(const T& in, Writer& w);

// A member struct with its own layout, inline (the ofp_port of PORT_STATUS).
template <typename S, typename E>
struct Nested {
  E S::*m;  // the member
  void enc(const S& s, Writer& w) const { encode(s.*m, w); }
  OfStatus dec(S& s, Reader& r) const { return decode(r, &(s.*m)); }
};
template <typename S, typename E>
constexpr Nested<S, E> nested(E S::*m) { return {m}; }

// Entries up to the end of the body. Entries whose layout starts with
// SelfLen16 are delimited by it; others are fixed-size and read back to back.
template <typename S, typename E>
struct ListRest {
  std::vector<E> S::*m;  // the member
  void enc(const S& s, Writer& w) const {
    for (const E& e : s.*m) encode(e, w);
  }
  OfStatus dec(S& s, Reader& r) const {
    (s.*m).clear();
    while (r.remaining() > 0) {
      E e{};
      STRATA_OF_RETURN_IF_ERROR(decode(r, &e));
      (s.*m).push_back(std::move(e));
    }
    return OfStatus::ok();
  }
};
template <typename S, typename E>
constexpr ListRest<S, E> list_rest(std::vector<E> S::*m) { return {m}; }

// ---- the generic walk -----------------------------------------------------

template <typename T>
constexpr bool starts_with_self_len() {
  using Items = std::decay_t<decltype(kLayout<T>.items)>;
  if constexpr (std::tuple_size_v<Items> == 0) {
    return false;
  } else {
    return std::is_same_v<std::decay_t<std::tuple_element_t<0, Items>>, SelfLen16>;
  }
}

// Walks any layout object over any struct (message tables use this for
// layouts that are not keyed by type, such as one per action).
template <typename L, typename T>
OfStatus decode_items(const L& l, T& out, Reader& r) {
  return std::apply(
      [&](const auto&... item) {
        OfStatus st;
        ((st = st ? item.dec(out, r) : st), ...);
        return st;
      },
      l.items);
}
template <typename L, typename T>
void encode_items(const L& l, const T& in, Writer& w) {
  std::apply([&](const auto&... item) { (item.enc(in, w), ...); }, l.items);
}

// Decodes one T. A self-delimited entry reads exactly its length.
template <typename T>
OfStatus decode(Reader& r, T* out) {
  if constexpr (starts_with_self_len<T>()) {
    Reader peek = r;
    const uint16_t len = peek.u16();
    if (!peek.ok() || len < 2 || len > r.remaining()) return short_body("entry length");
    Reader sub = r.sub(len);
    return decode_items(kLayout<T>, *out, sub);
  } else {
    return decode_items(kLayout<T>, *out, r);
  }
}

template <typename T>
void encode(const T& in, Writer& w) {
  const size_t start = w.size();
  encode_items(kLayout<T>, in, w);
  if constexpr (starts_with_self_len<T>()) w.patch_u16(start, static_cast<uint16_t>(w.size() - start));
}

}  // namespace strata::ofproto::wire
