// What a response means before its body is framed (wire-formats.md section 6): is it a stream of
// the API asked, in which framing, and if not, which Error it is. Also the wall-clock "now" that
// HTTP dates need.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/framing.h"
#include "llmstream/http_error.h"
#include "llmstream/request.h"
#include "text/one_line.h"

namespace llmstream::session_internal {

// Bodies that are not streams are collected for the error message up to this size; the
// transfer is cut there (an error JSON is small, an HTML error page's title comes first).
inline constexpr size_t kMaxCollectedBody = 64 * 1024;

// The framing a 2xx response of `api` is read with, by its Content-Type (FramingFor in
// llmstream/framing.h: no Content-Type is the API's own framing); nullopt: not a stream of `api`.
std::optional<Framing> ResponseFraming(WireApi api, const HeaderList& headers);

// Unix ms for a response: its Date header (the server's clock, the one its Retry-After dates
// use), else unix_ms_at_zero + now_ms, else nullopt.
std::optional<int64_t> UnixNow(const HeaderList& headers, std::optional<int64_t> unix_ms_at_zero,
                               int64_t now_ms);

// The secrets of a config, masked wherever the session quotes a server's words: api_key, and
// the AWS secret access key and session token. (The access key id identifies, like a user name:
// AWS quotes it in its own messages.)
std::array<std::string_view, 3> ConfigSecrets(const ProviderConfig& config);

// ClassifyHttpError for a non-2xx response (ClassifyBedrockHttpError for Bedrock's
// ConverseStream: its exception names), `api_key` masked in all it quotes. Without a known Unix
// time, values that depend on it (a Retry-After HTTP date) are dropped rather than guessed.
Error ClassifyStatus(Provider provider, WireApi api, int status, const HeaderList& headers,
                     std::string_view body, std::optional<int64_t> unix_now,
                     std::string_view api_key);

// A 2xx response that is not a stream of `api`: when the body is a provider error object
// ({"error": ...} or {"type": "error", ...}), that error as kProviderError; otherwise
// kNotEventStream naming the content type and what `api` streams as, with a one-line snippet of
// the body (`api_key`, if a server echoed it, is masked there).
Error ClassifyNotEventStream(Provider provider, WireApi api, int status, const HeaderList& headers,
                             std::string_view body, std::optional<int64_t> unix_now,
                             std::string_view api_key);

// ParseRateLimitHeaders; reset_ms of absolute resets stays unset without a known Unix time.
RateLimitInfo RateLimits(const HeaderList& headers, std::optional<int64_t> unix_now);

// Every occurrence of the key masked (text/one_line.h).
using text::MaskKey;

}  // namespace llmstream::session_internal
