// OpenFlow 1.3 (wire version 0x04) numbers: message types, reserved ports
// and groups, error types and codes, flags. Values are the specification's;
// names follow it with the OFP prefix turned into a namespace.
#pragma once

#include <cstdint>

namespace strata::ofproto::ofp {

inline constexpr uint8_t kVersion = 0x04;           // OpenFlow 1.3
inline constexpr size_t kHeaderLen = 8;             // version, type, length, xid
inline constexpr size_t kMaxMessageLen = 0xffff;    // the length field is 16 bits
inline constexpr size_t kErrorDataMax = 64;         // bytes of a bad request echoed in ERROR

enum MsgType : uint8_t {
  kHello = 0,
  kError = 1,
  kEchoRequest = 2,
  kEchoReply = 3,
  kExperimenter = 4,
  kFeaturesRequest = 5,
  kFeaturesReply = 6,
  kGetConfigRequest = 7,
  kGetConfigReply = 8,
  kSetConfig = 9,
  kPacketIn = 10,
  kFlowRemoved = 11,
  kPortStatus = 12,
  kPacketOut = 13,
  kFlowMod = 14,
  kGroupMod = 15,
  kPortMod = 16,
  kTableMod = 17,
  kMultipartRequest = 18,
  kMultipartReply = 19,
  kBarrierRequest = 20,
  kBarrierReply = 21,
  kQueueGetConfigRequest = 22,
  kQueueGetConfigReply = 23,
  kRoleRequest = 24,
  kRoleReply = 25,
  kGetAsyncRequest = 26,
  kGetAsyncReply = 27,
  kSetAsync = 28,
  kMeterMod = 29,
  kMsgTypeCount = 30,
};

enum MultipartType : uint16_t {
  kMpDesc = 0,
  kMpFlow = 1,
  kMpAggregate = 2,
  kMpTable = 3,
  kMpPortStats = 4,
  kMpQueue = 5,
  kMpGroup = 6,
  kMpGroupDesc = 7,
  kMpGroupFeatures = 8,
  kMpMeter = 9,
  kMpMeterConfig = 10,
  kMpMeterFeatures = 11,
  kMpTableFeatures = 12,
  kMpPortDesc = 13,
  kMpExperimenter = 0xffff,
};
inline constexpr uint16_t kMpfMore = 1;  // OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE

// Reserved port numbers.
inline constexpr uint32_t kPortMax = 0xffffff00;
inline constexpr uint32_t kPortInPort = 0xfffffff8;
inline constexpr uint32_t kPortTable = 0xfffffff9;
inline constexpr uint32_t kPortNormal = 0xfffffffa;
inline constexpr uint32_t kPortFlood = 0xfffffffb;
inline constexpr uint32_t kPortAll = 0xfffffffc;
inline constexpr uint32_t kPortController = 0xfffffffd;
inline constexpr uint32_t kPortLocal = 0xfffffffe;
inline constexpr uint32_t kPortAny = 0xffffffff;

inline constexpr uint32_t kGroupMax = 0xffffff00;
inline constexpr uint32_t kGroupAll = 0xfffffffc;
inline constexpr uint32_t kGroupAny = 0xffffffff;

inline constexpr uint8_t kTableMax = 0xfe;
inline constexpr uint8_t kTableAll = 0xff;
inline constexpr uint32_t kNoBuffer = 0xffffffff;
inline constexpr uint16_t kControllerMaxLenNoBuffer = 0xffff;  // OFPCML_NO_BUFFER
inline constexpr uint16_t kVidPresent = 0x1000;                // OFPVID_PRESENT
inline constexpr uint16_t kVidNone = 0x0000;                   // OFPVID_NONE

enum FlowModCommand : uint8_t { kFcAdd = 0, kFcModify = 1, kFcModifyStrict = 2, kFcDelete = 3, kFcDeleteStrict = 4 };
enum FlowModFlags : uint16_t {
  kFfSendFlowRem = 1 << 0,
  kFfCheckOverlap = 1 << 1,
  kFfResetCounts = 1 << 2,
  kFfNoPktCounts = 1 << 3,
  kFfNoBytCounts = 1 << 4,
};
enum FlowRemovedReason : uint8_t { kRrIdleTimeout = 0, kRrHardTimeout = 1, kRrDelete = 2, kRrGroupDelete = 3 };
enum PacketInReason : uint8_t { kPrNoMatch = 0, kPrAction = 1, kPrInvalidTtl = 2 };
enum PortReason : uint8_t { kPprAdd = 0, kPprDelete = 1, kPprModify = 2 };
enum GroupModCommand : uint16_t { kGcAdd = 0, kGcModify = 1, kGcDelete = 2 };
enum GroupType : uint8_t { kGtAll = 0, kGtSelect = 1, kGtIndirect = 2, kGtFastFailover = 3 };
enum ControllerRole : uint32_t { kRoleNoChange = 0, kRoleEqual = 1, kRoleMaster = 2, kRoleSlave = 3 };

enum PortConfig : uint32_t { kPcPortDown = 1 << 0, kPcNoRecv = 1 << 2, kPcNoFwd = 1 << 5, kPcNoPacketIn = 1 << 6 };
enum PortState : uint32_t { kPsLinkDown = 1 << 0, kPsBlocked = 1 << 1, kPsLive = 1 << 2 };
inline constexpr uint32_t kPortConfigMask = kPcPortDown | kPcNoRecv | kPcNoFwd | kPcNoPacketIn;
// Port features (ofp_port.curr): 10 Gb full duplex, copper.
inline constexpr uint32_t kPf10GbFd = 1 << 6;
inline constexpr uint32_t kPfCopper = 1 << 11;

enum Capabilities : uint32_t {
  kCapFlowStats = 1 << 0,
  kCapTableStats = 1 << 1,
  kCapPortStats = 1 << 2,
  kCapGroupStats = 1 << 3,
};
enum ConfigFlags : uint16_t { kConfigFragNormal = 0, kConfigFragDrop = 1, kConfigFragReasm = 2, kConfigFragMask = 3 };

enum InstructionType : uint16_t {
  kItGotoTable = 1,
  kItWriteMetadata = 2,
  kItWriteActions = 3,
  kItApplyActions = 4,
  kItClearActions = 5,
  kItMeter = 6,
  kItExperimenter = 0xffff,
};

enum ActionTypeWire : uint16_t {
  kAtOutput = 0,
  kAtCopyTtlOut = 11,
  kAtCopyTtlIn = 12,
  kAtSetMplsTtl = 15,
  kAtDecMplsTtl = 16,
  kAtPushVlan = 17,
  kAtPopVlan = 18,
  kAtPushMpls = 19,
  kAtPopMpls = 20,
  kAtSetQueue = 21,
  kAtGroup = 22,
  kAtSetNwTtl = 23,
  kAtDecNwTtl = 24,
  kAtSetField = 25,
  kAtPushPbb = 26,
  kAtPopPbb = 27,
  kAtExperimenter = 0xffff,
};

inline constexpr uint16_t kMatchTypeOxm = 1;  // OFPMT_OXM
inline constexpr uint16_t kOxmClassBasic = 0x8000;
inline constexpr uint16_t kOxmClassExperimenter = 0xffff;

// ---- errors: type, then each type's codes ---------------------------------
enum ErrorType : uint16_t {
  kEtHelloFailed = 0,
  kEtBadRequest = 1,
  kEtBadAction = 2,
  kEtBadInstruction = 3,
  kEtBadMatch = 4,
  kEtFlowModFailed = 5,
  kEtGroupModFailed = 6,
  kEtPortModFailed = 7,
  kEtTableModFailed = 8,
  kEtQueueOpFailed = 9,
  kEtSwitchConfigFailed = 10,
  kEtRoleRequestFailed = 11,
  kEtMeterModFailed = 12,
  kEtTableFeaturesFailed = 13,
  kEtExperimenter = 0xffff,  // the code is the experimenter's; its id follows in the body
};
enum HelloFailedCode : uint16_t { kHfcIncompatible = 0, kHfcEperm = 1 };
enum BadRequestCode : uint16_t {
  kBrcBadVersion = 0,
  kBrcBadType = 1,
  kBrcBadMultipart = 2,
  kBrcBadExperimenter = 3,
  kBrcBadExpType = 4,
  kBrcEperm = 5,
  kBrcBadLen = 6,
  kBrcBufferEmpty = 7,
  kBrcBufferUnknown = 8,
  kBrcBadTableId = 9,
  kBrcIsSlave = 10,
  kBrcBadPort = 11,
  kBrcBadPacket = 12,
  kBrcMultipartBufferOverflow = 13,
};
enum BadActionCode : uint16_t {
  kBacBadType = 0,
  kBacBadLen = 1,
  kBacBadExperimenter = 2,
  kBacBadExpType = 3,
  kBacBadOutPort = 4,
  kBacBadArgument = 5,
  kBacEperm = 6,
  kBacTooMany = 7,
  kBacBadQueue = 8,
  kBacBadOutGroup = 9,
  kBacMatchInconsistent = 10,
  kBacUnsupportedOrder = 11,
  kBacBadTag = 12,
  kBacBadSetType = 13,
  kBacBadSetLen = 14,
  kBacBadSetArgument = 15,
};
enum BadInstructionCode : uint16_t {
  kBicUnknownInst = 0,
  kBicUnsupInst = 1,
  kBicBadTableId = 2,
  kBicUnsupMetadata = 3,
  kBicUnsupMetadataMask = 4,
  kBicBadExperimenter = 5,
  kBicBadExpType = 6,
  kBicBadLen = 7,
  kBicEperm = 8,
};
enum BadMatchCode : uint16_t {
  kBmcBadType = 0,
  kBmcBadLen = 1,
  kBmcBadTag = 2,
  kBmcBadDlAddrMask = 3,
  kBmcBadNwAddrMask = 4,
  kBmcBadWildcards = 5,
  kBmcBadField = 6,
  kBmcBadValue = 7,
  kBmcBadMask = 8,
  kBmcBadPrereq = 9,
  kBmcDupField = 10,
  kBmcEperm = 11,
};
enum FlowModFailedCode : uint16_t {
  kFmfcUnknown = 0,
  kFmfcTableFull = 1,
  kFmfcBadTableId = 2,
  kFmfcOverlap = 3,
  kFmfcEperm = 4,
  kFmfcBadTimeout = 5,
  kFmfcBadCommand = 6,
  kFmfcBadFlags = 7,
};
enum GroupModFailedCode : uint16_t {
  kGmfcGroupExists = 0,
  kGmfcInvalidGroup = 1,
  kGmfcWeightUnsupported = 2,
  kGmfcOutOfGroups = 3,
  kGmfcOutOfBuckets = 4,
  kGmfcChainingUnsupported = 5,
  kGmfcWatchUnsupported = 6,
  kGmfcLoop = 7,
  kGmfcUnknownGroup = 8,
  kGmfcChainedGroup = 9,
  kGmfcBadType = 10,
  kGmfcBadCommand = 11,
  kGmfcBadBucket = 12,
  kGmfcBadWatch = 13,
  kGmfcEperm = 14,
};
enum PortModFailedCode : uint16_t { kPmfcBadPort = 0, kPmfcBadHwAddr = 1, kPmfcBadConfig = 2, kPmfcBadAdvertise = 3, kPmfcEperm = 4 };
enum TableModFailedCode : uint16_t { kTmfcBadTable = 0, kTmfcBadConfig = 1, kTmfcEperm = 2 };
enum SwitchConfigFailedCode : uint16_t { kScfcBadFlags = 0, kScfcBadLen = 1, kScfcEperm = 2 };
enum RoleRequestFailedCode : uint16_t { kRrfcStale = 0, kRrfcUnsup = 1, kRrfcBadRole = 2 };
enum MeterModFailedCode : uint16_t { kMmfcUnknown = 0 };
enum TableFeaturesFailedCode : uint16_t { kTffcBadTable = 0, kTffcBadMetadata = 1, kTffcBadType = 2, kTffcBadLen = 3, kTffcBadArgument = 4, kTffcEperm = 5 };

// ---- bundles: OpenFlow 1.4's, as ONF extension 230 offers them to 1.3 ------
// (what `ovs-ofctl -O OpenFlow13 --bundle` speaks). Both messages are
// OFPT_EXPERIMENTER with the ONF experimenter id; their errors are
// OFPET_EXPERIMENTER errors with the same id and the codes below.
inline constexpr uint32_t kOnfExperimenterId = 0x4f4e4600;  // "ONF\0"
enum OnfExperimenterType : uint32_t {
  kOnfBundleControl = 2300,  // ONFT_BUNDLE_CONTROL: open / close / commit / discard
  kOnfBundleAdd = 2301,      // ONFT_BUNDLE_ADD_MESSAGE: one message into a bundle
};
enum BundleCtrlType : uint16_t {
  kBctOpenRequest = 0,
  kBctOpenReply = 1,
  kBctCloseRequest = 2,
  kBctCloseReply = 3,
  kBctCommitRequest = 4,
  kBctCommitReply = 5,
  kBctDiscardRequest = 6,
  kBctDiscardReply = 7,
};
enum BundleFlags : uint16_t { kBfAtomic = 1, kBfOrdered = 2 };
enum BundleFailedCode : uint16_t {  // ONF 1.3 codes (OpenFlow 1.4: type 17, code - 2300)
  kBfcUnknown = 2300,
  kBfcEperm = 2301,
  kBfcBadId = 2302,
  kBfcBundleExist = 2303,
  kBfcBundleClosed = 2304,
  kBfcOutOfBundles = 2305,
  kBfcBadType = 2306,
  kBfcBadFlags = 2307,
  kBfcMsgBadLen = 2308,
  kBfcMsgBadXid = 2309,
  kBfcMsgUnsup = 2310,
  kBfcMsgConflict = 2311,
  kBfcMsgTooMany = 2312,
  kBfcMsgFailed = 2313,
  kBfcTimeout = 2314,
  kBfcBusy = 2315,
};

}  // namespace strata::ofproto::ofp
