// Usage the provider never reported, estimated from text lengths, and usage added up over the
// attempts of one session (a continued answer is billed for every attempt).
//
// The estimate is deliberately simple and the same everywhere (C++ and JS): about 4 characters
// (Unicode code points) a token, rounded up. Input counts everything the request sends as text
// (system, messages with their tool calls, prompt, tool names, descriptions and schemas); output
// counts what the model generated (text, reasoning, refusals, tool-call arguments and names).
// Images and documents in Message::content_json are not counted (only their text parts).
#pragma once

#include <cstdint>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/pricing.h"
#include "llmstream/request.h"
#include "llmstream/usage.h"

namespace llmstream::session_internal {

// Unicode code points of UTF-8 text (continuation bytes are not counted).
int64_t CountCodePoints(std::string_view text);
// ceil(chars / 4); 0 for 0.
int64_t TokensForChars(int64_t chars);

int64_t RequestChars(const CompletionRequest& request);
int64_t OutputChars(const Completion& completion);

// The usage of an attempt that ended without final usage. `reported` is what the provider said
// before its output began (Anthropic's message_start has the input, and a placeholder output):
// its input-side counts are kept, the output is always estimated. estimated = true.
Usage EstimateUsage(const CompletionRequest& request, const Completion& output,
                    const Usage& reported);

// a + b field by field (unset + unset stays unset); estimated when either is.
Usage AddUsage(const Usage& a, const Usage& b);
// a + b; the source is the least trusted of the two known ones (a sum is only as good as its
// weakest part), the price date the first one known.
Cost AddCost(const Cost& a, const Cost& b);

// Prices `usage` as Stream does: the model the stream named first, the requested one second.
Cost PriceUsage(const Usage& usage, const PriceTable* prices, std::string_view resolved_model,
                std::string_view requested_model);

}  // namespace llmstream::session_internal
