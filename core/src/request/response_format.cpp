// JSON output (CompletionRequest::response_format): the checks every wire API shares. Each body
// writer puts the format where its API documents it (docs/wire-formats.md, "JSON output").
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

// OpenAI's rule for json_schema.name (the strictest of the APIs that take a name).
bool IsValidSchemaName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool ValidateResponseFormat(const ProviderConfig& config, WireApi api,
                            const CompletionRequest& request, Error* error) {
  const ResponseFormat& format = request.response_format;
  switch (format.type) {
    case ResponseFormatType::kText:
      return true;
    case ResponseFormatType::kJsonObject:
      // Anthropic and Bedrock constrain output to a schema only; a bare "any object" would be
      // silently unconstrained there.
      if (api == WireApi::kAnthropicMessages || api == WireApi::kBedrockConverse) {
        return Invalid(error, "response_format json_object is not supported by " +
                                  std::string(WireApiName(api)) +
                                  ": pass a json_schema (a schema with type object)");
      }
      return true;
    case ResponseFormatType::kJsonSchema:
      break;
  }
  if (config.provider == Provider::kDeepSeek) {
    return Invalid(error,
                   "response_format json_schema is not supported by deepseek: it takes only "
                   "json_object");
  }
  if (format.schema_json.empty()) {
    return Invalid(error, "response_format json_schema needs schema_json (a JSON Schema object)");
  }
  Json schema;
  if (!ParseJson(format.schema_json, &schema) || !schema.is_object()) {
    return Invalid(error, "response_format.schema_json must be a JSON object");
  }
  if (!format.name.empty() && !IsValidSchemaName(format.name)) {
    return Invalid(error, "response_format.name '" + format.name +
                              "' must be 1-64 characters of a-z, A-Z, 0-9, _ and -");
  }
  return true;
}

Json ResponseSchema(const ResponseFormat& format) {
  Json schema;
  if (!ParseJson(format.schema_json, &schema)) schema = Json::object();
  return schema;
}

std::string ResponseSchemaName(const ResponseFormat& format) {
  return format.name.empty() ? std::string("response") : format.name;
}

}  // namespace llmstream::request_internal
