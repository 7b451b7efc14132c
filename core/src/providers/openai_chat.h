// OpenAI Chat Completions streaming (wire-formats.md §2) and everything that speaks it with
// additions: Groq (x_groq, reasoning, executed_tools, `event: error`), OpenRouter (comments,
// provider, reasoning_details, annotations, cost in usage, error chunks) and generic
// OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio: reasoning_content).
#pragma once

#include <memory>

#include "llmstream/request.h"
#include "providers/dialect.h"

namespace llmstream {

std::unique_ptr<Dialect> MakeOpenAIChatDialect(Provider provider);

}  // namespace llmstream
