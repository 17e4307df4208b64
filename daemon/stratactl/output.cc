#include "daemon/stratactl/output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

namespace strata::ctl {

void print_json(const google::protobuf::Message& message, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out << json;
  if (json.empty() || json.back() != '\n') out << '\n';
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> width(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
      const bool right = c < numeric_.size() && numeric_[c];
      if (c != 0) s += "  ";
      s += right ? pad + cell : cell + (c + 1 < width.size() ? pad : "");
    }
    out << s << '\n';
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
}

}  // namespace strata::ctl
