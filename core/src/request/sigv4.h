// AWS Signature Version 4 for an HttpRequest (the Authorization header form), computed in the
// core so that native and wasm sign alike. Pure like the rest of the core: the credentials and
// the signing time are passed in, nothing is read from the environment or a clock.
//
// The rules are those of the AWS SDKs for every service but S3 (@smithy/signature-v4 with its
// defaults, botocore): the URL path is normalized (empty, "." and ".." segments) and URI-encoded
// once more (a path that is already percent-encoded is encoded twice, "%3A" -> "%253A"), the
// query is decoded and re-encoded and sorted, header names are lower-cased and values trimmed
// with inner whitespace runs collapsed, and the payload is hashed whole.
//
// Signatures expire: AWS refuses a request signed more than 5 minutes before (or after) it
// arrives, so a caller that retries signs each attempt again with its own time. SignSigV4 replaces
// the signing headers a previous call added, so re-signing the same request is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/request.h"

namespace llmstream::request_internal {

// ProviderConfig's AwsCredentials and region (llmstream/request.h), as one signing needs them;
// secrets only ever go into the signature (the session token into its own header, which
// Redacted() masks).
struct SigV4Credentials {
  std::string access_key_id{};      // "AKIA...", "ASIA..." (temporary)
  std::string secret_access_key{};  // never sent, only used to derive the signing key
  std::string session_token{};      // STS temporary credentials: sent as X-Amz-Security-Token
  std::string region{};             // "us-east-1": the credential scope's region
};

struct SigV4Params {
  std::string_view service{};  // the signing name: "bedrock" for bedrock-runtime
  int64_t unix_ms = 0;         // the signing time, Unix milliseconds (seconds are used)
  // Adds X-Amz-Content-Sha256 (the payload hash) and signs it, as the AWS JS SDK v3 does for
  // every service (its SignatureV4 defaults applyChecksum to true). The AWS test suite's vectors
  // are computed without it.
  bool add_content_sha256 = true;
};

// The steps of one signing, for tests and debugging. canonical_request holds every signed header
// value, the session token included: never log it.
struct SigV4Steps {
  std::string amz_date{};  // "20150830T123600Z"
  std::string canonical_request{};
  std::string string_to_sign{};
  std::string signed_headers{};  // "content-type;host;x-amz-date"
  std::string signature{};       // 64 hex digits
};

// Signs `request` in place: drops any Authorization, X-Amz-Date, X-Amz-Security-Token and (with
// add_content_sha256) X-Amz-Content-Sha256 headers, then adds X-Amz-Date, X-Amz-Security-Token
// when a session token is given, X-Amz-Content-Sha256 when asked, and Authorization. Host is
// signed from the URL (default ports dropped) unless the request carries a Host header; it is not
// added to the headers (transports set it). Returns false and sets `error` (kInvalidRequest) for
// missing credentials, a region or service that cannot be in a credential scope, a URL without
// http(s) scheme and host, or a time outside 1970..9999; `request` is untouched then. `error` and
// `steps` may be null.
[[nodiscard]] bool SignSigV4(const SigV4Credentials& credentials, const SigV4Params& params,
                             HttpRequest* request, Error* error, SigV4Steps* steps = nullptr);

// "YYYYMMDDTHHMMSSZ" (UTC) of a Unix time in ms within 1970..9999; "" outside.
std::string AmzDate(int64_t unix_ms);

// AWS UriEncode: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash) becomes %XX
// (upper-case hex).
std::string AwsUriEncode(std::string_view bytes, bool keep_slash);

// The canonical URI of a URL path as it is sent (non-S3 rules: normalized, encoded again).
std::string SigV4CanonicalUri(std::string_view path);

// The canonical query string of a URL query (without '?').
std::string SigV4CanonicalQuery(std::string_view query);

}  // namespace llmstream::request_internal
