// What a response means before any SSE is parsed (wire-formats.md section 6): is it an event
// stream, and if not, which Error it is. Also the wall-clock "now" that HTTP dates need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/http_error.h"
#include "llmstream/request.h"
#include "text/one_line.h"

namespace llmstream::session_internal {

// Bodies that are not event streams are collected for the error message up to this size; the
// transfer is cut there (an error JSON is small, an HTML error page's title comes first).
inline constexpr size_t kMaxCollectedBody = 64 * 1024;

// text/event-stream (any case, parameters allowed), or no Content-Type at all: lenient, since
// some proxies and local servers omit it and the SSE parser copes with anything.
bool IsEventStream(const HeaderList& headers);

// Unix ms for a response: its Date header (the server's clock, the one its Retry-After dates
// use), else unix_ms_at_zero + now_ms, else nullopt.
std::optional<int64_t> UnixNow(const HeaderList& headers, std::optional<int64_t> unix_ms_at_zero,
                               int64_t now_ms);

// ClassifyHttpError for a non-2xx response (`api_key` masked in all it quotes). Without a known
// Unix time, values that depend on it (a Retry-After HTTP date) are dropped rather than guessed.
Error ClassifyStatus(Provider provider, int status, const HeaderList& headers,
                     std::string_view body, std::optional<int64_t> unix_now,
                     std::string_view api_key);

// A 2xx response that is not an event stream: when the body is a provider error object
// ({"error": ...} or {"type": "error", ...}), that error as kProviderError; otherwise
// kNotEventStream naming the content type, with a one-line snippet of the body (`api_key`, if a
// server echoed it, is masked there).
Error ClassifyNotEventStream(Provider provider, int status, const HeaderList& headers,
                             std::string_view body, std::optional<int64_t> unix_now,
                             std::string_view api_key);

// ParseRateLimitHeaders; reset_ms of absolute resets stays unset without a known Unix time.
RateLimitInfo RateLimits(const HeaderList& headers, std::optional<int64_t> unix_now);

// Every occurrence of the key masked (text/one_line.h).
using text::MaskKey;

}  // namespace llmstream::session_internal
