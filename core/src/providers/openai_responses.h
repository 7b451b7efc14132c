// OpenAI Responses API streaming (wire-formats.md §2.8): output items (messages, function calls,
// reasoning, anything else) with their deltas, annotations, and the terminal events
// response.completed / response.incomplete / response.failed / error. Handlers are chosen by the
// JSON `type`, so gateways that imitate /responses with data-only events and a trailing
// `data: [DONE]` (OpenRouter) work too.
#pragma once

#include <memory>

#include "providers/dialect.h"

namespace llmstream {

std::unique_ptr<Dialect> MakeResponsesDialect();

}  // namespace llmstream
