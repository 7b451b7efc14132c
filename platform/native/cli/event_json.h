// One normalized Event as one line of JSON (the CLI's --json output; the same field names as the
// npm package's chunks where they overlap).
#pragma once

#include <string>

#include "llmstream/event.h"

namespace llmstream::cli {

void AppendEventJson(const Event& event, std::string* out);

}  // namespace llmstream::cli
