// OfStatus: the outcome of an OpenFlow operation. A failure carries the
// OFPT_ERROR type and code the 1.3 specification names for it, so the
// session can answer with exactly that, plus a sentence for logs and for
// the native API (which maps it to a Status).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "ofproto/ofp_constants.h"

namespace strata::ofproto {

class [[nodiscard]] OfStatus {
 public:
  OfStatus() = default;  // success
  OfStatus(uint16_t type, uint16_t code, std::string why) : failed_(true), type_(type), code_(code), why_(std::move(why)) {}
  // An OFPET_EXPERIMENTER error: `code` is the experimenter's.
  static OfStatus experimenter_error(uint32_t experimenter, uint16_t code, std::string why) {
    OfStatus st(ofp::kEtExperimenter, code, std::move(why));
    st.experimenter_ = experimenter;
    return st;
  }

  static OfStatus ok() { return {}; }
  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  uint16_t type() const { return type_; }
  uint16_t code() const { return code_; }
  const std::string& message() const { return why_; }
  uint32_t experimenter() const { return experimenter_; }  // for type kEtExperimenter

  // For the native API: every OpenFlow failure is the caller's bad request,
  // except a full table.
  Status to_status() const {
    if (!failed_) return Status::ok();
    if (type_ == ofp::kEtFlowModFailed && code_ == ofp::kFmfcTableFull) return resource_exhausted(why_);
    if (type_ == ofp::kEtGroupModFailed && code_ == ofp::kGmfcGroupExists) return already_exists(why_);
    if (type_ == ofp::kEtGroupModFailed && code_ == ofp::kGmfcUnknownGroup) return not_found(why_);
    return invalid_argument(why_);
  }

 private:
  bool failed_ = false;  // true when this describes an error
  uint16_t type_ = 0;    // ofp::ErrorType
  uint16_t code_ = 0;    // code within the type
  uint32_t experimenter_ = 0;  // the experimenter id of a kEtExperimenter error
  std::string why_;      // what was wrong, for people
};

// Shorthands used across the codec and the pipeline.
inline OfStatus bad_request(uint16_t code, std::string why) { return {ofp::kEtBadRequest, code, std::move(why)}; }
inline OfStatus bad_action(uint16_t code, std::string why) { return {ofp::kEtBadAction, code, std::move(why)}; }
inline OfStatus bad_instruction(uint16_t code, std::string why) { return {ofp::kEtBadInstruction, code, std::move(why)}; }
inline OfStatus bad_match(uint16_t code, std::string why) { return {ofp::kEtBadMatch, code, std::move(why)}; }
inline OfStatus flow_mod_failed(uint16_t code, std::string why) { return {ofp::kEtFlowModFailed, code, std::move(why)}; }
inline OfStatus group_mod_failed(uint16_t code, std::string why) { return {ofp::kEtGroupModFailed, code, std::move(why)}; }
inline OfStatus bundle_failed(uint16_t code, std::string why) {
  return OfStatus::experimenter_error(ofp::kOnfExperimenterId, code, std::move(why));
}

#define STRATA_OF_RETURN_IF_ERROR(expr)          \
  do {                                           \
    ::strata::ofproto::OfStatus of_st_ = (expr); \
    if (!of_st_) return of_st_;                  \
  } while (0)

}  // namespace strata::ofproto
