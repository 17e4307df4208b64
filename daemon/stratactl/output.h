// stratactl's two output forms: `--json`, the reply message in Protobuf's
// canonical JSON mapping with the .proto field names (so a script reads
// the same names the API documents), and human tables.
#pragma once

#include <google/protobuf/message.h>

#include <ostream>
#include <string>
#include <vector>

namespace strata::ctl {

// The message as indented JSON, every field present (zeros included).
void print_json(const google::protobuf::Message& message, std::ostream& out);

// Columns aligned to their widest cell; numeric columns right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // `numeric[i]`: column i holds numbers.
  void set_numeric(std::vector<bool> numeric) { numeric_ = std::move(numeric); }
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;            // column titles
  std::vector<bool> numeric_;                   // right-align these columns
  std::vector<std::vector<std::string>> rows_;  // cells, row by row
};

}  // namespace strata::ctl
