// Provider names (from the table in provider_table.cpp), URL and header construction, validation
// shared by every wire API, and the BuildRequest entry point. The per-API bodies live in
// chat_body.cpp, responses_body.cpp, anthropic_body.cpp, gemini_body.cpp, ollama_body.cpp and
// cohere_body.cpp.
#include "llmstream/request.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

#include "json/writer.h"
#include "llmstream/relay.h"
#include "llmstream/url_redaction.h"
#include "request/bedrock_request.h"
#include "request/provider_table.h"
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

std::string FormatNumber(double value) {
  std::string out;
  json::AppendNumber(&out, value);
  return out;
}

}  // namespace request_internal

using request_internal::EqualsIgnoreCase;
using request_internal::Facts;
using request_internal::FormatNumber;
using request_internal::Invalid;
using request_internal::Json;
using request_internal::ProviderFacts;

std::string_view ProviderName(Provider provider) { return Facts(provider).name; }

std::string_view ProviderAlias(Provider provider) { return Facts(provider).alias; }

std::optional<Provider> ParseProvider(std::string_view name) {
  for (uint8_t value = 0; value < request_internal::kProviderCount; ++value) {
    const auto provider = static_cast<Provider>(value);
    const ProviderFacts& facts = Facts(provider);
    if (EqualsIgnoreCase(name, facts.name) ||
        (*facts.alias != '\0' && EqualsIgnoreCase(name, facts.alias))) {
      return provider;
    }
  }
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
    case WireApi::kRelay:
      return "relay";
  }
  return "unknown";
}

std::optional<WireApi> ParseWireApi(std::string_view name) {
  for (const WireApiShortName& short_name : kWireApiShortNames) {
    if (name == short_name.name) return short_name.api;
  }
  // A name, or its spelling with '-' for '_'.
  const auto spells = [name](std::string_view canonical) {
    if (name.size() != canonical.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] != canonical[i] && !(name[i] == '-' && canonical[i] == '_')) return false;
    }
    return true;
  };
  for (uint8_t value = 0; value <= static_cast<uint8_t>(WireApi::kRelay); ++value) {
    const WireApi api = static_cast<WireApi>(value);
    if (spells(WireApiName(api))) return api;
  }
  return std::nullopt;
}

std::string_view DefaultModel(Provider provider) { return Facts(provider).model; }

std::string_view ApiKeyVariable(Provider provider) { return Facts(provider).key_variable; }

bool ApiKeyRequired(Provider provider) { return Facts(provider).key_required; }

WireApi ResolveApi(const ProviderConfig& config) {
  return config.api ? *config.api : Facts(config.provider).api;
}

std::string_view DefaultBaseUrl(Provider provider) { return Facts(provider).base_url; }

namespace {

constexpr std::string_view kAnthropicVersion = "2023-06-01";
// Azure OpenAI's data-plane API version when the base URL names none: the first with everything
// the Chat body sends (max_completion_tokens, reasoning_effort, stream_options).
constexpr std::string_view kAzureApiVersion = "2025-04-01-preview";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The endpoint of `api` below a base URL (no trailing slash, no query): the version segment a
// bare origin gets, where that segment is added, and the path.
struct Endpoint {
  std::string_view version;  // "" = none
  bool unless_present;       // add `version` unless the base ends with it (else: only to a bare
                             // origin, which is where SDKs put it)
  std::string_view path;
};

Endpoint EndpointOf(WireApi api) {
  switch (api) {
    case WireApi::kChatCompletions:
      return {"/v1", false, "/chat/completions"};
    case WireApi::kResponses:
      return {"/v1", false, "/responses"};
    case WireApi::kAnthropicMessages:  // the Anthropic SDK's base has no version segment
      return {"/v1", true, "/messages"};
    case WireApi::kGeminiGenerateContent:  // the path names the model: GeminiPath
      return {"/v1beta", false, ""};
    case WireApi::kBedrockConverse:
      return {"", false, ""};
    case WireApi::kOllamaChat:  // ollama-js: host + "/api/chat"
      return {"/api", true, "/chat"};
    case WireApi::kOllamaGenerate:
      return {"/api", true, "/generate"};
    case WireApi::kCohereChat:
      return {"/v2", false, "/chat"};
    case WireApi::kRelay:  // the relay's URL is the endpoint (BuildUrl)
      return {"", false, ""};
  }
  return {"", false, ""};
}

// Characters a path segment may hold as they are (RFC 3986 pchar minus the sub-delims that
// servers treat specially); anything else in a model or deployment name is percent-encoded.
bool IsPathSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == ':' || c == '@';
}

}  // namespace

namespace request_internal {

std::string EscapePathSegment(std::string_view segment, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : segment) {
    if (IsPathSafe(c) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return out;
}

bool CheckBaseUrl(std::string_view base, Error* error) {
  const size_t scheme_end = base.find("://");
  const std::string scheme =
      scheme_end == std::string::npos ? "" : ToLowerAscii(base.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    // Redacted: a mistyped scheme does not make the password or the signature any less secret.
    return Invalid(error, "base_url '" + RedactUrl(base) + "' must start with http:// or https://");
  }
  base.remove_prefix(scheme_end + 3);
  if (base.find_first_not_of('/') == std::string_view::npos) {
    return Invalid(error, "base_url has no host");
  }
  return true;
}

bool HasAuthHeader(const ProviderConfig& config) {
  for (const auto& [name, value] : config.headers) {
    for (std::string_view auth : kAuthHeaderNames) {
      if (EqualsIgnoreCase(name, auth)) return true;
    }
  }
  return false;
}

}  // namespace request_internal

namespace {

// Azure OpenAI (provider kAzure): {resource}/openai/deployments/{deployment}/chat/completions
// ?api-version=..., the deployment being the model, as the openai-node AzureOpenAI client builds
// it. A base that already ends in /openai or names the deployment is completed, not repeated.
// The Responses API lives at {resource}/openai/v1/responses (the v1 API: no api-version).
bool AzurePath(WireApi api, std::string_view base, const CompletionRequest& request,
               std::string* path, std::string* query, Error* error) {
  if (api == WireApi::kResponses) {
    *path = EndsWith(base, "/openai/v1") ? "/responses"
            : EndsWith(base, "/openai")  ? "/v1/responses"
                                         : "/openai/v1/responses";
    return true;
  }
  if (api != WireApi::kChatCompletions) {
    return Invalid(
        error, "azure serves chat_completions and responses, not " + std::string(WireApiName(api)));
  }
  if (base.find("/deployments/") != std::string_view::npos) {
    *path = "/chat/completions";
  } else {
    *path = std::string(EndsWith(base, "/openai") ? "" : "/openai") + "/deployments/" +
            request_internal::EscapePathSegment(request.model, false) + "/chat/completions";
  }
  if (query->find("api-version=") == std::string::npos) {
    *query +=
        (query->empty() ? "?" : "&") + std::string("api-version=") + std::string(kAzureApiVersion);
  }
  return true;
}

// Joins base and endpoint path. A base that is a bare origin gets the API's version segment
// ("/v1": the local server and most compatible servers live there; "/v1beta" for Gemini, "/v2"
// for Cohere); Anthropic-style bases follow the Anthropic SDK (no version segment unless it ends
// in "/v1"), Ollama's ollama-js ("/api" unless present). A query string (?api-version=, a
// gateway's token) is kept after the path.
bool BuildUrl(const ProviderConfig& config, WireApi api, const CompletionRequest& request,
              std::string* url, Error* error) {
  std::string base(config.base_url.empty() ? DefaultBaseUrl(config.provider)
                                           : std::string_view(config.base_url));
  if (base.empty()) {
    return Invalid(error,
                   std::string("base_url is required for provider '") +
                       std::string(ProviderName(config.provider)) + "'" +
                       (config.provider == Provider::kAzure ? " (the resource endpoint)" : ""));
  }
  std::string query;
  if (size_t q = base.find('?'); q != std::string::npos) {
    query = base.substr(q);
    base.resize(q);
  }
  if (!request_internal::CheckBaseUrl(base, error)) return false;
  const size_t scheme_end = base.find("://");
  while (!base.empty() && base.back() == '/') base.pop_back();

  std::string path;
  if (api == WireApi::kRelay) {  // the app's route, as the app wrote it
    *url = config.base_url;
    return true;
  }
  if (config.provider == Provider::kAzure) {
    if (!AzurePath(api, base, request, &path, &query, error)) return false;
    *url = base + path + query;
    return true;
  }
  const Endpoint endpoint = EndpointOf(api);
  const bool bare_origin = base.find('/', scheme_end + 3) == std::string::npos;
  const bool add_version =
      endpoint.unless_present ? !EndsWith(base, endpoint.version) : bare_origin;
  path = endpoint.path;
  if (api == WireApi::kGeminiGenerateContent) {
    path = request_internal::GeminiPath(request.model);
    if (!query.empty()) query[0] = '&';
  }
  *url = base + std::string(add_version ? endpoint.version : "") + path + query;
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

std::vector<std::pair<std::string, std::string>> BuildHeaders(const ProviderConfig& config,
                                                              WireApi api) {
  using enum request_internal::AuthStyle;
  std::vector<std::pair<std::string, std::string>> headers;
  // The header of each AuthStyle, in its order; SigV4 signs the whole request instead (the
  // Bedrock builder's job).
  static constexpr const char* kAuthHeader[] = {"Authorization", "x-api-key", "x-goog-api-key",
                                                "api-key", nullptr};
  const request_internal::AuthStyle style = request_internal::AuthFor(config.provider, api);
  const char* auth_header = kAuthHeader[static_cast<uint8_t>(style)];
  if (!config.api_key.empty() && auth_header != nullptr) {
    headers.emplace_back(auth_header, (style == kBearer ? "Bearer " : "") + config.api_key);
  }
  // The Anthropic SDK's lower-case spelling for Messages; the OpenAI SDK's otherwise.
  const bool lower = api == WireApi::kAnthropicMessages;
  if (lower) headers.emplace_back("anthropic-version", std::string(kAnthropicVersion));
  headers.emplace_back(lower ? "content-type" : "Content-Type", "application/json");
  const bool ndjson = api == WireApi::kOllamaChat || api == WireApi::kOllamaGenerate;
  headers.emplace_back(lower ? "accept" : "Accept",
                       ndjson ? "application/x-ndjson" : "text/event-stream");
  if (api == WireApi::kRelay)
    headers.emplace_back("Llmstream-Relay", std::to_string(kRelayVersion));
  for (const auto& [name, value] : config.headers) SetHeader(&headers, name, value);
  return headers;
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
  // A relay speaks only its own protocol, and only a relay speaks it.
  if ((config.provider == Provider::kRelay) != (api == WireApi::kRelay)) {
    return Invalid(error, "provider '" + std::string(ProviderName(config.provider)) +
                              "' does not serve " + std::string(WireApiName(api)));
  }
  // A relay picks its default model for a request that names none.
  if (request.model.empty() && api != WireApi::kRelay) return Invalid(error, "model is empty");
  if (request.prompt.empty() && request.messages.empty()) {
    return Invalid(error, "either prompt or messages is required");
  }
  // Bedrock's credentials are of two kinds: BuildBedrockRequest checks them.
  if (api != WireApi::kBedrockConverse && ApiKeyRequired(config.provider) &&
      config.base_url.empty() && config.api_key.empty() &&
      !request_internal::HasAuthHeader(config)) {
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
  // Chat Completions `n` (not on Groq) and Gemini's candidateCount.
  // A relay's policy decides (maxChoices).
  const bool several_choices =
      (api == WireApi::kChatCompletions && config.provider != Provider::kGroq &&
       config.provider != Provider::kAnthropic) ||
      api == WireApi::kGeminiGenerateContent || api == WireApi::kRelay;
  if (request.n > 1 && !several_choices) {
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
  if (!request_internal::ValidateResponseFormat(config, api, request, error)) return false;
  return true;
}

}  // namespace

bool BuildRequest(const ProviderConfig& config, const CompletionRequest& request, HttpRequest* out,
                  Error* error) {
  const WireApi api = ResolveApi(config);
  if (!Validate(config, api, request, error)) return false;
  if (api == WireApi::kBedrockConverse) {  // its own URL, auth and body (bedrock_request.h)
    return request_internal::BuildBedrockRequest(config, request, out, error);
  }

  Json extra;
  if (!request.extra_body_json.empty()) {
    if (!request_internal::ParseJson(request.extra_body_json, &extra)) {
      return Invalid(error, "extra_body_json is not valid JSON");
    }
    if (!extra.is_object()) return Invalid(error, "extra_body_json must be a JSON object");
  }

  HttpRequest built;
  built.method = "POST";
  if (!BuildUrl(config, api, request, &built.url, error)) return false;

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
    case WireApi::kGeminiGenerateContent:
      ok = request_internal::BuildGeminiBody(config, request, &body, error);
      break;
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
      ok = request_internal::BuildOllamaBody(config, api, request, &body, error);
      break;
    case WireApi::kCohereChat:
      ok = request_internal::BuildCohereBody(config, request, &body, error);
      break;
    case WireApi::kRelay:
      // The relay writes the provider's body: options only a provider reads are not the
      // client's to send (the relay refuses them, npm/src/relay/policy.js).
      if (!extra.is_null()) return Invalid(error, "extra_body_json cannot go through a relay");
      ok = request_internal::BuildRelayBody(request, &body, error);
      break;
    case WireApi::kBedrockConverse:  // built above
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
