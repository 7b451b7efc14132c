// What a Session of provider kRelay needs of the relay protocol besides the stream itself
// (docs/relay-protocol.md): the resume and cancel requests of a named stream, and the error of
// a refused request. In relay_requests.cpp; the web core module, which sends no relay request,
// links stubs (platform/wasm/sse_only.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/http_error.h"
#include "llmstream/request.h"

namespace llmstream::relay_internal {

// GET <base_url>?stream=<id> (or &stream= after a query of its own) with Last-Event-ID when an
// event was read: the relay answers every event after it, then the live ones.
HttpRequest ResumeRequest(const ProviderConfig& config, std::string_view stream_id,
                          std::optional<uint64_t> last_event_id);
// DELETE <base_url>?stream=<id>: the relay cancels the upstream request.
HttpRequest CancelRequest(const ProviderConfig& config, std::string_view stream_id);

// A relay's HTTP refusal ({"error": {code, message, retryable, retryAfterMs}}, any status) as the
// error of its code; a body without one is classed by its status, as the npm client does (401
// and 403 kAuth, 429 kRateLimited, 5xx kServer, else kHttpStatus). Retry-After counts when the
// body gives no retryAfterMs.
Error RefusalError(int status, const HeaderList& headers, std::string_view body,
                   std::optional<int64_t> unix_now);

}  // namespace llmstream::relay_internal
