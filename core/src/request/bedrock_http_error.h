// AWS Bedrock HTTP errors (a non-2xx answer to ConverseStream, before any event) into our Error.
// Bedrock (restJson1) names the error in the `x-amzn-ErrorType` header ("ThrottlingException:
// http://internal.amazon.com/coral/..."), else in the body's `__type` or `code`
// ("com.amazon.coral.service#UnrecognizedClientException"), and says what happened in the body's
// `message` (`Message` from some front ends).
#pragma once

#include <cstdint>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/http_error.h"

namespace llmstream::request_internal {

// The error type without its namespace or URI suffix ("ThrottlingException"), "" when none.
std::string BedrockErrorType(const HeaderList& headers, std::string_view body);

// ClassifyHttpError for Bedrock. provider_type is the error type. The code is what
// ClassifyHttpError gives the status the API reference documents for the type, so that the same
// exception arriving as an event-stream frame after the 200 (bedrock_exceptions.cpp) is classified
// alike, whatever status a front end used:
//   ThrottlingException, ModelNotReadyException (429)            -> kRateLimited
//   InternalServerException (500), ServiceUnavailableException (503),
//   ModelStreamErrorException (424, "retry your request")        -> kServer
//   ModelTimeoutException (408)                                  -> kHttpStatus, retried as 408
//   ModelErrorException (424)                                    -> kHttpStatus
//   ValidationException, ServiceQuotaExceededException (400),
//   ResourceNotFoundException (404)                              -> kBadRequest
//   AccessDeniedException, UnrecognizedClientException, InvalidSignatureException,
//   IncompleteSignatureException, ExpiredTokenException (403)    -> kAuth
// Other types and none: by the response's status. http_status is always the response's. The
// message is "HTTP <status> from bedrock: <Type>: <message>", one line, masked and cut like every
// quoted error body (`secret`: a credential to mask should the server echo it).
Error ClassifyBedrockHttpError(int status, const HeaderList& headers, std::string_view body,
                               int64_t now_unix_ms, std::string_view secret = {});

}  // namespace llmstream::request_internal
