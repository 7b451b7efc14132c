// The Session's JSON outputs (session_impl.h): partial objects while the values stream, and the
// check of the final answer against the request's response_format.
#include <string>

#include "llmstream/json_schema.h"
#include "session/session_impl.h"

namespace llmstream {

void Session::Impl::ShowPartials(size_t first) {
  if (!partials_ || out_.size() <= first) return;
  const std::span<const Event> partials =
      partials_->Observe(std::span<const Event>(out_.events()).subspan(first));
  for (const Event& event : partials) out_.Push(event);
}

Error Session::Impl::CheckJsonOutput() const {
  const ResponseFormat& format = options_.request.response_format;
  if (format.type == ResponseFormatType::kText) return {};
  // JSON mode promises an object; a schema says itself what it wants.
  const std::string_view schema = format.type == ResponseFormatType::kJsonSchema
                                      ? std::string_view(format.schema_json)
                                      : std::string_view(R"({"type":"object"})");
  const Completion& result = assembler_.result();
  for (const Choice& choice : result.choices) {
    if (choice.text.empty() && !choice.refusal.empty()) continue;  // the refusal is the answer
    Error error;
    if (ValidateJson(schema, choice.text, &error)) continue;
    if (result.choices.size() > 1) {
      error.message = "choice " + std::to_string(choice.index) + ": " + error.message;
    }
    return error;
  }
  return {};
}

}  // namespace llmstream
