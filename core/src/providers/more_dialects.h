// The dialects a build may leave out: Gemini, Bedrock ConverseStream, Ollama's native API and
// Cohere v2 (wire-formats.md, one section each), and OpenAI's Responses API. MakeDialect asks
// here for them; the web core module leaves them out (platform/wasm/CMakeLists.txt: the npm
// package loads the full core module for them), and a Stream that needs one there ends with
// kInvalidRequest instead of misreading the body.
#pragma once

#include <memory>

#include "llmstream/request.h"
#include "providers/dialect.h"

namespace llmstream {

// Whether this build reads them (false in the web core module): code that serves only them (the
// Session's sniffing of Gemini's two framings) is dropped from a build without them.
bool MoreDialectsBuiltIn();
// nullptr when `api` is not one of them or the build left its dialect out.
std::unique_ptr<Dialect> MakeMoreDialect(WireApi api, Provider provider);

std::unique_ptr<Dialect> MakeGeminiDialect();
std::unique_ptr<Dialect> MakeBedrockConverseDialect();
std::unique_ptr<Dialect> MakeOllamaDialect(WireApi api);  // kOllamaChat or kOllamaGenerate
std::unique_ptr<Dialect> MakeCohereDialect();

}  // namespace llmstream
