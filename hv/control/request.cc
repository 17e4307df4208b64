#include "hv/control/request.h"

#include <nlohmann/json.hpp>

namespace strata::hv::control {
namespace {

using json = nlohmann::json;

struct CommandInfo {
  Command command;
  const char* name;
  std::initializer_list<const char*> arguments;  // allowed besides "command"
};
const CommandInfo kCommands[] = {
    {Command::kStatus, "status", {}},
    {Command::kPause, "pause", {}},
    {Command::kResume, "resume", {}},
    {Command::kSnapshot, "snapshot", {"dir"}},
    {Command::kMigrate, "migrate", {"to", "downtime_ms"}},
    {Command::kStop, "stop", {}},
};

Result<std::string> string_argument(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return invalid_argument(std::string("missing \"") + key + "\"");
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return invalid_argument(std::string("\"") + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace

const char* command_name(Command c) {
  for (const CommandInfo& info : kCommands) {
    if (info.command == c) return info.name;
  }
  return "?";
}

Result<Request> parse_request(std::string_view line) {
  if (line.size() > kMaxRequestBytes) {
    return invalid_argument("request of " + std::to_string(line.size()) + " bytes; the limit is " +
                            std::to_string(kMaxRequestBytes));
  }
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("request is not valid JSON");
  if (!j.is_object()) return invalid_argument("request must be a JSON object");
  auto name = string_argument(j, "command");
  if (!name) return name.status();
  const CommandInfo* info = nullptr;
  for (const CommandInfo& c : kCommands) {
    if (*name == c.name) info = &c;
  }
  if (!info) return invalid_argument("unknown command \"" + *name + "\" (known: status, pause, resume, snapshot, migrate, stop)");
  for (const auto& [key, value] : j.items()) {
    if (key == "command") continue;
    bool allowed = false;
    for (const char* a : info->arguments) allowed = allowed || key == a;
    if (!allowed) return invalid_argument(std::string(info->name) + " takes no argument \"" + key + "\"");
  }
  Request r;
  r.command = info->command;
  if (r.command == Command::kSnapshot) {
    auto dir = string_argument(j, "dir");
    if (!dir) return dir.status().with_context("snapshot");
    r.dir = *dir;
  }
  if (r.command == Command::kMigrate) {
    auto to = string_argument(j, "to");
    if (!to) return to.status().with_context("migrate");
    r.to = *to;
    if (auto it = j.find("downtime_ms"); it != j.end()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 || it->get<uint64_t>() > kMaxDowntimeMs) {
        return invalid_argument("migrate: \"downtime_ms\" must be a whole number in 1.." + std::to_string(kMaxDowntimeMs));
      }
      r.downtime_ms = uint32_t(it->get<uint64_t>());
    }
  }
  return r;
}

std::string format_request(const Request& r) {
  json j = {{"command", command_name(r.command)}};
  if (r.command == Command::kSnapshot) j["dir"] = r.dir;
  if (r.command == Command::kMigrate) {
    j["to"] = r.to;
    j["downtime_ms"] = r.downtime_ms;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Status parse_reply(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
    return invalid_argument("strata-hv answered something that is not a reply: " + std::string(line.substr(0, 200)));
  }
  if (j["ok"].get<bool>()) return Status::ok();
  auto it = j.find("error");
  return failed_precondition(it != j.end() && it->is_string() ? it->get<std::string>() : "failed (no reason given)");
}

std::string format_reply(const std::map<std::string, ReplyValue>& fields) {
  json j = json::object();
  j["ok"] = true;
  for (const auto& field : fields) {
    const std::string& key = field.first;  // clang 14 cannot capture a structured binding
    std::visit([&j, &key](const auto& v) { j[key] = v; }, field.second);
  }
  // Replace, not throw, on bytes that are not UTF-8 (a path can hold them).
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string format_error(const Status& s) {
  json j = {{"ok", false}, {"error", s.message()}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace strata::hv::control
