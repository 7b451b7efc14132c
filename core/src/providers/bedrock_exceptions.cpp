#include "providers/bedrock_exceptions.h"

#include <cstdint>
#include <string>

#include "json/reader.h"
#include "providers/field_reading.h"

namespace llmstream::bedrock {
namespace {

struct Known {
  std::string_view name;
  int status;  // the HTTP status the API reference gives the exception
};

// ConverseStreamOutput's exception members with their documented statuses, and the operation's
// other exceptions (an unmodeled `error` frame may carry them by name).
constexpr Known kKnown[] = {
    {"internalServerException", 500},       {"serviceUnavailableException", 503},
    {"throttlingException", 429},           {"validationException", 400},
    {"modelStreamErrorException", 424},     {"modelTimeoutException", 408},
    {"modelNotReadyException", 429},        {"modelErrorException", 424},
    {"accessDeniedException", 403},         {"resourceNotFoundException", 404},
    {"serviceQuotaExceededException", 400},
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Names arrive as `throttlingException` (exception frames) or `ThrottlingException` (the
// x-amzn-ErrorType style some error frames use): compared without case.
bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// The code ClassifyHttpError gives a status (llmstream/http_error.h).
ErrorCode CodeForStatus(int status) {
  if (status == 401 || status == 403) return ErrorCode::kAuth;
  if (status == 429) return ErrorCode::kRateLimited;
  if (status == 400 || status == 404 || status == 413 || status == 422) {
    return ErrorCode::kBadRequest;
  }
  if (status >= 500 && status <= 599) return ErrorCode::kServer;
  return ErrorCode::kHttpStatus;
}

}  // namespace

Error ExceptionError(std::string_view name, std::string_view payload, bool is_exception,
                     Emitter& out) {
  payload = providers::TrimJsonSpace(payload);
  std::string_view message, original_message;
  int64_t original_status = 0;
  bool is_json = false;
  if (is_exception) {
    json::Reader reader(payload, out.arena());
    if (reader.BeginObject()) {
      std::string_view key;
      while (reader.NextField(&key)) {
        bool ok = key == "message" || key == "Message" ? providers::ReadString(reader, &message)
                  : key == "originalMessage"    ? providers::ReadString(reader, &original_message)
                  : key == "originalStatusCode" ? providers::ReadInt(reader, &original_status)
                                                : reader.Skip();
        if (!ok) break;
      }
      is_json = reader.Finish();
    }
    if (!is_json) message = {};
  } else {
    message = payload;  // an error frame's :error-message
  }

  Error error;
  error.provider_type.assign(name);
  error.code = ErrorCode::kProviderError;  // unknown names: an in-band provider error
  for (const Known& known : kKnown) {
    if (!SameName(name, known.name)) continue;
    error.http_status = known.status;
    error.code = CodeForStatus(known.status);
    break;
  }
  if (SameName(name, "modelStreamErrorException")) {
    // The model's own stream failed; the payload may say how (originalStatusCode). Without it
    // the API reference's advice holds: "A streaming error occurred. Retry your request."
    if (original_status >= 100 && original_status <= 599) {
      error.http_status = static_cast<int>(original_status);
      error.code = CodeForStatus(error.http_status);
    } else {
      error.code = ErrorCode::kServer;
    }
  }

  error.message.assign(name.empty() ? std::string_view("exception") : name);
  if (!message.empty() || !original_message.empty()) {
    error.message.append(": ");
    error.message.append(message.empty() ? original_message : message);
    if (!message.empty() && !original_message.empty() && original_message != message) {
      error.message.append(" (");
      error.message.append(original_message);
      error.message.append(")");
    }
  } else if (!is_json && !payload.empty()) {
    error.message.append(": ");
    error.message.append(payload.substr(0, 200));
  }
  for (char& c : error.message) {
    if (c == '\n' || c == '\r') c = ' ';  // one line
  }
  if (!payload.empty()) {
    out.EmitMetadata("error", payload, is_json ? MetadataFormat::kJson : MetadataFormat::kString);
  }
  return error;
}

}  // namespace llmstream::bedrock
