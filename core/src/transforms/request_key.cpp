#include "llmstream/transforms/request_key.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "common/sha256.h"

namespace llmstream {
namespace {

// Writes tagged, length-prefixed fields, so that no two different requests serialize alike.
class Canonical {
 public:
  void Str(std::string_view tag, std::string_view value) {
    Raw(tag);
    Raw(std::to_string(value.size()));
    Raw(":");
    Raw(value);
    Raw(";");
  }
  void Int(std::string_view tag, int64_t value) { Str(tag, std::to_string(value)); }
  void Double(std::string_view tag, double value) {
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(bits));
    Str(tag, std::to_string(bits));
  }
  template <class T, class F>
  void Opt(std::string_view tag, const std::optional<T>& value, F write) {
    if (value) {
      write(tag, *value);
    } else {
      Str(tag, "<unset>");  // a length-prefixed string cannot collide with a set value's tag
      Raw("!");
    }
  }
  std::string Hex() { return sha_.Hex(); }

 private:
  void Raw(std::string_view bytes) { sha_.Update(bytes); }
  crypto_internal::Sha256 sha_;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string RequestKey(const ProviderConfig& config, const CompletionRequest& request,
                       std::string_view salt) {
  Canonical c;
  c.Str("v", "1");
  c.Str("salt", salt);
  c.Str("provider", ProviderName(config.provider));
  c.Str("api", WireApiName(ResolveApi(config)));
  std::string_view base = config.base_url;
  if (base.empty()) base = DefaultBaseUrl(config.provider);
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  c.Str("base", base);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : config.headers) {
    if (!IsSensitiveHeader(name)) headers.emplace_back(Lower(name), value);
  }
  std::sort(headers.begin(), headers.end());
  c.Int("headers", static_cast<int64_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    c.Str("h", name);
    c.Str("hv", value);
  }
  c.Str("model", request.model);
  c.Str("prompt", request.prompt);
  c.Str("system", request.system);
  c.Int("messages", static_cast<int64_t>(request.messages.size()));
  for (const Message& m : request.messages) {
    c.Str("role", m.role);
    c.Str("content", m.content);
    c.Str("name", m.name);
    c.Str("tool_call_id", m.tool_call_id);
    c.Str("content_json", m.content_json);
    c.Int("tool_calls", static_cast<int64_t>(m.tool_calls.size()));
    for (const ToolCallRequest& call : m.tool_calls) {
      c.Str("id", call.id);
      c.Str("name", call.name);
      c.Str("arguments", call.arguments);
    }
  }
  c.Opt("max_tokens", request.max_tokens, [&](std::string_view tag, int v) { c.Int(tag, v); });
  c.Opt("temperature", request.temperature,
        [&](std::string_view tag, double v) { c.Double(tag, v); });
  c.Opt("top_p", request.top_p, [&](std::string_view tag, double v) { c.Double(tag, v); });
  c.Int("stop", static_cast<int64_t>(request.stop.size()));
  for (const std::string& s : request.stop) c.Str("s", s);
  c.Int("tools", static_cast<int64_t>(request.tools.size()));
  for (const ToolDefinition& t : request.tools) {
    c.Str("name", t.name);
    c.Str("description", t.description);
    c.Str("parameters", t.parameters_json);
  }
  c.Str("tool_choice", request.tool_choice);
  c.Str("extra_body", request.extra_body_json);
  c.Opt("reasoning_effort", request.reasoning_effort,
        [&](std::string_view tag, const std::string& v) { c.Str(tag, v); });
  c.Opt("reasoning_budget", request.reasoning_budget_tokens,
        [&](std::string_view tag, int v) { c.Int(tag, v); });
  c.Int("n", request.n);
  return "llmstream-req-v1:" + c.Hex();
}

}  // namespace llmstream
