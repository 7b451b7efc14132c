// The body of a relay POST (docs/relay-protocol.md, "Starting a stream") read into the core's
// CompletionRequest, and the relay's policy applied to it. A reasonable subset for an example:
// model, prompt, system, messages (role + string content), maxTokens, temperature, topP, stop, n.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "llmstream/request.h"

namespace relay {

// What the operator allows (command-line flags): the page decides none of it.
struct Policy {
  std::vector<std::string> allowed_models;
  int max_tokens_cap = 1024;  // also the maxTokens of a request that names none
};

// An HTTP error with the protocol's JSON body: {"error": {code, message, retryable: false}}.
struct Refusal {
  int status = 400;
  std::string code;
  std::string message;
};

std::variant<llmstream::CompletionRequest, Refusal> ParseRelayRequest(std::string_view body,
                                                                      const Policy& policy);

// {"error":{"code":...,"message":...,"retryable":false}}
std::string RefusalJson(const Refusal& refusal);

}  // namespace relay
