#include "providers/anthropic.h"
#include "providers/dialect.h"
#include "providers/openai_chat.h"
#include "providers/openai_responses.h"

namespace llmstream {

std::unique_ptr<Dialect> MakeDialect(WireApi api, Provider provider) {
  switch (api) {
    case WireApi::kAnthropicMessages:
      return MakeAnthropicDialect();
    case WireApi::kResponses:
      return MakeResponsesDialect();
    case WireApi::kChatCompletions:
      break;
  }
  return MakeOpenAIChatDialect(provider);
}

}  // namespace llmstream
