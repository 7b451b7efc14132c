// Resume, cancel and refusals of a relay stream (relay_requests.h).
#include "relay/relay_requests.h"

#include <string>

#include "llmstream/relay.h"
#include "relay/relay_reader.h"
#include "request/request_internal.h"

namespace llmstream::relay_internal {
namespace {

// The query value as URLSearchParams writes it (stream ids are "r_" + hex: nothing to escape in
// practice, but the id came from the network).
std::string EscapeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return out;
}

HttpRequest StreamRequest(const ProviderConfig& config, std::string_view method,
                          std::string_view stream_id) {
  HttpRequest request;
  request.method = std::string(method);
  std::string base = config.base_url;
  std::string fragment;
  if (const size_t hash = base.find('#'); hash != std::string::npos) {
    fragment = base.substr(hash);
    base.resize(hash);
  }
  request.url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                "stream=" + EscapeQueryValue(stream_id) + fragment;
  // The app's own token and headers, as on the POST: a relay authenticates resumes and cancels
  // too.
  if (!config.api_key.empty())
    request.headers.emplace_back("Authorization", "Bearer " + config.api_key);
  request.headers.emplace_back("Llmstream-Relay", std::to_string(kRelayVersion));
  for (const auto& [name, value] : config.headers) {
    bool replaced = false;
    for (auto& header : request.headers) {
      if (request_internal::EqualsIgnoreCase(header.first, name)) {
        header = {name, value};
        replaced = true;
      }
    }
    if (!replaced) request.headers.emplace_back(name, value);
  }
  return request;
}

}  // namespace

HttpRequest ResumeRequest(const ProviderConfig& config, std::string_view stream_id,
                          std::optional<uint64_t> last_event_id) {
  HttpRequest request = StreamRequest(config, "GET", stream_id);
  request.headers.emplace_back("Accept", "text/event-stream");
  if (last_event_id) request.headers.emplace_back("Last-Event-ID", std::to_string(*last_event_id));
  return request;
}

HttpRequest CancelRequest(const ProviderConfig& config, std::string_view stream_id) {
  return StreamRequest(config, "DELETE", stream_id);
}

Error RefusalError(int status, const HeaderList& headers, std::string_view body,
                   std::optional<int64_t> unix_now) {
  Error error;
  if (!ReadRelayErrorBody(body, &error)) {
    error = Error{};
    error.code = status == 401 || status == 403 ? ErrorCode::kAuth
                 : status == 429                ? ErrorCode::kRateLimited
                 : status >= 500                ? ErrorCode::kServer
                                                : ErrorCode::kHttpStatus;
    error.message = "the relay answered HTTP " + std::to_string(status);
  }
  error.http_status = status;
  if (!error.retry_after_ms && unix_now) error.retry_after_ms = RetryAfterMs(headers, *unix_now);
  return error;
}

}  // namespace llmstream::relay_internal
