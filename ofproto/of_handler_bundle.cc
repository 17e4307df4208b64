// OfHandler's bundle messages (ONF extension 230, see bundle.h): staging
// FLOW_MOD and GROUP_MOD messages per connection and committing them as one.
#include <algorithm>
#include <string>

#include "ofproto/bridge.h"
#include "ofproto/of_handler.h"

namespace strata::ofproto {

namespace {

constexpr uint16_t kKnownBundleFlags = ofp::kBfAtomic | ofp::kBfOrdered;

// Every bundle is applied atomically and in order, which is what both flags
// ask for and more than a bundle without them needs; so any combination of
// the two is honoured.
OfStatus check_bundle_flags(uint16_t flags) {
  if (flags & ~kKnownBundleFlags) return bundle_failed(ofp::kBfcBadFlags, "unknown bundle flags");
  return OfStatus::ok();
}

// OpenFlow defines one bundle property, the experimenter's; Strata knows of
// none, so it refuses any rather than ignore what a controller relies on.
OfStatus check_no_properties(size_t bytes) {
  if (bytes != 0) return bad_request(ofp::kBrcBadLen, "bundle properties are not supported");
  return OfStatus::ok();
}

std::string id_text(uint32_t bundle_id) { return "bundle " + std::to_string(bundle_id); }

}  // namespace

OfStatus OfHandler::experimenter(const Request& r) {
  msg::Experimenter e;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &e));
  if (e.experimenter != ofp::kOnfExperimenterId) {
    return bad_request(ofp::kBrcBadExperimenter, "experimenter " + std::to_string(e.experimenter) + " is unknown");
  }
  switch (e.exp_type) {
    case ofp::kOnfBundleControl: return bundle_control(r);
    case ofp::kOnfBundleAdd: return bundle_add(r);
    default: break;
  }
  return bad_request(ofp::kBrcBadExpType, "ONF message type " + std::to_string(e.exp_type) + " is not supported");
}

OfStatus OfHandler::bundle_control(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::BundleCtrl c;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &c));
  STRATA_OF_RETURN_IF_ERROR(check_no_properties(c.properties.size()));
  STRATA_OF_RETURN_IF_ERROR(check_bundle_flags(c.flags));
  Bundles& bundles = r.s.bundles;
  auto it = bundles.find(c.bundle_id);
  const bool exists = it != bundles.end();
  if (c.type != ofp::kBctOpenRequest && c.type != ofp::kBctDiscardRequest && exists && it->second.flags != c.flags) {
    return bundle_failed(ofp::kBfcBadFlags, "flags differ from those " + id_text(c.bundle_id) + " was opened with");
  }
  uint16_t reply_type = 0;
  switch (c.type) {
    case ofp::kBctOpenRequest:
      if (exists) return bundle_failed(ofp::kBfcBundleExist, id_text(c.bundle_id) + " is already open");
      if (bundles.size() >= kMaxBundles) {
        return bundle_failed(ofp::kBfcOutOfBundles, std::to_string(kMaxBundles) + " bundles are open on this connection");
      }
      bundles[c.bundle_id].flags = c.flags;
      reply_type = ofp::kBctOpenReply;
      break;
    case ofp::kBctCloseRequest:
      if (!exists) return bundle_failed(ofp::kBfcBadId, id_text(c.bundle_id) + " is not open");
      if (it->second.closed) return bundle_failed(ofp::kBfcBundleClosed, id_text(c.bundle_id) + " is already closed");
      it->second.closed = true;
      reply_type = ofp::kBctCloseReply;
      break;
    case ofp::kBctCommitRequest: {
      if (!exists) return bundle_failed(ofp::kBfcBadId, id_text(c.bundle_id) + " is not open");
      // Committed or refused, the bundle is over.
      const Bundle b = std::move(it->second);
      bundles.erase(it);
      STRATA_OF_RETURN_IF_ERROR(commit_bundle(r.s, b));
      reply_type = ofp::kBctCommitReply;
      break;
    }
    case ofp::kBctDiscardRequest:
      if (!exists) return bundle_failed(ofp::kBfcBadId, id_text(c.bundle_id) + " is not open");
      bundles.erase(it);
      reply_type = ofp::kBctDiscardReply;
      break;
    default:
      return bundle_failed(ofp::kBfcBadType, "bundle control type " + std::to_string(c.type) + " is not a request");
  }
  msg::BundleCtrl reply;
  reply.bundle_id = c.bundle_id;
  reply.type = reply_type;
  reply.flags = c.flags;
  r.s.send(encode_message(ofp::kExperimenter, r.h.xid, reply));
  return OfStatus::ok();
}

OfStatus OfHandler::bundle_add(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::BundleAdd a;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &a));
  STRATA_OF_RETURN_IF_ERROR(check_bundle_flags(a.flags));

  // The message inside: whole, 1.3, the outer xid, a kind bundles take.
  const std::vector<uint8_t>& in = a.message_props;
  if (in.size() < ofp::kHeaderLen) return bundle_failed(ofp::kBfcMsgBadLen, "the bundled message is shorter than a header");
  const OfpHeader ih = read_header(in.data());
  if (ih.length < ofp::kHeaderLen || ih.length > in.size()) {
    return bundle_failed(ofp::kBfcMsgBadLen, "the bundled message's length does not fit the bundle message");
  }
  STRATA_OF_RETURN_IF_ERROR(check_no_properties(in.size() - ih.length));
  if (ih.xid != r.h.xid) return bundle_failed(ofp::kBfcMsgBadXid, "the bundled message's xid is not the bundle message's");
  if (ih.version == ofp::kVersion && ih.type != ofp::kFlowMod && ih.type != ofp::kGroupMod) {
    return bundle_failed(ofp::kBfcMsgUnsup, "only FLOW_MOD and GROUP_MOD go into a bundle");
  }
  STRATA_OF_RETURN_IF_ERROR(check_message(ih));

  STRATA_OF_RETURN_IF_ERROR(check_staged(in.data(), ih));

  Bundles& bundles = r.s.bundles;
  auto it = bundles.find(a.bundle_id);
  if (it == bundles.end()) {
    // Adding to a bundle that is not open opens it (OpenFlow 1.4, 7.3.9.5).
    if (bundles.size() >= kMaxBundles) {
      return bundle_failed(ofp::kBfcOutOfBundles, std::to_string(kMaxBundles) + " bundles are open on this connection");
    }
    it = bundles.emplace(a.bundle_id, Bundle{a.flags, false, {}}).first;
  } else if (it->second.closed) {
    return bundle_failed(ofp::kBfcBundleClosed, id_text(a.bundle_id) + " is closed");
  } else if (it->second.flags != a.flags) {
    return bundle_failed(ofp::kBfcBadFlags, "flags differ from those " + id_text(a.bundle_id) + " was opened with");
  }
  Bundle& b = it->second;
  size_t staged = 0;  // over all of this connection's bundles: 16 full ones must not take 4 GiB
  for (const auto& [id, other] : bundles) staged += other.messages.size();
  if (b.count >= kMaxBundleMods || staged + ih.length > kMaxBundleBytes) {
    return bundle_failed(ofp::kBfcMsgTooMany, id_text(a.bundle_id) + " is full (" + std::to_string(b.count) +
                                                  " messages; " + std::to_string(staged) + " bytes staged on this connection)");
  }
  b.messages.insert(b.messages.end(), in.begin(), in.begin() + ih.length);
  ++b.count;
  return OfStatus::ok();
}

// What a staged message would do; nothing is applied.
OfStatus OfHandler::check_staged(const uint8_t* msg, const OfpHeader& h) const {
  if (h.type == ofp::kFlowMod) {
    FlowMod fm;
    uint32_t buffer_id = 0;
    STRATA_OF_RETURN_IF_ERROR(decode_flow_mod(msg, h.length, &fm, &buffer_id));
    if (buffer_id != ofp::kNoBuffer) return bad_request(ofp::kBrcBufferUnknown, "Strata buffers no packets");
    return OfStatus::ok();
  }
  msg::GroupMod gm;
  return decode_group_mod(msg, h.length, &gm);
}

OfStatus OfHandler::commit_bundle(OfSession& s, const Bundle& b) {
  bridge_.begin_transaction();
  size_t n = 0;
  for (size_t off = 0; off < b.messages.size(); ++n) {
    const uint8_t* msg = b.messages.data() + off;
    const OfpHeader h = read_header(msg);
    off += h.length;
    OfStatus st;
    if (h.type == ofp::kFlowMod) {
      FlowMod fm;
      uint32_t buffer_id = 0;
      st = decode_flow_mod(msg, h.length, &fm, &buffer_id);
      if (st) st = bridge_.flow_mod(fm);
    } else {
      msg::GroupMod gm;
      st = decode_group_mod(msg, h.length, &gm);
      if (st) st = bridge_.group_mod(gm);
    }
    if (!st) {
      bridge_.rollback_transaction();
      // The message that failed gets its own error (as if sent alone),
      // then the commit says that nothing was applied.
      s.send_error(st, msg, h.length);
      return bundle_failed(ofp::kBfcMsgFailed, "message " + std::to_string(n + 1) + " of " + std::to_string(b.count) +
                                                   " failed (" + st.message() + "); nothing was applied");
    }
  }
  bridge_.commit_transaction();
  return OfStatus::ok();
}

}  // namespace strata::ofproto
