#include "session/response_class.h"

#include <string>

#include "request/bedrock_http_error.h"
#include "request/request_internal.h"
#include "text/one_line.h"

namespace llmstream::session_internal {
namespace {

using request_internal::Json;

constexpr size_t kMaxSnippet = 200;

using text::OneLine;

bool IsProviderErrorObject(std::string_view body) {
  Json json;
  if (request_internal::ParseUntrustedJson(body, request_internal::kMaxErrorBodyObjectKeys,
                                           &json) != request_internal::UntrustedJson::kOk ||
      !json.is_object()) {
    return false;
  }
  auto error = json.find("error");
  if (error != json.end() && (error->is_object() || error->is_string())) return true;
  auto type = json.find("type");
  return type != json.end() && type->is_string() && type->get<std::string>() == "error";
}

// A value computed from headers depends on "now" exactly when two different nows give two
// different answers; that covers every absolute form the parsers accept, present or future.
constexpr int64_t kProbeA = 0;
constexpr int64_t kProbeB = 1;

void DropAbsoluteReset(RateLimitWindow* window, const RateLimitWindow& probe) {
  if (window->reset_ms != probe.reset_ms) window->reset_ms.reset();
}

}  // namespace

std::optional<Framing> ResponseFraming(WireApi api, const HeaderList& headers) {
  return FramingFor(api, FindHeader(headers, "content-type"));
}

std::optional<int64_t> UnixNow(const HeaderList& headers, std::optional<int64_t> unix_ms_at_zero,
                               int64_t now_ms) {
  if (auto date = FindHeader(headers, "date")) {
    if (auto unix_ms = ParseHttpDate(*date)) return unix_ms;
  }
  if (unix_ms_at_zero) return *unix_ms_at_zero + now_ms;
  return std::nullopt;
}

std::array<std::string_view, 3> ConfigSecrets(const ProviderConfig& config) {
  return {config.api_key, config.aws_credentials.secret_access_key,
          config.aws_credentials.session_token};
}

Error ClassifyStatus(Provider provider, WireApi api, int status, const HeaderList& headers,
                     std::string_view body, std::optional<int64_t> unix_now,
                     std::string_view api_key) {
  const int64_t now = unix_now.value_or(kProbeA);
  Error error =
      api == WireApi::kBedrockConverse
          ? request_internal::ClassifyBedrockHttpError(status, headers, body, now, api_key)
          : ClassifyHttpError(provider, status, headers, body, now, api_key);
  if (!unix_now && RetryAfterMs(headers, kProbeB) != error.retry_after_ms) {
    error.retry_after_ms.reset();
  }
  return error;
}

Error ClassifyNotEventStream(Provider provider, WireApi api, int status, const HeaderList& headers,
                             std::string_view body, std::optional<int64_t> unix_now,
                             std::string_view api_key) {
  if (IsProviderErrorObject(body)) {
    Error error = ClassifyStatus(provider, api, status, headers, body, unix_now, api_key);
    error.code = ErrorCode::kProviderError;
    return error;
  }
  Error error;
  error.code = ErrorCode::kNotEventStream;
  error.http_status = status;
  const std::string type(FindHeader(headers, "content-type").value_or(""));
  error.message = "HTTP " + std::to_string(status) + " from " +
                  std::string(ProviderName(provider)) + " is " + OneLine(type, 100) + ", not " +
                  std::string(FramingMediaType(DefaultFraming(api))) +
                  (api == WireApi::kGeminiGenerateContent ? " or a JSON array" : "");
  // Masked before the cut, so that no prefix of a key survives at the end of the snippet.
  const std::string masked = MaskKey(body, api_key);
  const std::string snippet = OneLine(masked, kMaxSnippet);
  if (!snippet.empty()) error.message += ": " + snippet;
  return error;
}

RateLimitInfo RateLimits(const HeaderList& headers, std::optional<int64_t> unix_now) {
  RateLimitInfo info = ParseRateLimitHeaders(headers, unix_now.value_or(kProbeA));
  if (!unix_now) {
    const RateLimitInfo probe = ParseRateLimitHeaders(headers, kProbeB);
    DropAbsoluteReset(&info.requests, probe.requests);
    DropAbsoluteReset(&info.tokens, probe.tokens);
    DropAbsoluteReset(&info.input_tokens, probe.input_tokens);
    DropAbsoluteReset(&info.output_tokens, probe.output_tokens);
  }
  return info;
}

}  // namespace llmstream::session_internal
