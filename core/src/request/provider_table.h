// The one table of per-provider facts: names, the natural wire API, where the provider lives,
// its default model, its key and how the key is sent. ProviderName, ProviderAlias, ParseProvider,
// DefaultModel, ApiKeyVariable, ApiKeyRequired, ResolveApi, DefaultBaseUrl and the URL / header
// builders all read it; the npm package's provider list is generated from those functions
// (platform/wasm/abi_gen.cpp) and the CLI's --help and errors list them, so a provider is added
// here once.
#pragma once

#include <cstdint>

#include "llmstream/request.h"

namespace llmstream::request_internal {

// How the key travels (in this order: BuildHeaders in request.cpp indexes header names by it). A
// provider whose auth is kBearer and that speaks another provider's protocol (the local server,
// compatible servers, a proxy asked for Anthropic Messages) sends that protocol's header instead:
// see AuthFor.
enum class AuthStyle : uint8_t {
  kBearer,      // Authorization: Bearer <key>
  kXApiKey,     // x-api-key: <key> (Anthropic)
  kGoogApiKey,  // x-goog-api-key: <key> (Gemini)
  kApiKey,      // api-key: <key> (Azure OpenAI)
  kAwsSigV4,    // AWS Signature Version 4 (Bedrock): signed, not a header the builder writes
};

// C strings rather than string_views: half the bytes per field in the wasm module, whose size is
// budgeted.
struct ProviderFacts {
  const char* name;   // stable lower-case name (ProviderName)
  const char* alias;  // one more name ParseProvider accepts; "" = none
  WireApi api;        // the API used when the config names none (ResolveApi)
  AuthStyle auth;
  bool key_required;         // the provider's own server refuses requests without a key
  const char* base_url;      // "" = the caller must give one (compatible, Azure)
  const char* model;         // "" = the caller must name one
  const char* key_variable;  // the environment variable callers conventionally read
};

// How many providers there are (llmstream/request.h): the table has one row more.
using ::llmstream::kProviderCount;

// The facts of `provider`. A value outside the enum (a number from outside, e.g. JS) gets a row
// named "unknown" that needs a base URL and no key, as the switch statements this table
// replaced answered for one.
const ProviderFacts& Facts(Provider provider);

// The header style a request to `provider` over `api` uses.
AuthStyle AuthFor(Provider provider, WireApi api);

}  // namespace llmstream::request_internal
