// Anthropic Messages streaming (wire-formats.md §3): message_start, content blocks (text,
// thinking, redacted thinking, tool use, server tool use, tool results, unknown types) with their
// deltas, message_delta (stop reason, cumulative usage), message_stop, ping and error events.
// Handlers are chosen by the JSON `type` (gateways may drop the `event:` line); an SSE event named
// `error` is an error whatever its JSON says.
#pragma once

#include <memory>

#include "providers/dialect.h"

namespace llmstream {

std::unique_ptr<Dialect> MakeAnthropicDialect();

}  // namespace llmstream
