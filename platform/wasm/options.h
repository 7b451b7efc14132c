// The options JSON of a WasmSession: ProviderConfig + CompletionRequest + RetryPolicy + Timeouts
// + flags in one camelCase object (npm/src/core/README.md lists every key). Parsed with nlohmann
// without exceptions; a bad document or a value of the wrong type is a kInvalidRequest naming the
// key. Unknown keys are ignored, so the JS layer may pass its own options along.
#pragma once

#include <string_view>

#include "llmstream/error.h"
#include "llmstream/session.h"

namespace llmstream::wasm {

// Fills *out (defaults for absent keys). Returns false and sets *error when the JSON is invalid.
bool ParseSessionOptions(std::string_view json_text, SessionOptions* out, Error* error);

}  // namespace llmstream::wasm
