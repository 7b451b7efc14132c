#include "providers/anthropic.h"
#include "providers/dialect.h"
#include "providers/more_dialects.h"
#include "providers/openai_chat.h"
#include "relay/relay_dialect.h"

namespace llmstream {

std::unique_ptr<Dialect> MakeDialect(WireApi api, Provider provider) {
  switch (api) {
    case WireApi::kAnthropicMessages:
      return MakeAnthropicDialect();
    case WireApi::kChatCompletions:
      return MakeOpenAIChatDialect(provider);
    case WireApi::kRelay:
      return MakeRelayDialect();
    case WireApi::kResponses:
    case WireApi::kGeminiGenerateContent:
    case WireApi::kBedrockConverse:
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
    case WireApi::kCohereChat:
      break;
  }
  return MakeMoreDialect(api, provider);
}

}  // namespace llmstream
