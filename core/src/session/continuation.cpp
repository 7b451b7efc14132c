#include "session/continuation.h"

#include <string>

#include "text/one_line.h"

namespace llmstream::session_internal {
namespace {

using text::IsSpace;

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

Message Turn(std::string role, std::string content) {
  Message message;
  message.role = std::move(role);
  message.content = std::move(content);
  return message;
}

}  // namespace

bool CanContinue(const CompletionRequest& request, const Completion& delivered) {
  if (request.n > 1 || delivered.choices.size() != 1) return false;
  const Choice& choice = delivered.choices[0];
  // A finish reason means the model had ended its answer (only the end of the stream was lost):
  // there is nothing to continue.
  return !choice.text.empty() && choice.finish_reason.empty() && choice.reasoning.empty() &&
         choice.reasoning_signature.empty() && choice.refusal.empty() && choice.tool_calls.empty();
}

std::optional<CompletionRequest> ContinuationRequest(const CompletionRequest& original, WireApi api,
                                                     std::string_view partial) {
  CompletionRequest request = original;
  // The prompt shortcut is always sent as the last user turn, after `messages`: make it an
  // ordinary message so that the turns added below come after it.
  if (!request.prompt.empty()) {
    request.messages.push_back(Turn("user", std::move(request.prompt)));
    request.prompt.clear();
  }
  if (api == WireApi::kAnthropicMessages) {
    Message* prefill = nullptr;
    if (!request.messages.empty()) {
      Message& last = request.messages.back();
      // The caller's own prefill: the model continued it, so the partial text extends it.
      if (last.role == "assistant" && last.tool_calls.empty() && last.content_json.empty()) {
        prefill = &last;
      }
    }
    if (!prefill) prefill = &request.messages.emplace_back(Turn("assistant", ""));
    prefill->content += partial;
    prefill->content.resize(TrimRight(prefill->content).size());
    if (prefill->content.empty()) return std::nullopt;
    return request;
  }
  request.messages.push_back(Turn("assistant", std::string(partial)));
  request.messages.push_back(Turn("user", std::string(kContinuePrompt)));
  return request;
}

}  // namespace llmstream::session_internal
