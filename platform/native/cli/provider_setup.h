// From the command line and the environment to a ready ClientOptions + CompletionRequest: the
// per-provider defaults (model, key variable) and the rules about keys live here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cli/args.h"
#include "llmstream/client.h"
#include "llmstream/request.h"

namespace llmstream::cli {

// The model used when --model is absent; "" for kCompatible (it needs one).
std::string_view DefaultModel(Provider provider);

// The environment variable holding the provider's key: OPENAI_API_KEY ... LLMSTREAM_API_KEY.
std::string_view KeyVariable(Provider provider);

// Local and compatible servers may run without a key; hosted providers may not.
bool KeyRequired(Provider provider);

struct Setup {
  ClientOptions options;
  CompletionRequest request;
};

// Reads the key from `getenv` (injected so that tests need no real environment). On failure
// returns nullopt and sets *error to one line that never contains a key.
std::optional<Setup> MakeSetup(const Args& args, std::string prompt,
                               const std::function<const char*(const char*)>& getenv,
                               std::string* error);

}  // namespace llmstream::cli
