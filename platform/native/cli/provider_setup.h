// From the command line and the environment to a ready ClientOptions + CompletionRequest. The
// per-provider defaults (model, key variable) are the core's (llmstream/request.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cli/args.h"
#include "llmstream/client.h"
#include "llmstream/request.h"

namespace llmstream::cli {

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
