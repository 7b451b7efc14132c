// Gemini's HTTP error details (google.rpc.Status), read by ClassifyHttpError (http_error.cpp).
#include "llmstream/http_error.h"
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

std::string StringAt(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void ReadGoogleStatus(const Json& error, std::string* status, std::string* reason,
                      std::optional<int64_t>* retry_delay_ms) {
  if (status->empty()) *status = StringAt(error, "status");
  const auto details = error.find("details");
  if (details == error.end() || !details->is_array()) return;
  for (const Json& detail : *details) {
    const std::string type = StringAt(detail, "@type");  // type.googleapis.com/google.rpc.X
    if (type.ends_with("google.rpc.ErrorInfo")) *reason = StringAt(detail, "reason");
    if (type.ends_with("google.rpc.RetryInfo")) {
      *retry_delay_ms = ParseDurationMs(StringAt(detail, "retryDelay"));
    }
  }
}

void UnwrapGoogleErrorArray(Json* body) {
  if (body->is_array() && body->size() == 1 && body->begin()->is_object()) {
    Json first = std::move(*body->begin());
    *body = std::move(first);
  }
}

}  // namespace llmstream::request_internal
