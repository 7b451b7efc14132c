// The request that continues a partial answer (SessionOptions::continuation).
//
// Anthropic Messages treats a trailing assistant turn as a prefill: the model continues that very
// text, so the partial answer goes there (without trailing whitespace, which the API rejects).
// The OpenAI-style APIs have no prefill: the partial answer becomes an assistant turn followed by
// a user turn asking to continue it. Either way the model may repeat a little of the tail or
// restart the word; the Splicer (splicer.h) removes that overlap.
#pragma once

#include <optional>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/request.h"

namespace llmstream::session_internal {

// The user turn added for OpenAI-style APIs.
inline constexpr std::string_view kContinuePrompt =
    "Your previous reply was cut off. Continue it exactly where it stopped, even in the middle of "
    "a word or sentence. Do not repeat any of it and do not add anything before the continuation.";

// Whether `delivered` can be continued by text alone: one choice, some visible text, no finish
// reason yet, and no reasoning, refusal or tool call (those cannot be echoed back as a plain
// assistant turn).
bool CanContinue(const CompletionRequest& request, const Completion& delivered);

// `original` extended so that the model continues `partial`. nullopt when it cannot be expressed
// (an Anthropic prefill that would be empty once trailing whitespace is trimmed).
std::optional<CompletionRequest> ContinuationRequest(const CompletionRequest& original, WireApi api,
                                                     std::string_view partial);

}  // namespace llmstream::session_internal
