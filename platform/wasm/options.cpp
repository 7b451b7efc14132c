#include "options.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "request/request_internal.h"

namespace llmstream::wasm {
namespace {

using json = request_internal::Json;

// The most keys one object of the options may hold: room for the caller's own large objects
// (logit_bias of a few hundred tokens, a tool schema's properties), and a bound on nlohmann's
// n^2 insertion (request_internal::ParseUntrustedJson).
constexpr size_t kMaxObjectKeys = 1024;

// Whether `v` is an integral number (JS numbers: 3 and 3.0 are the same value) within
// [min, max], compared exactly; *bits gets it (two's complement). A double converts only below
// 2^63, or 2^64 when it is not negative: 9223372036854775807 written as a double is 2^63, which
// no int64 holds, and converting it would be undefined behaviour. One function for every
// integer type (a template per type would cost the wasm module its size).
bool IntegerIn(const json& v, int64_t min, uint64_t max, uint64_t* bits) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  int64_t negative = 0;  // the value when it is below 0
  uint64_t value = 0;
  if (v.is_number_unsigned()) {
    value = v.get<uint64_t>();
  } else if (v.is_number_integer()) {
    negative = std::min<int64_t>(v.get<int64_t>(), 0);
    value = static_cast<uint64_t>(v.get<int64_t>());
  } else if (v.is_number_float()) {
    const double d = v.get<double>();  // NaN and infinities fail the test below
    if (!(d == std::floor(d) && d >= -kTwoTo63 && d < 2 * kTwoTo63)) return false;
    if (d < 0) negative = static_cast<int64_t>(d);
    value = d < 0 ? static_cast<uint64_t>(negative) : static_cast<uint64_t>(d);
  } else {
    return false;
  }
  const bool in_range = negative < 0
                            ? min <= negative
                            : value <= max && (min <= 0 || value >= static_cast<uint64_t>(min));
  if (in_range) *bits = value;
  return in_range;
}

// Reads keys of one JSON object. The first problem is kept; later reads become no-ops.
class Fields {
 public:
  Fields(const json& object, std::string prefix, std::string* problem)
      : object_(object), prefix_(std::move(prefix)), problem_(problem) {}

  // nullptr when absent or null.
  const json* Find(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  void String(const char* key, std::string* out) {
    if (const json* v = Find(key)) {
      if (v->is_string()) {
        *out = v->get_ref<const std::string&>();
      } else {
        Fail(key, "a string");
      }
    }
  }
  void OptionalString(const char* key, std::optional<std::string>* out) {
    if (Find(key) == nullptr) return;
    std::string value;
    String(key, &value);
    *out = std::move(value);
  }
  void Bool(const char* key, bool* out) {
    if (const json* v = Find(key)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Fail(key, "a boolean");
      }
    }
  }
  void Double(const char* key, std::optional<double>* out) {
    if (const json* v = Find(key)) {
      if (v->is_number()) {
        *out = v->get<double>();
      } else {
        Fail(key, "a number");
      }
    }
  }
  // An integral number within [min, max] (IntegerIn).
  template <typename T>
  void Int(const char* key, T* out, std::type_identity_t<T> min = std::numeric_limits<T>::min(),
           std::type_identity_t<T> max = std::numeric_limits<T>::max()) {
    uint64_t bits = 0;
    if (IntegerField(key, static_cast<int64_t>(min), static_cast<uint64_t>(max), &bits)) {
      *out = static_cast<T>(bits);  // within T: the conversion gives the value back
    }
  }
  // True with *bits when the key holds an integer in [min, max]; Fail when it holds anything else.
  bool IntegerField(const char* key, int64_t min, uint64_t max, uint64_t* bits) {
    const json* v = Find(key);
    if (v == nullptr) return false;
    if (IntegerIn(*v, min, max, bits)) return true;
    Fail(key, "an integer in range");
    return false;
  }
  template <typename T>
  void OptionalInt(const char* key, std::optional<T>* out) {
    if (Find(key) == nullptr) return;
    T value{};
    Int(key, &value);
    if (ok()) *out = value;
  }
  // A JSON object given either as an object (serialized here) or as JSON text.
  void JsonText(const char* key, std::string* out) {
    if (const json* v = Find(key)) {
      if (v->is_string()) {
        *out = v->get_ref<const std::string&>();
      } else if (v->is_object()) {
        *out = request_internal::Dump(*v);
      } else {
        Fail(key, "an object or JSON text");
      }
    }
  }

  void Fail(const std::string& key, std::string_view expected) {
    if (problem_->empty()) {
      *problem_ = "options." + prefix_ + key + " must be " + std::string(expected);
    }
  }
  bool ok() const { return problem_->empty(); }
  const std::string& prefix() const { return prefix_; }

 private:
  const json& object_;
  std::string prefix_;
  std::string* problem_;
};

void ParseHeaders(const json& value, std::vector<std::pair<std::string, std::string>>* out,
                  Fields* f) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it.value().is_string()) return f->Fail("headers." + it.key(), "a string");
      out->emplace_back(it.key(), it.value().get_ref<const std::string&>());
    }
  } else if (value.is_array()) {
    for (const json& pair : value) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        return f->Fail("headers", "an object or an array of [name, value] strings");
      }
      out->emplace_back(pair[0].get_ref<const std::string&>(),
                        pair[1].get_ref<const std::string&>());
    }
  } else {
    f->Fail("headers", "an object or an array of [name, value] strings");
  }
}

// {id, name, arguments} or OpenAI's {id, type, function: {name, arguments}}.
void ParseToolCall(const json& value, ToolCallRequest* out, Fields* parent,
                   const std::string& prefix, std::string* problem) {
  if (!value.is_object()) return parent->Fail(prefix, "an object");
  Fields f(value, prefix + ".", problem);
  f.String("id", &out->id);
  const json* fn = f.Find("function");
  const json& source = fn != nullptr && fn->is_object() ? *fn : value;
  Fields g(source, fn != nullptr ? prefix + ".function." : prefix + ".", problem);
  g.String("name", &out->name);
  g.JsonText("arguments", &out->arguments);
}

// A name table: the name of value 0, 1, ... ("unknown" past its end).
using NameOf = std::string_view (*)(uint8_t);

// "one of "a", "b", ..." for the `count` names of a table.
std::string OneOf(uint8_t count, NameOf name) {
  std::string names;
  for (uint8_t value = 0; value < count; ++value) {
    names += std::string(names.empty() ? "one of " : ", ") + '"' + std::string(name(value)) + '"';
  }
  return names;
}

uint8_t WireApiCount() { return static_cast<uint8_t>(WireApi::kCohereChat) + 1; }
std::string_view WireApiNameOf(uint8_t v) { return WireApiName(static_cast<WireApi>(v)); }

#ifndef LLMSTREAM_WEB_CORE  // conversations: the full module only (CMakeLists.txt)
// The value whose name is the string at `key` (required), else a Fail listing every name.
std::optional<uint8_t> Named(Fields* f, const char* key, uint8_t count, NameOf name) {
  if (const json* v = f->Find(key); v != nullptr && v->is_string()) {
    for (uint8_t value = 0; value < count; ++value) {
      if (name(value) == v->get_ref<const std::string&>()) return value;
    }
  }
  f->Fail(key, OneOf(count, name));
  return std::nullopt;
}

// {type, text, signature, data, id, blockType, toolCall}: a part as AppendJson(Message) writes it.
void ParsePart(const json& value, MessagePart* out, Fields* parent, const std::string& prefix,
               std::string* problem) {
  if (!value.is_object()) return parent->Fail(prefix, "an object");
  Fields f(value, prefix + ".", problem);
  const std::optional<uint8_t> kind =
      Named(&f, "type", static_cast<uint8_t>(PartKind::kProviderBlock) + 1,
            [](uint8_t v) { return PartKindName(static_cast<PartKind>(v)); });
  if (!kind) return;
  out->kind = static_cast<PartKind>(*kind);
  f.String("text", &out->text);
  f.String("signature", &out->signature);
  f.String("data", &out->data);
  f.String("id", &out->id);
  f.String("blockType", &out->type);
  if (const json* call = f.Find("toolCall")) {
    ParseToolCall(*call, &out->tool_call, &f, prefix + ".toolCall", problem);
  }
}

// {provider, api}: ProviderName and WireApiName, as AppendJson(Message) writes them.
void ParseOrigin(const json& value, MessageOrigin* out, Fields* parent, const std::string& prefix,
                 std::string* problem) {
  if (!value.is_object()) return parent->Fail(prefix, "an object {provider, api}");
  Fields f(value, prefix + ".", problem);
  const std::optional<uint8_t> provider = Named(&f, "provider", kProviderCount, [](uint8_t v) {
    return ProviderName(static_cast<Provider>(v));
  });
  const std::optional<uint8_t> api = Named(&f, "api", WireApiCount(), &WireApiNameOf);
  if (provider && api) {
    *out = MessageOrigin{.provider = static_cast<Provider>(*provider),
                         .api = static_cast<WireApi>(*api)};
  }
}
#endif

void ParseMessage(const json& value, Message* out, Fields* parent, const std::string& prefix,
                  std::string* problem) {
  if (!value.is_object()) return parent->Fail(prefix, "an object");
  Fields f(value, prefix + ".", problem);
  f.String("role", &out->role);
  if (const json* content = f.Find("content")) {
    if (content->is_string()) {
      out->content = content->get_ref<const std::string&>();
    } else if (content->is_array() || content->is_object()) {
      out->content_json = request_internal::Dump(*content);  // the target API's content, verbatim
    } else {
      f.Fail("content", "a string, an array or an object");
    }
  }
  f.String("name", &out->name);
  f.String("tool_call_id", &out->tool_call_id);
  f.String("toolCallId", &out->tool_call_id);
  const json* calls = f.Find("tool_calls");
  if (calls == nullptr) calls = f.Find("toolCalls");
  if (calls != nullptr) {
    if (!calls->is_array()) return f.Fail("tool_calls", "an array");
    for (size_t i = 0; i < calls->size() && f.ok(); ++i) {
      ParseToolCall((*calls)[i], &out->tool_calls.emplace_back(), &f,
                    prefix + ".tool_calls[" + std::to_string(i) + "]", problem);
    }
  }
#ifdef LLMSTREAM_WEB_CORE
  // Conversations are the full module's (CMakeLists.txt: the core module's size budget).
  for (const char* key : {"parts", "origin", "isError"}) {
    if (f.Find(key) != nullptr)
      return f.Fail(key, "read by the full core module (this is the core one)");
  }
#else
  f.Bool("isError", &out->is_error);
  if (const json* parts = f.Find("parts")) {
    if (!parts->is_array()) return f.Fail("parts", "an array");
    for (size_t i = 0; i < parts->size() && f.ok(); ++i) {
      out->parts.push_back(MessagePart{});  // push_back(&&): AssistantMessage's instantiation
      ParsePart((*parts)[i], &out->parts.back(), &f, prefix + ".parts[" + std::to_string(i) + "]",
                problem);
    }
  }
  if (const json* origin = f.Find("origin")) {
    ParseOrigin(*origin, &out->origin.emplace(), &f, prefix + ".origin", problem);
  }
#endif
}

// {name, description, parameters} or OpenAI's {type: "function", function: {...}}.
void ParseTool(const json& value, ToolDefinition* out, Fields* parent, const std::string& prefix,
               std::string* problem) {
  if (!value.is_object()) return parent->Fail(prefix, "an object");
  Fields outer(value, prefix + ".", problem);
  const json* fn = outer.Find("function");
  const json& source = fn != nullptr && fn->is_object() ? *fn : value;
  Fields f(source, fn != nullptr ? prefix + ".function." : prefix + ".", problem);
  f.String("name", &out->name);
  f.String("description", &out->description);
  f.JsonText("parameters", &out->parameters_json);
}

// {type: 'json_object'}, {type: 'json_schema', name, schema, strict}, or OpenAI's
// {type: 'json_schema', json_schema: {name, schema, strict}}; {type: 'text'} is the default.
void ParseResponseFormat(const json& value, ResponseFormat* out, Fields* parent,
                         std::string* problem) {
  if (!value.is_object()) return parent->Fail("responseFormat", "an object {type, schema, ...}");
  Fields f(value, "responseFormat.", problem);
  std::string type;
  f.String("type", &type);
  if (type == "json_object") {
    out->type = ResponseFormatType::kJsonObject;
    return;
  }
  if (type != "json_schema") {
    if (type != "text") f.Fail("type", "'json_schema', 'json_object' or 'text'");
    return;
  }
  out->type = ResponseFormatType::kJsonSchema;
  const json* nested = f.Find("json_schema");
  Fields s(nested != nullptr && nested->is_object() ? *nested : value,
           nested != nullptr ? "responseFormat.json_schema." : "responseFormat.", problem);
  s.String("name", &out->name);
  s.JsonText("schema", &out->schema_json);
  s.Bool("strict", &out->strict);
}

// Bedrock's AWS credentials in the AWS SDK's shape: {accessKeyId, secretAccessKey, sessionToken}.
void ParseCredentials(const json& value, AwsCredentials* out, Fields* parent,
                      std::string* problem) {
  if (!value.is_object()) return parent->Fail("credentials", "an object");
  Fields f(value, "credentials.", problem);
  f.String("accessKeyId", &out->access_key_id);
  f.String("secretAccessKey", &out->secret_access_key);
  f.String("sessionToken", &out->session_token);
}

void Parse(const json& root, SessionOptions* o, std::string* problem) {
  Fields f(root, "", problem);
  // --- ProviderConfig ---
  if (const json* v = f.Find("provider")) {
    if (!v->is_string()) return f.Fail("provider", "a string");
    std::optional<Provider> provider = ParseProvider(v->get_ref<const std::string&>());
    // A relay is read by the package's own client (npm/src/relay/client.js), never by a module.
    if (!provider || *provider == Provider::kRelay) {
      return f.Fail("provider", "a provider name (PROVIDERS: openai, anthropic, gemini, ...)");
    }
    o->provider.provider = *provider;
  }
  f.String("apiKey", &o->provider.api_key);
  f.String("baseURL", &o->provider.base_url);
  f.String("baseUrl", &o->provider.base_url);
  if (const json* v = f.Find("headers")) ParseHeaders(*v, &o->provider.headers, &f);
  f.String("region", &o->provider.region);
  if (const json* v = f.Find("credentials")) {
    ParseCredentials(*v, &o->provider.aws_credentials, &f, problem);
  }
  if (const json* v = f.Find("api")) {
    std::optional<WireApi> api =
        v->is_string() ? ParseWireApi(v->get_ref<const std::string&>()) : std::nullopt;
    if (!api) {
      // Every name ParseWireApi takes ('-' for '_' too), from its own tables.
      std::string names = OneOf(WireApiCount(), &WireApiNameOf);
      for (const WireApiShortName& short_name : kWireApiShortNames) {
        names += ", \"" + std::string(short_name.name) + '"';
      }
      return f.Fail("api", names);
    }
    o->provider.api = api;
  }
  // --- CompletionRequest ---
  CompletionRequest& r = o->request;
  f.String("model", &r.model);
  f.String("prompt", &r.prompt);
  f.String("system", &r.system);
  if (const json* v = f.Find("messages")) {
    if (!v->is_array()) return f.Fail("messages", "an array");
    for (size_t i = 0; i < v->size() && f.ok(); ++i) {
      ParseMessage((*v)[i], &r.messages.emplace_back(), &f, "messages[" + std::to_string(i) + "]",
                   problem);
    }
  }
  f.OptionalInt("maxTokens", &r.max_tokens);
  f.Double("temperature", &r.temperature);
  f.Double("topP", &r.top_p);
  if (const json* v = f.Find("stop")) {
    if (v->is_string()) {
      r.stop.push_back(v->get_ref<const std::string&>());
    } else if (v->is_array()) {
      for (const json& s : *v) {
        if (!s.is_string()) return f.Fail("stop", "a string or an array of strings");
        r.stop.push_back(s.get_ref<const std::string&>());
      }
    } else {
      return f.Fail("stop", "a string or an array of strings");
    }
  }
  if (const json* v = f.Find("tools")) {
    if (!v->is_array()) return f.Fail("tools", "an array");
    for (size_t i = 0; i < v->size() && f.ok(); ++i) {
      ParseTool((*v)[i], &r.tools.emplace_back(), &f, "tools[" + std::to_string(i) + "]", problem);
    }
  }
  if (const json* v = f.Find("toolChoice")) {
    if (v->is_string()) {
      r.tool_choice = v->get_ref<const std::string&>();
    } else if (v->is_object()) {
      // {type: "function", function: {name}} (OpenAI) or {type: "tool", name} (Anthropic)
      Fields c(*v, "toolChoice.", problem);
      const json* fn = c.Find("function");
      Fields n(fn != nullptr && fn->is_object() ? *fn : *v, "toolChoice.", problem);
      n.String("name", &r.tool_choice);
      if (r.tool_choice.empty()) c.String("type", &r.tool_choice);
    } else {
      return f.Fail("toolChoice", "a string or an object");
    }
  }
  f.Int("n", &r.n, 1, 128);
  f.OptionalString("reasoningEffort", &r.reasoning_effort);
  f.OptionalInt("reasoningBudgetTokens", &r.reasoning_budget_tokens);
  f.JsonText("extraBody", &r.extra_body_json);
  if (const json* v = f.Find("responseFormat")) {
    ParseResponseFormat(*v, &r.response_format, &f, problem);
  }
  // --- RetryPolicy, Timeouts ---
  f.Int("maxRetries", &o->retry.max_retries, 0, 100);
  f.Int("retryBaseDelayMs", &o->retry.base_delay_ms, 0);
  f.Int("retryMaxDelayMs", &o->retry.max_delay_ms, 0);
  std::optional<double> jitter;
  f.Double("retryJitter", &jitter);
  if (jitter) {
    if (!(*jitter >= 0 && *jitter <= 1)) return f.Fail("retryJitter", "a number in 0..1");
    o->retry.jitter = *jitter;
  }
  f.Int("firstByteTimeoutMs", &o->timeouts.first_byte_ms, 0);
  f.Int("idleTimeoutMs", &o->timeouts.idle_ms, 0);
  f.Int("totalTimeoutMs", &o->timeouts.total_ms, 0);
  f.Int("outputIdleTimeoutMs", &o->timeouts.output_idle_ms, 0);
  // --- StreamLimits (the counts keep their defaults: bounds against hostile servers) ---
  f.Int("maxCompletionBytes", &o->limits.max_completion_bytes, 0);
  // --- flags ---
  f.Bool("keepAliveEvents", &o->keep_alive_events);
  f.Bool("continuation", &o->continuation);
  f.Bool("estimateUsage", &o->estimate_usage);
  f.Bool("rawEvents", &o->raw_events);
  // On unless turned off: the npm package's chunks carry partialObject.
  o->partial_objects = true;
  f.Bool("partialObjects", &o->partial_objects);
  f.Int("randomSeed", &o->random_seed, 0);
  f.OptionalInt("unixMsAtZero", &o->unix_ms_at_zero);
}

}  // namespace

bool ParseSessionOptions(std::string_view json_text, SessionOptions* out, Error* error) {
  // An object of more than kMaxObjectKeys keys or nesting deeper than 512 levels is refused
  // before it is built.
  using request_internal::UntrustedJson;
  static_assert(kMaxObjectKeys == 1024 && request_internal::kMaxUntrustedDepth == 512);
  json root;
  const UntrustedJson parsed =
      request_internal::ParseUntrustedJson(json_text, kMaxObjectKeys, &root);
  std::string problem;
  if (parsed == UntrustedJson::kNotJson) {
    problem = "the options are not valid JSON";
  } else if (parsed == UntrustedJson::kTooManyKeys) {
    problem = "the options have an object of more than 1024 keys";
  } else if (parsed == UntrustedJson::kTooDeep) {
    problem = "the options nest deeper than 512 levels";
  } else if (!root.is_object()) {
    problem = "the options must be a JSON object";
  } else {
    Parse(root, out, &problem);
  }
  if (problem.empty()) return true;
  if (error != nullptr) {
    error->code = ErrorCode::kInvalidRequest;
    error->message = std::move(problem);
  }
  return false;
}

}  // namespace llmstream::wasm
