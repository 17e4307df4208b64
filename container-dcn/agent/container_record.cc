#include "container-dcn/agent/container_record.h"

#include <map>
#include <sstream>

namespace strata::dcn_agent {

namespace {

constexpr char kMagic[] = "strata-dcn/1";

}  // namespace

std::string encode_record(const ContainerRecord& r) {
  std::string s = std::string(kMagic) + " dcn=" + r.dcn + " name=" + r.spec.name +
                  " tag=" + tag_text(r.spec.tpid, r.spec.vid) + " mech=" + mechanism_name(r.mechanism);
  if (!r.spec.address.empty()) s += " addr=" + r.spec.address;
  if (!r.spec.mac.empty()) s += " mac=" + r.spec.mac;
  return s;
}

std::optional<ContainerRecord> decode_record(const std::string& alias) {
  std::istringstream in(alias);
  std::string word;
  if (!(in >> word) || word != kMagic) return std::nullopt;
  std::map<std::string, std::string> fields;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    if (!fields.emplace(word.substr(0, eq), word.substr(eq + 1)).second) return std::nullopt;  // repeated key
  }
  for (const auto& [key, value] : fields) {
    if (key != "dcn" && key != "name" && key != "tag" && key != "mech" && key != "addr" && key != "mac") {
      return std::nullopt;
    }
  }
  if (!fields.count("dcn") || !fields.count("name") || !fields.count("tag") || !fields.count("mech")) {
    return std::nullopt;
  }
  ContainerRecord r;
  r.dcn = fields["dcn"];
  if (!validate_name(r.dcn, "dcn")) return std::nullopt;
  r.spec.name = fields["name"];
  const std::string& tag = fields["tag"];
  const auto colon = tag.find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto tpid = parse_tpid(tag.substr(0, colon));
  if (!tpid) return std::nullopt;
  r.spec.tpid = *tpid;
  const std::string vid = tag.substr(colon + 1);
  if (vid.empty() || vid.size() > 4 || vid.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  r.spec.vid = static_cast<uint16_t>(std::stoi(vid));
  auto mechanism = parse_mechanism(fields["mech"]);
  if (!mechanism) return std::nullopt;
  r.mechanism = *mechanism;
  if (fields.count("addr")) r.spec.address = fields["addr"];
  if (fields.count("mac")) r.spec.mac = fields["mac"];
  if (!validate_spec(r.spec)) return std::nullopt;
  return r;
}

}  // namespace strata::dcn_agent
