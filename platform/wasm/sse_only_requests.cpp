// The request bodies of the APIs the web core module cannot read (sse_only.cpp: Gemini, Ollama,
// Cohere; core/src/request/{gemini,ollama,cohere}*.cpp are left out of the module): BuildRequest
// refuses them here with kInvalidRequest, before anything is sent, instead of sending a request
// whose answer would be refused.
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

bool NotInWebBuild(WireApi api, Error* error) {
  return Invalid(error, std::string(WireApiName(api)) +
                            " requests are not in the web build of llmstream (nor is the reading "
                            "of their streams); use the native library");
}

}  // namespace

bool BuildGeminiBody(const ProviderConfig& /*config*/, const CompletionRequest& /*request*/,
                     Json* /*body*/, Error* error) {
  return NotInWebBuild(WireApi::kGeminiGenerateContent, error);
}

bool BuildOllamaBody(WireApi api, const CompletionRequest& /*request*/, Json* /*body*/,
                     Error* error) {
  return NotInWebBuild(api, error);
}

bool BuildCohereBody(const CompletionRequest& /*request*/, Json* /*body*/, Error* error) {
  return NotInWebBuild(WireApi::kCohereChat, error);
}

}  // namespace llmstream::request_internal
