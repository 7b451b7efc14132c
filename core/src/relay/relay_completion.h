// What a relay's `completion` (the terminal event's member, docs/relay-protocol.md) says that its
// chunks do not: each choice's raw finish reason and stop sequence, and its content blocks with
// their ids, signatures and texts (a chunk has no place for a block's id, and reasoning chunks
// carry no block). The relay Session lays them over the result it assembled from the events, so
// that result() is a direct stream's (relay_resume.cpp).
#pragma once

#include <string_view>

#include "llmstream/completion.h"

namespace llmstream::relay_internal {

// Overwrites those facts of `completion`'s choices (matched by index) with `json`'s. False, and
// nothing changed, when `json` is not a completion object.
bool OverlayCompletionFacts(std::string_view json, Completion* completion);

}  // namespace llmstream::relay_internal
