// Provider names, URL and header construction, validation shared by every wire API, and the
// BuildRequest entry point. The per-API bodies live in chat_body.cpp, responses_body.cpp and
// anthropic_body.cpp.
#include "llmstream/request.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

#include "json/writer.h"
#include "llmstream/url_redaction.h"
#include "request/request_internal.h"

namespace llmstream {

namespace request_internal {

bool Invalid(Error* error, std::string message) {
  if (error != nullptr) {
    *error = Error{};
    error->code = ErrorCode::kInvalidRequest;
    error->message = std::move(message);
  }
  return false;
}

bool ParseJson(std::string_view text, Json* out) {
  // Through the SAX entry point with nlohmann's own DOM builder: Json::parse would also compile
  // its parser-with-callback builder (a runtime branch on a null callback), ~4 KB of the wasm
  // module for nothing.
  Json parsed;
  nlohmann::detail::json_sax_dom_parser<Json> builder(parsed, /*allow_exceptions_=*/false);
  if (!Json::sax_parse(text.begin(), text.end(), &builder) || builder.is_errored()) return false;
  *out = std::move(parsed);
  return true;
}

UntrustedJson ParseUntrustedJson(std::string_view text, size_t max_object_keys, Json* out) {
  // One pass counts the keys of every open object before nlohmann builds anything: a key is a ':'
  // outside strings whose innermost open container is an object. That is exact for valid JSON,
  // and nlohmann refuses invalid text where it goes wrong, before it has built more than what was
  // counted so far. (A pass of json::Reader would do the same at four times the wasm bytes.)
  constexpr uint32_t kArray = ~uint32_t{0};
  uint32_t keys[kMaxUntrustedDepth];  // per open container: its keys so far, or kArray
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, '"' included
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth == kMaxUntrustedDepth) return UntrustedJson::kTooDeep;
      keys[depth++] = c == '{' ? 0 : kArray;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;  // not JSON: nlohmann stops there
      --depth;
    } else if (c == ':' && depth > 0 && keys[depth - 1] != kArray &&
               ++keys[depth - 1] > max_object_keys) {
      return UntrustedJson::kTooManyKeys;
    }
  }
  return ParseJson(text, out) ? UntrustedJson::kOk : UntrustedJson::kNotJson;
}

namespace {

// The library's own writer over the DOM (not nlohmann's serializer: see json::AppendNumber).
void AppendDom(std::string* out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out->push_back(',');
        first = false;
        json::AppendString(out, key);
        out->push_back(':');
        AppendDom(out, member);
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out->push_back(',');
        first = false;
        AppendDom(out, item);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::string:
      json::AppendString(out, value.get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      json::AppendInt(out, value.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out->append(std::to_string(value.get<uint64_t>()));
      return;
    case Json::value_t::number_float:
      json::AppendNumber(out, value.get<double>());
      return;
    case Json::value_t::null:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      out->append("null");
      return;
  }
}

}  // namespace

std::string Dump(const Json& value) {
  std::string out;
  AppendDom(&out, value);
  return out;
}

Json ToolParameters(const ToolDefinition& tool) {
  Json schema;
  if (tool.parameters_json.empty() || !ParseJson(tool.parameters_json, &schema) ||
      !schema.is_object()) {
    schema = Json::object();
    schema["type"] = "object";
    schema["properties"] = Json::object();
  }
  return schema;
}

Json MessageContent(const Message& message) {
  Json content;
  if (!message.content_json.empty() && ParseJson(message.content_json, &content)) return content;
  return Json(message.content);
}

}  // namespace request_internal

using request_internal::Invalid;
using request_internal::Json;

std::string_view ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kOpenAI:
      return "openai";
    case Provider::kAnthropic:
      return "anthropic";
    case Provider::kGroq:
      return "groq";
    case Provider::kOpenRouter:
      return "openrouter";
    case Provider::kCompatible:
      return "compatible";
    case Provider::kLocal:
      return "local";
  }
  return "unknown";
}

std::optional<Provider> ParseProvider(std::string_view name) {
  const std::string lower = request_internal::ToLowerAscii(name);
  if (lower == "openai") return Provider::kOpenAI;
  if (lower == "anthropic") return Provider::kAnthropic;
  if (lower == "groq") return Provider::kGroq;
  if (lower == "openrouter") return Provider::kOpenRouter;
  if (lower == "compatible" || lower == "openai-compatible") return Provider::kCompatible;
  if (lower == "local") return Provider::kLocal;
  return std::nullopt;
}

std::string_view WireApiName(WireApi api) {
  switch (api) {
    case WireApi::kChatCompletions:
      return "chat_completions";
    case WireApi::kResponses:
      return "responses";
    case WireApi::kAnthropicMessages:
      return "anthropic_messages";
    case WireApi::kGeminiGenerateContent:
      return "gemini_generate_content";
    case WireApi::kBedrockConverse:
      return "bedrock_converse";
    case WireApi::kOllamaChat:
      return "ollama_chat";
    case WireApi::kOllamaGenerate:
      return "ollama_generate";
    case WireApi::kCohereChat:
      return "cohere_chat";
  }
  return "unknown";
}

std::optional<WireApi> ParseWireApi(std::string_view name) {
  if (name == "chat") return WireApi::kChatCompletions;
  if (name == "messages") return WireApi::kAnthropicMessages;
  // A name, or its spelling with '-' for '_'.
  const auto spells = [name](std::string_view canonical) {
    if (name.size() != canonical.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] != canonical[i] && !(name[i] == '-' && canonical[i] == '_')) return false;
    }
    return true;
  };
  for (uint8_t value = 0; value <= static_cast<uint8_t>(WireApi::kCohereChat); ++value) {
    const WireApi api = static_cast<WireApi>(value);
    if (spells(WireApiName(api))) return api;
  }
  return std::nullopt;
}

std::string_view DefaultModel(Provider provider) {
  switch (provider) {
    case Provider::kOpenAI:
      return "gpt-4o-mini";
    case Provider::kAnthropic:
      return "claude-haiku-4-5";
    case Provider::kGroq:
      return "llama-3.3-70b-versatile";
    case Provider::kOpenRouter:
      return "openai/gpt-4o-mini";
    case Provider::kLocal:
      return "local-echo";
    case Provider::kCompatible:
      break;
  }
  return "";
}

std::string_view ApiKeyVariable(Provider provider) {
  switch (provider) {
    case Provider::kOpenAI:
      return "OPENAI_API_KEY";
    case Provider::kAnthropic:
      return "ANTHROPIC_API_KEY";
    case Provider::kGroq:
      return "GROQ_API_KEY";
    case Provider::kOpenRouter:
      return "OPENROUTER_API_KEY";
    case Provider::kCompatible:
    case Provider::kLocal:
      break;
  }
  return "LLMSTREAM_API_KEY";
}

bool ApiKeyRequired(Provider provider) {
  return provider != Provider::kLocal && provider != Provider::kCompatible;
}

WireApi ResolveApi(const ProviderConfig& config) {
  if (config.api) return *config.api;
  return config.provider == Provider::kAnthropic ? WireApi::kAnthropicMessages
                                                 : WireApi::kChatCompletions;
}

std::string_view DefaultBaseUrl(Provider provider) {
  switch (provider) {
    case Provider::kOpenAI:
      return "https://api.openai.com/v1";
    case Provider::kAnthropic:
      return "https://api.anthropic.com/v1";
    case Provider::kGroq:
      return "https://api.groq.com/openai/v1";
    case Provider::kOpenRouter:
      return "https://openrouter.ai/api/v1";
    case Provider::kCompatible:
      return "";
    case Provider::kLocal:
      return "http://127.0.0.1:8787";
  }
  return "";
}

namespace {

constexpr std::string_view kAnthropicVersion = "2023-06-01";

bool IsHosted(Provider provider) {
  return provider == Provider::kOpenAI || provider == Provider::kAnthropic ||
         provider == Provider::kGroq || provider == Provider::kOpenRouter;
}

// Joins base and endpoint path. A base that is a bare origin gets "/v1" (the local server and
// most compatible servers live there); Anthropic-style bases follow the Anthropic SDK, whose base
// has no version segment, unless it already ends in "/v1". A query string (Azure-style
// ?api-version=) is kept after the path.
bool BuildUrl(const ProviderConfig& config, WireApi api, std::string* url, Error* error) {
  std::string base(config.base_url.empty() ? DefaultBaseUrl(config.provider)
                                           : std::string_view(config.base_url));
  if (base.empty()) {
    return Invalid(error, std::string("base_url is required for provider '") +
                              std::string(ProviderName(config.provider)) + "'");
  }
  std::string query;
  if (size_t q = base.find('?'); q != std::string::npos) {
    query = base.substr(q);
    base.resize(q);
  }
  const size_t scheme_end = base.find("://");
  const std::string scheme = scheme_end == std::string::npos
                                 ? ""
                                 : request_internal::ToLowerAscii(base.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    // Redacted: a mistyped scheme does not make the password or the signature any less secret.
    return Invalid(error, "base_url '" + RedactUrl(base) + "' must start with http:// or https://");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() <= scheme_end + 3) return Invalid(error, "base_url has no host");
  const bool bare_origin = base.find('/', scheme_end + 3) == std::string::npos;
  const bool ends_with_v1 = base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0;

  std::string path;
  switch (api) {
    case WireApi::kChatCompletions:
      path = "/chat/completions";
      break;
    case WireApi::kResponses:
      path = "/responses";
      break;
    case WireApi::kAnthropicMessages:
      path = "/messages";
      break;
    case WireApi::kGeminiGenerateContent:  // refused by BuildRequest until they are built
    case WireApi::kBedrockConverse:
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
    case WireApi::kCohereChat:
      return Invalid(error, "no URL for this API yet");
  }
  const bool add_v1 = api == WireApi::kAnthropicMessages ? !ends_with_v1 : bare_origin;
  *url = base + (add_v1 ? "/v1" : "") + path + query;
  return true;
}

void SetHeader(std::vector<std::pair<std::string, std::string>>* headers, std::string name,
               std::string value) {
  for (auto& [existing_name, existing_value] : *headers) {
    if (request_internal::EqualsIgnoreCase(existing_name, name)) {
      existing_name = std::move(name);
      existing_value = std::move(value);
      return;
    }
  }
  headers->emplace_back(std::move(name), std::move(value));
}

bool HasAuthHeader(const ProviderConfig& config) {
  for (const auto& [name, value] : config.headers) {
    for (std::string_view auth : kAuthHeaderNames) {
      if (request_internal::EqualsIgnoreCase(name, auth)) return true;
    }
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> BuildHeaders(const ProviderConfig& config,
                                                              WireApi api) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (api == WireApi::kAnthropicMessages) {
    if (!config.api_key.empty()) headers.emplace_back("x-api-key", config.api_key);
    headers.emplace_back("anthropic-version", std::string(kAnthropicVersion));
    headers.emplace_back("content-type", "application/json");
    headers.emplace_back("accept", "text/event-stream");
  } else {
    if (!config.api_key.empty()) headers.emplace_back("Authorization", "Bearer " + config.api_key);
    headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("Accept", "text/event-stream");
  }
  for (const auto& [name, value] : config.headers) SetHeader(&headers, name, value);
  return headers;
}

std::string FormatNumber(double value) {
  std::string out;
  json::AppendNumber(&out, value);
  return out;
}

bool ValidateMessages(const CompletionRequest& request, Error* error) {
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const Message& m = request.messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (m.role != "system" && m.role != "developer" && m.role != "user" && m.role != "assistant" &&
        m.role != "tool") {
      return Invalid(error, where + ".role '" + m.role +
                                "' is not one of system, developer, user, assistant, tool");
    }
    if (m.role == "tool" && m.tool_call_id.empty()) {
      return Invalid(error, where + " has role 'tool' but no tool_call_id");
    }
    if (!m.tool_calls.empty() && m.role != "assistant") {
      return Invalid(error, where + " has tool_calls but role '" + m.role + "' (only assistant)");
    }
    for (size_t j = 0; j < m.tool_calls.size(); ++j) {
      const ToolCallRequest& call = m.tool_calls[j];
      const std::string call_where = where + ".tool_calls[" + std::to_string(j) + "]";
      if (call.id.empty()) return Invalid(error, call_where + ".id is empty");
      if (call.name.empty()) return Invalid(error, call_where + ".name is empty");
    }
    if (!m.content_json.empty()) {
      Json parsed;
      if (!request_internal::ParseJson(m.content_json, &parsed)) {
        return Invalid(error, where + ".content_json is not valid JSON");
      }
    }
  }
  return true;
}

bool ValidateTools(const CompletionRequest& request, Error* error) {
  std::set<std::string> names;
  for (size_t i = 0; i < request.tools.size(); ++i) {
    const ToolDefinition& tool = request.tools[i];
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (tool.name.empty()) return Invalid(error, where + ".name is empty");
    if (!names.insert(tool.name).second) {
      return Invalid(error, where + ".name '" + tool.name + "' is used twice");
    }
    if (!tool.parameters_json.empty()) {
      Json schema;
      if (!request_internal::ParseJson(tool.parameters_json, &schema)) {
        return Invalid(error, where + " ('" + tool.name + "') parameters_json is not valid JSON");
      }
      if (!schema.is_object()) {
        return Invalid(error,
                       where + " ('" + tool.name + "') parameters_json must be a JSON object");
      }
    }
  }
  const std::string& choice = request.tool_choice;
  if (choice.empty() || choice == "none") return true;
  if (request.tools.empty()) {
    return Invalid(error, "tool_choice '" + choice + "' needs at least one tool in tools");
  }
  if (choice == "auto" || choice == "required" || choice == "any") return true;
  if (names.count(choice) == 0) {
    return Invalid(error, "tool_choice '" + choice +
                              "' is neither auto, none, required nor the name of a tool");
  }
  return true;
}

bool Validate(const ProviderConfig& config, WireApi api, const CompletionRequest& request,
              Error* error) {
  if (request.model.empty()) return Invalid(error, "model is empty");
  if (request.prompt.empty() && request.messages.empty()) {
    return Invalid(error, "either prompt or messages is required");
  }
  if (IsHosted(config.provider) && config.base_url.empty() && config.api_key.empty() &&
      !HasAuthHeader(config)) {
    return Invalid(error, "no API key for provider '" + std::string(ProviderName(config.provider)) +
                              "': set " + std::string(ApiKeyVariable(config.provider)) +
                              " or pass the key (api_key / apiKey)");
  }
  if (request.max_tokens && *request.max_tokens <= 0) {
    return Invalid(error,
                   "max_tokens must be positive (got " + std::to_string(*request.max_tokens) + ")");
  }
  const double max_temperature = api == WireApi::kAnthropicMessages ? 1.0 : 2.0;
  if (request.temperature && (!std::isfinite(*request.temperature) || *request.temperature < 0 ||
                              *request.temperature > max_temperature)) {
    return Invalid(error, "temperature " + FormatNumber(*request.temperature) +
                              " is out of range [0, " + FormatNumber(max_temperature) + "]");
  }
  if (request.top_p &&
      (!std::isfinite(*request.top_p) || *request.top_p < 0 || *request.top_p > 1)) {
    return Invalid(error, "top_p " + FormatNumber(*request.top_p) + " is out of range [0, 1]");
  }
  if (request.n < 1)
    return Invalid(error, "n must be at least 1 (got " + std::to_string(request.n) + ")");
  if (request.n > 1 && (api != WireApi::kChatCompletions || config.provider == Provider::kGroq ||
                        config.provider == Provider::kAnthropic)) {
    return Invalid(error, std::string("n > 1 is not supported by ") +
                              std::string(ProviderName(config.provider)) + " " +
                              std::string(WireApiName(api)));
  }
  for (size_t i = 0; i < request.stop.size(); ++i) {
    if (request.stop[i].empty()) return Invalid(error, "stop[" + std::to_string(i) + "] is empty");
  }
  if (!request.stop.empty() && api == WireApi::kResponses) {
    return Invalid(error, "stop sequences are not supported by the Responses API");
  }
  if (request.reasoning_budget_tokens && *request.reasoning_budget_tokens <= 0) {
    return Invalid(error, "reasoning_budget_tokens must be positive (got " +
                              std::to_string(*request.reasoning_budget_tokens) + ")");
  }
  if (request.reasoning_effort && request.reasoning_effort->empty()) {
    return Invalid(error, "reasoning_effort is set but empty");
  }
  if (!ValidateMessages(request, error)) return false;
  if (!ValidateTools(request, error)) return false;
  return true;
}

}  // namespace

bool BuildRequest(const ProviderConfig& config, const CompletionRequest& request, HttpRequest* out,
                  Error* error) {
  const WireApi api = ResolveApi(config);
  if (api > WireApi::kAnthropicMessages) {  // issue 14: their streams are read, not yet built
    return Invalid(error, "requests for this API are not built yet");
  }
  if (!Validate(config, api, request, error)) return false;

  Json extra;
  if (!request.extra_body_json.empty()) {
    if (!request_internal::ParseJson(request.extra_body_json, &extra)) {
      return Invalid(error, "extra_body_json is not valid JSON");
    }
    if (!extra.is_object()) return Invalid(error, "extra_body_json must be a JSON object");
  }

  HttpRequest built;
  built.method = "POST";
  if (!BuildUrl(config, api, &built.url, error)) return false;

  Json body = Json::object();
  bool ok = false;
  switch (api) {
    case WireApi::kChatCompletions:
      ok = request_internal::BuildChatBody(config, request, &body, error);
      break;
    case WireApi::kResponses:
      ok = request_internal::BuildResponsesBody(config, request, &body, error);
      break;
    case WireApi::kAnthropicMessages:
      ok = request_internal::BuildAnthropicBody(config, request, &body, error);
      break;
    case WireApi::kGeminiGenerateContent:  // refused above
    case WireApi::kBedrockConverse:
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
    case WireApi::kCohereChat:
      break;
  }
  if (!ok) return false;
  if (!extra.is_null()) body.merge_patch(extra);

  built.headers = BuildHeaders(config, api);
  built.body = request_internal::Dump(body);
  if (out != nullptr) *out = std::move(built);
  return true;
}

}  // namespace llmstream
