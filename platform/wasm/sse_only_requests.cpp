// The request bodies of the APIs the web core module cannot read (sse_only.cpp: Gemini, Ollama,
// Cohere, Bedrock; core/src/request/{gemini,ollama,cohere,bedrock,sigv4}*.cpp are left out of the
// module): BuildRequest refuses them here with kInvalidRequest, before anything is sent, instead
// of sending a request whose answer would be refused. With no Gemini request, no Gemini error
// details to read either; with no Bedrock request, nothing to sign and no Bedrock errors.
#include "request/bedrock_http_error.h"
#include "request/bedrock_request.h"
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

bool BuildOllamaBody(const ProviderConfig& /*config*/, WireApi api,
                     const CompletionRequest& /*request*/, Json* /*body*/, Error* error) {
  return NotInWebBuild(api, error);
}

bool BuildCohereBody(const ProviderConfig& /*config*/, const CompletionRequest& /*request*/,
                     Json* /*body*/, Error* error) {
  return NotInWebBuild(WireApi::kCohereChat, error);
}

// The relay codec is left out too (core/src/relay/): the npm package posts to a relay itself.
bool BuildRelayBody(const CompletionRequest& /*request*/, Json* /*body*/, Error* error) {
  return NotInWebBuild(WireApi::kRelay, error);
}

void ReadGoogleStatus(const Json& /*error*/, std::string* /*status*/, std::string* /*reason*/,
                      std::optional<int64_t>* /*retry_delay_ms*/) {}

void UnwrapGoogleErrorArray(Json* /*body*/) {}

std::string GeminiPath(const std::string& /*model*/) { return {}; }

bool BuildBedrockRequest(const ProviderConfig& /*config*/, const CompletionRequest& /*request*/,
                         HttpRequest* /*out*/, Error* error) {
  return NotInWebBuild(WireApi::kBedrockConverse, error);
}

// Never reached (no Bedrock request is built here): what the other providers' errors get.
Error ClassifyBedrockHttpError(int status, const HeaderList& headers, std::string_view body,
                               int64_t now_unix_ms, std::string_view secret) {
  return ClassifyHttpError(Provider::kBedrock, status, headers, body, now_unix_ms, secret);
}

}  // namespace llmstream::request_internal

namespace llmstream {

// Nothing built here is signed (Bedrock is refused above).
bool SignRequest(const ProviderConfig& config, std::optional<int64_t> /*unix_ms*/,
                 HttpRequest* /*request*/, Error* error) {
  return ResolveApi(config) != WireApi::kBedrockConverse ||
         request_internal::Invalid(error, "bedrock_converse is not in the web build");
}

}  // namespace llmstream
