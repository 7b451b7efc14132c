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

// --provider bedrock: the region (AWS_REGION, else AWS_DEFAULT_REGION) and, unless a Bedrock API
// key was read (AWS_BEARER_TOKEN_BEDROCK), the credentials (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) into `config`. False and *error (naming the
// variables, never a value) when neither kind of credentials is set or the region is missing.
bool ReadAwsEnvironment(const Args& args, const std::function<const char*(const char*)>& getenv,
                        ProviderConfig* config, std::string* error);

// Reads the key from `getenv` (injected so that tests need no real environment). On failure
// returns nullopt and sets *error to one line that never contains a key.
std::optional<Setup> MakeSetup(const Args& args, std::string prompt,
                               const std::function<const char*(const char*)>& getenv,
                               std::string* error);

}  // namespace llmstream::cli
