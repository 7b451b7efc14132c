#include "curl_error.h"

#include <string>

#include "llmstream/url_redaction.h"

namespace llmstream::native {

Error CurlError(CURLcode code, const char* error_buffer) {
  Error error;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      error.code = ErrorCode::kTimeout;
      break;
    default:
      error.code = ErrorCode::kNetwork;
      break;
  }
  std::string detail = (error_buffer != nullptr && error_buffer[0] != '\0')
                           ? std::string(error_buffer)
                           : std::string(curl_easy_strerror(code));
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  // curl names the URL in some messages ("Could not resolve host: ..."): no password or
  // signature of it in an error a caller may log.
  error.message =
      RedactUrlsInText(detail) + " (curl error " + std::to_string(static_cast<int>(code)) + ")";
  return error;
}

}  // namespace llmstream::native
