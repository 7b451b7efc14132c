#include "providers/more_dialects.h"
#include "providers/openai_responses.h"

namespace llmstream {

bool MoreDialectsBuiltIn() { return true; }

std::unique_ptr<Dialect> MakeMoreDialect(WireApi api, Provider /*provider*/) {
  switch (api) {
    case WireApi::kGeminiGenerateContent:
      return MakeGeminiDialect();
    case WireApi::kBedrockConverse:
      return MakeBedrockConverseDialect();
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
      return MakeOllamaDialect(api);
    case WireApi::kCohereChat:
      return MakeCohereDialect();
    case WireApi::kResponses:
      return MakeResponsesDialect();
    case WireApi::kChatCompletions:
    case WireApi::kRelay:
    case WireApi::kAnthropicMessages:
      break;
  }
  return nullptr;
}

}  // namespace llmstream
