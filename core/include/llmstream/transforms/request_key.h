// RequestKey: the cache key of a request, for StreamCache (stream_cache.h).
//
// Two requests get the same key exactly when they would send the same thing to the same place:
// the provider, the resolved wire API, the base URL (an empty one and the provider's default are
// the same; a trailing slash does not matter), the extra headers that are not secrets (names
// compared case-insensitively, order ignored), and every field of the CompletionRequest (model,
// prompt, system, messages with their tool calls, max_tokens, temperature, top_p, stop, tools,
// tool_choice, extra_body_json, reasoning options, n). The API key and secret headers
// (IsSensitiveHeader: Authorization, x-api-key, anything naming a key, token, secret or auth)
// are left out, so the key can be logged and stored, and users of one deployment share cached
// answers; pass a `salt` (a user or tenant id) to keep caches apart.
//
// The key is "llmstream-req-v1:" followed by the SHA-256 (hex) of an unambiguous, length-prefixed
// serialization of those fields (doubles by their bit pattern): stable across runs, platforms
// and the wasm build. Caching is the caller's choice: with a temperature above 0 the provider
// would not have answered the same twice either.
#pragma once

#include <string>
#include <string_view>

#include "llmstream/request.h"

namespace llmstream {

std::string RequestKey(const ProviderConfig& config, const CompletionRequest& request,
                       std::string_view salt = {});

}  // namespace llmstream
