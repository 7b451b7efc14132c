// SignRequest (llmstream/request.h): the only auth that is computed per attempt is AWS SigV4 for
// Bedrock, so the function lives with Bedrock's request code (left out of the web core module,
// which cannot read Bedrock streams; platform/wasm/sse_only_requests.cpp stands in there).
#include "llmstream/request.h"
#include "request/bedrock_request.h"
#include "request/sigv4.h"

namespace llmstream {

bool SignRequest(const ProviderConfig& config, std::optional<int64_t> unix_ms, HttpRequest* request,
                 Error* error) {
  if (!request_internal::SignsWithSigV4(config)) return true;
  if (!unix_ms) {
    return request_internal::Invalid(
        error,
        "signing the Bedrock request (AWS SigV4) needs the wall time, and none is known "
        "(SessionOptions::unix_ms_at_zero is unset)");
  }
  const AwsCredentials& aws = config.aws_credentials;
  const request_internal::SigV4Credentials credentials{.access_key_id = aws.access_key_id,
                                                       .secret_access_key = aws.secret_access_key,
                                                       .session_token = aws.session_token,
                                                       .region = config.region};
  return request_internal::SignSigV4(
      credentials, {.service = request_internal::kBedrockSigningName, .unix_ms = *unix_ms}, request,
      error);
}

}  // namespace llmstream
