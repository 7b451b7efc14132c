// The request bodies of the APIs the web core module cannot read (sse_only.cpp: Gemini, Ollama,
// Cohere; core/src/request/{gemini,ollama,cohere}*.cpp are left out of the module): BuildRequest
// refuses them here with kInvalidRequest, before anything is sent, instead of sending a request
// whose answer would be refused. With no Gemini request, no Gemini error details to read either.
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

bool NotInWebBuild(WireApi api, Error* error) {
  return Invalid(error, std::string(WireApiName(api)) + " is not in the web build");
}

}  // namespace

bool BuildResponsesBody(const ProviderConfig& /*config*/, const CompletionRequest& /*request*/,
                        Json* /*body*/, Error* error) {
  return NotInWebBuild(WireApi::kResponses, error);
}

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

void ReadGoogleStatus(const Json& /*error*/, std::string* /*status*/, std::string* /*reason*/,
                      std::optional<int64_t>* /*retry_delay_ms*/) {}

void UnwrapGoogleErrorArray(Json* /*body*/) {}

std::string GeminiPath(const std::string& /*model*/) { return {}; }

}  // namespace llmstream::request_internal
