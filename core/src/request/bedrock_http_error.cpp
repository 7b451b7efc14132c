#include "request/bedrock_http_error.h"

#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

struct Known {
  std::string_view name;
  int status;  // documented in the Bedrock runtime API reference (ConverseStream errors)
};

constexpr Known kKnown[] = {
    {"ThrottlingException", 429},           {"ModelNotReadyException", 429},
    {"InternalServerException", 500},       {"ServiceUnavailableException", 503},
    {"ModelStreamErrorException", 424},     {"ModelTimeoutException", 408},
    {"ModelErrorException", 424},           {"ValidationException", 400},
    {"ServiceQuotaExceededException", 400}, {"ResourceNotFoundException", 404},
    {"AccessDeniedException", 403},         {"UnrecognizedClientException", 403},
    {"InvalidSignatureException", 403},     {"IncompleteSignatureException", 403},
    {"ExpiredTokenException", 403},
};

// "ThrottlingException:http://internal.amazon.com/..." and
// "com.amazon.coral.service#UnrecognizedClientException" -> the bare name (what the AWS SDKs'
// restJson1 error parsing keeps).
std::string BareType(std::string_view raw) {
  if (const size_t colon = raw.find(':'); colon != std::string_view::npos) {
    raw = raw.substr(0, colon);
  }
  if (const size_t hash = raw.rfind('#'); hash != std::string_view::npos) {
    raw.remove_prefix(hash + 1);
  }
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  return std::string(raw);
}

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string BedrockErrorType(const HeaderList& headers, std::string_view body) {
  if (auto header = FindHeader(headers, "x-amzn-errortype")) {
    std::string type = BareType(*header);
    if (!type.empty()) return type;
  }
  Json json;
  if (ParseUntrustedJson(body, kMaxErrorBodyObjectKeys, &json) != UntrustedJson::kOk ||
      !json.is_object()) {
    return "";
  }
  std::string type = BareType(StringField(json, "__type"));
  if (type.empty()) type = BareType(StringField(json, "code"));
  return type;
}

Error ClassifyBedrockHttpError(int status, const HeaderList& headers, std::string_view body,
                               int64_t now_unix_ms, std::string_view secret) {
  const std::string type = BedrockErrorType(headers, body);

  // The body in the shape ClassifyHttpError reads ({"message", "type"}), so that its quoting,
  // masking and cutting apply; a body that is not a JSON object goes as it is (a snippet).
  std::string shaped(body);
  Json json;
  if (ParseUntrustedJson(body, kMaxErrorBodyObjectKeys, &json) == UntrustedJson::kOk &&
      json.is_object()) {
    std::string message = StringField(json, "message");
    if (message.empty()) message = StringField(json, "Message");
    Json normal = Json::object();
    if (!message.empty()) normal["message"] = message;
    if (!type.empty()) normal["type"] = type;
    shaped = normal.empty() ? std::string(body) : Dump(normal);
  } else if (!type.empty() && body.empty()) {
    Json normal = Json::object();
    normal["type"] = type;
    shaped = Dump(normal);
  }
  // The provider name in the message is fixed below: Provider has no Bedrock member yet.
  Error error =
      ClassifyHttpError(Provider::kCompatible, status, headers, shaped, now_unix_ms, secret);
  const std::string generic_prefix = "HTTP " + std::to_string(status) + " from " +
                                     std::string(ProviderName(Provider::kCompatible));
  if (error.message.starts_with(generic_prefix)) {
    error.message.replace(0, generic_prefix.size(),
                          "HTTP " + std::to_string(status) + " from bedrock");
  }
  // Name the type before the message: "ValidationException: ..." says what kind of failure.
  if (!error.provider_type.empty()) {
    const std::string head = "HTTP " + std::to_string(status) + " from bedrock: ";
    if (error.message.starts_with(head) &&
        error.message.compare(head.size(), error.provider_type.size(), error.provider_type) != 0) {
      error.message.insert(head.size(), error.provider_type + ": ");
    }
  }
  for (const Known& known : kKnown) {
    if (!EqualsIgnoreCase(type, known.name)) continue;
    // Reuses ClassifyHttpError's status rules for the documented status.
    error.code = ClassifyHttpError(Provider::kCompatible, known.status, {}, "", 0).code;
    break;
  }
  if (EqualsIgnoreCase(type, "ModelStreamErrorException")) error.code = ErrorCode::kServer;
  return error;
}

}  // namespace llmstream::request_internal
