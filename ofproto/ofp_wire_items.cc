// The variable parts of OpenFlow messages: OXM matches (driven by the field
// table), actions and instructions (driven by the codec tables below).
#include <bitset>

#include "ofproto/ofp_layout.h"

namespace strata::ofproto::wire {

OfStatus short_body(const char* what) {
  return bad_request(ofp::kBrcBadLen, std::string("message too short for its ") + what);
}

// ---- match -----------------------------------------------------------------

namespace {

uint32_t oxm_header(const FieldInfo& f, bool masked) {
  const uint32_t len = f.wire_len * (masked ? 2u : 1u) + (f.oxm_class == ofp::kOxmClassExperimenter ? 4u : 0u);
  return uint32_t{f.oxm_class} << 16 | uint32_t{f.oxm_field} << 9 | (masked ? 1u << 8 : 0u) | len;
}

void write_field(const FieldInfo& f, const FieldValue& v, const FieldValue* m, Writer& w) {
  w.u32(oxm_header(f, m != nullptr));
  if (f.oxm_class == ofp::kOxmClassExperimenter) w.u32(kStrataExperimenter);
  w.bytes(v.bytes.data(), f.wire_len);
  if (m != nullptr) w.bytes(m->bytes.data(), f.wire_len);
}

struct OxmTlv {
  const FieldInfo* field = nullptr;  // the field, once known
  bool masked = false;               // a mask follows the value
  FieldValue value;                  // wire value
  FieldValue mask;                   // wire mask when masked
};

// Reads one OXM TLV; `bad_len`/`bad_field` say which error codes apply in
// this context (a match and a set_field report differently).
OfStatus read_oxm(Reader& r, OxmTlv* out, const OfStatus& bad_len, const OfStatus& bad_field) {
  if (r.remaining() < 4) return bad_len;
  const uint32_t hdr = r.u32();
  const auto cls = static_cast<uint16_t>(hdr >> 16);
  const auto field = static_cast<uint8_t>((hdr >> 9) & 0x7f);
  out->masked = (hdr >> 8) & 1;
  const uint8_t len = hdr & 0xff;
  if (len > r.remaining()) return bad_len;
  Reader body = r.sub(len);
  uint32_t experimenter = 0;
  if (cls == ofp::kOxmClassExperimenter) {
    if (len < 4) return bad_len;
    experimenter = body.u32();
  }
  out->field = find_oxm_field(cls, experimenter, field);
  if (out->field == nullptr) return bad_field;
  const size_t want = out->field->wire_len * (out->masked ? 2u : 1u);
  if (body.remaining() != want) return bad_len;
  body.bytes(out->value.bytes.data(), out->field->wire_len);
  if (out->masked) body.bytes(out->mask.bytes.data(), out->field->wire_len);
  return OfStatus::ok();
}

}  // namespace

OfStatus decode_match(Reader& r, Match* m) {
  *m = Match{};
  if (r.remaining() < 4) return bad_match(ofp::kBmcBadLen, "match header is cut off");
  const uint16_t type = r.u16();
  const uint16_t length = r.u16();
  if (type != ofp::kMatchTypeOxm) return bad_match(ofp::kBmcBadType, "match type " + std::to_string(type) + " is not OXM");
  if (length < 4) return bad_match(ofp::kBmcBadLen, "match length below its header");
  const size_t padded = (static_cast<size_t>(length) + 7) / 8 * 8;
  if (padded - 4 > r.remaining()) return bad_match(ofp::kBmcBadLen, "match runs past the message");
  Reader oxms = r.sub(length - 4u);
  r.skip(padded - length);
  std::bitset<kFieldCount> seen;
  while (oxms.remaining() > 0) {
    OxmTlv t;
    STRATA_OF_RETURN_IF_ERROR(read_oxm(oxms, &t, bad_match(ofp::kBmcBadLen, "OXM field length is wrong"),
                                       bad_match(ofp::kBmcBadField, "unknown OXM field")));
    const FieldInfo& f = *t.field;
    if (t.masked && !f.maskable) return bad_match(ofp::kBmcBadMask, std::string(f.name) + " cannot be masked");
    const auto idx = static_cast<size_t>(f.id);
    if (seen[idx]) return bad_match(ofp::kBmcDupField, std::string(f.name) + " appears twice");
    seen[idx] = true;
    if (t.masked) {
      for (int i = 0; i < f.wire_len; ++i) {
        if (t.value.bytes[static_cast<size_t>(i)] & ~t.mask.bytes[static_cast<size_t>(i)]) {
          return bad_match(ofp::kBmcBadWildcards, std::string(f.name) + " has value bits outside its mask");
        }
      }
    }
    if (!field_value_valid(f, t.value) || (t.masked && !field_value_valid(f, t.mask))) {
      return bad_match(ofp::kBmcBadValue, std::string(f.name) + " value is out of range");
    }
    field_to_match(f, t.value, t.masked ? &t.mask : nullptr, &m->value, &m->mask);
  }
  return check_prerequisites(*m);
}

void encode_match(const Match& m, Writer& w) {
  const size_t start = w.size();
  w.u16(ofp::kMatchTypeOxm);
  w.u16(0);
  MatchMask remaining = m.mask;
  // Fields that share storage (tcp_src/udp_src/icmpv4_type, ipv4_src/arp_spa,
  // vlan_vid/tag1_vid) are written once, as the one whose prerequisite holds;
  // a second pass writes anything left (only a match built without checks).
  for (int pass = 0; pass < 2; ++pass) {
    for (const FieldInfo& f : field_table()) {
      if (f.id == FieldId::kInPhyPort || (pass == 0 && !prereq_holds(m, f))) continue;
      MatchMask bits = MatchKey::zero();
      field_mask_bits(f, &bits);
      and_into(bits, remaining);
      if (bits.is_zero()) continue;
      FieldValue v, mk;
      bool exact = false;
      field_from_match(f, m.value, remaining, &v, &mk, &exact);
      write_field(f, v, exact ? nullptr : &mk, w);
      for (int i = 0; i < MatchKey::kWords; ++i) remaining.words()[i] &= ~bits.words()[i];
    }
  }
  w.patch_u16(start + 2, static_cast<uint16_t>(w.size() - start));
  w.pad_to(start, 8);
}

// ---- actions ---------------------------------------------------------------

namespace {

constexpr auto kOutputLayout = layout(u32(&OfAction::port), u16(&OfAction::max_len), pad<6>());
constexpr auto kU32Layout = layout(u32(&OfAction::port));
constexpr auto kPushLayout = layout(u16(&OfAction::ethertype), pad<2>());
constexpr auto kPad4Layout = layout(pad<4>());

template <const auto& L>
OfStatus dec_fixed(Reader& r, OfAction* a) {
  STRATA_OF_RETURN_IF_ERROR(decode_items(L, *a, r));
  return OfStatus::ok();
}
template <const auto& L>
void enc_fixed(const OfAction& a, Writer& w) {
  encode_items(L, a, w);
}

bool is_known_tpid(uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200 || t == 0x9300; }

OfStatus dec_push(Reader& r, OfAction* a) {
  STRATA_OF_RETURN_IF_ERROR(decode_items(kPushLayout, *a, r));
  if (!is_known_tpid(a->ethertype)) {
    return bad_action(ofp::kBacBadArgument, "push_vlan with TPID " + std::to_string(a->ethertype) + " is not a tag");
  }
  return OfStatus::ok();
}

OfStatus dec_set_field(Reader& r, OfAction* a) {
  OxmTlv t;
  STRATA_OF_RETURN_IF_ERROR(read_oxm(r, &t, bad_action(ofp::kBacBadSetLen, "set_field OXM length is wrong"),
                                     bad_action(ofp::kBacBadSetType, "set_field of an unknown field")));
  if (r.remaining() >= 8) return bad_action(ofp::kBacBadSetLen, "set_field has more than its padding");
  const FieldInfo& f = *t.field;
  if (t.masked) return bad_action(ofp::kBacBadSetArgument, std::string("set_field of ") + f.name + " with a mask");
  if (!f.settable) return bad_action(ofp::kBacBadSetType, std::string("set_field of ") + f.name + " is not supported");
  if (!field_value_valid(f, t.value)) {
    return bad_action(ofp::kBacBadSetArgument, std::string("set_field value for ") + f.name + " is out of range");
  }
  a->field = f.id;
  a->value = t.value;
  return OfStatus::ok();
}

void enc_set_field(const OfAction& a, Writer& w) { write_field(field_info(a.field), a.value, nullptr, w); }

struct ActionCodec {
  uint16_t type;      // wire type
  ActionKind kind;    // decoded kind
  uint16_t len;       // exact wire length, 0 = variable
  OfStatus (*dec)(Reader&, OfAction*);         // body after type+len
  void (*enc)(const OfAction&, Writer&);       // body after type+len (padding added by the caller)
};

constexpr ActionCodec kActionCodecs[] = {
    {ofp::kAtOutput, ActionKind::kOutput, 16, dec_fixed<kOutputLayout>, enc_fixed<kOutputLayout>},
    {ofp::kAtGroup, ActionKind::kGroup, 8, dec_fixed<kU32Layout>, enc_fixed<kU32Layout>},
    {ofp::kAtSetQueue, ActionKind::kSetQueue, 8, dec_fixed<kU32Layout>, enc_fixed<kU32Layout>},
    {ofp::kAtPushVlan, ActionKind::kPushVlan, 8, dec_push, enc_fixed<kPushLayout>},
    {ofp::kAtPopVlan, ActionKind::kPopVlan, 8, dec_fixed<kPad4Layout>, enc_fixed<kPad4Layout>},
    {ofp::kAtSetField, ActionKind::kSetField, 0, dec_set_field, enc_set_field},
};

}  // namespace

OfStatus decode_actions(Reader& r, OfActions* out) {
  out->clear();
  while (r.remaining() > 0) {
    if (r.remaining() < 4) return bad_action(ofp::kBacBadLen, "action header is cut off");
    Reader peek = r;
    const uint16_t type = peek.u16();
    const uint16_t len = peek.u16();
    if (len < 8 || len % 8 != 0 || len > r.remaining()) {
      return bad_action(ofp::kBacBadLen, "action length " + std::to_string(len) + " is wrong");
    }
    Reader body = r.sub(len);
    body.skip(4);
    const ActionCodec* codec = nullptr;
    for (const auto& c : kActionCodecs) {
      if (c.type == type) codec = &c;
    }
    if (codec == nullptr) {
      if (type == ofp::kAtExperimenter) return bad_action(ofp::kBacBadExperimenter, "unknown experimenter action");
      return bad_action(ofp::kBacBadType, "action type " + std::to_string(type) + " is not supported");
    }
    if (codec->len != 0 && len != codec->len) {
      return bad_action(ofp::kBacBadLen, "action type " + std::to_string(type) + " needs length " +
                                             std::to_string(codec->len));
    }
    OfAction a;
    a.kind = codec->kind;
    STRATA_OF_RETURN_IF_ERROR(codec->dec(body, &a));
    out->push_back(a);
  }
  return OfStatus::ok();
}

void encode_actions(const OfActions& actions, Writer& w) {
  for (const OfAction& a : actions) {
    for (const auto& c : kActionCodecs) {
      if (c.kind != a.kind) continue;
      const size_t start = w.size();
      w.u16(c.type);
      w.u16(0);
      c.enc(a, w);
      w.pad_to(start, 8);
      w.patch_u16(start + 2, static_cast<uint16_t>(w.size() - start));
      break;
    }
  }
}

// ---- instructions ----------------------------------------------------------

namespace {

struct InstructionCodec {
  uint16_t type;  // wire type
  uint16_t len;   // exact length, 0 = variable
  OfStatus (*dec)(Reader&, Instructions*);       // body after type+len
  bool (*present)(const Instructions&);          // whether to encode it
  void (*enc)(const Instructions&, Writer&);     // body after type+len
};

constexpr InstructionCodec kInstructionCodecs[] = {
    // Encoded in this order, which is also the order they take effect.
    {ofp::kItApplyActions, 0,
     [](Reader& r, Instructions* i) {
       r.skip(4);
       i->apply.emplace();
       return decode_actions(r, &*i->apply);
     },
     [](const Instructions& i) { return i.apply.has_value(); },
     [](const Instructions& i, Writer& w) {
       w.zeros(4);
       encode_actions(*i.apply, w);
     }},
    {ofp::kItClearActions, 8,
     [](Reader&, Instructions* i) {
       i->clear_actions = true;
       return OfStatus::ok();
     },
     [](const Instructions& i) { return i.clear_actions; }, [](const Instructions&, Writer& w) { w.zeros(4); }},
    {ofp::kItWriteActions, 0,
     [](Reader& r, Instructions* i) {
       r.skip(4);
       i->write.emplace();
       return decode_actions(r, &*i->write);
     },
     [](const Instructions& i) { return i.write.has_value(); },
     [](const Instructions& i, Writer& w) {
       w.zeros(4);
       encode_actions(*i.write, w);
     }},
    {ofp::kItWriteMetadata, 24,
     [](Reader& r, Instructions* i) {
       r.skip(4);
       i->metadata = r.u64();
       i->metadata_mask = r.u64();
       return OfStatus::ok();
     },
     [](const Instructions& i) { return i.metadata.has_value(); },
     [](const Instructions& i, Writer& w) {
       w.zeros(4);
       w.u64(*i.metadata);
       w.u64(i.metadata_mask);
     }},
    {ofp::kItGotoTable, 8,
     [](Reader& r, Instructions* i) {
       i->goto_table = r.u8();
       return OfStatus::ok();
     },
     [](const Instructions& i) { return i.goto_table.has_value(); },
     [](const Instructions& i, Writer& w) {
       w.u8(*i.goto_table);
       w.zeros(3);
     }},
};

}  // namespace

OfStatus decode_instructions(Reader& r, Instructions* out) {
  *out = Instructions{};
  uint32_t seen = 0;
  while (r.remaining() > 0) {
    if (r.remaining() < 4) return bad_instruction(ofp::kBicBadLen, "instruction header is cut off");
    Reader peek = r;
    const uint16_t type = peek.u16();
    const uint16_t len = peek.u16();
    if (len < 8 || len % 8 != 0 || len > r.remaining()) {
      return bad_instruction(ofp::kBicBadLen, "instruction length " + std::to_string(len) + " is wrong");
    }
    Reader body = r.sub(len);
    body.skip(4);
    if (type == ofp::kItMeter) return bad_instruction(ofp::kBicUnsupInst, "meters are not supported");
    if (type == ofp::kItExperimenter) return bad_instruction(ofp::kBicBadExperimenter, "unknown experimenter instruction");
    const InstructionCodec* codec = nullptr;
    for (const auto& c : kInstructionCodecs) {
      if (c.type == type) codec = &c;
    }
    if (codec == nullptr) return bad_instruction(ofp::kBicUnknownInst, "instruction type " + std::to_string(type) + " is unknown");
    if (codec->len != 0 && len != codec->len) {
      return bad_instruction(ofp::kBicBadLen, "instruction type " + std::to_string(type) + " needs length " +
                                                  std::to_string(codec->len));
    }
    if (seen & (1u << type)) return bad_instruction(ofp::kBicUnsupInst, "instruction type " + std::to_string(type) + " appears twice");
    seen |= 1u << type;
    STRATA_OF_RETURN_IF_ERROR(codec->dec(body, out));
  }
  return OfStatus::ok();
}

void encode_instructions(const Instructions& ins, Writer& w) {
  for (const auto& c : kInstructionCodecs) {
    if (!c.present(ins)) continue;
    const size_t start = w.size();
    w.u16(c.type);
    w.u16(0);
    c.enc(ins, w);
    w.pad_to(start, 8);
    w.patch_u16(start + 2, static_cast<uint16_t>(w.size() - start));
  }
}

}  // namespace strata::ofproto::wire
