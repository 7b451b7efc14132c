// Cohere v2 `message-end` usage: {billed_units: {input_tokens, output_tokens, search_units,
// classifications}, tokens: {input_tokens, output_tokens, image_tokens ...}, cached_tokens}.
// `tokens` is what the model read and wrote (the system prompt Cohere adds included), the counts
// the official SDKs and the Vercel AI SDK report; `billed_units` is what is charged, passed on as
// metadata `usage.billed_units` (and used only when `tokens` is absent).
#pragma once

#include <string_view>

#include "providers/metadata_tracker.h"
#include "stream/emitter.h"

namespace llmstream::cohere {

// Reads `raw` (the usage object) into a Usage, passing its other fields on through `tracker`.
// False when `raw` is no object (null: no usage).
bool ReadUsage(std::string_view raw, MetadataTracker& tracker, Emitter& out, std::string* scratch,
               Usage* usage);

}  // namespace llmstream::cohere
