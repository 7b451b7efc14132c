#include "relay_request.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace relay {
namespace {

using nlohmann::json;

Refusal Invalid(std::string message) { return {400, "invalid_request", std::move(message)}; }

// Fields the protocol names but this example does not implement: refused by name rather than
// ignored, so a page never believes it got tools or JSON output it did not get.
constexpr std::string_view kUnsupported[] = {"tools",           "toolChoice",
                                             "maxSteps",        "responseFormat",
                                             "reasoningEffort", "reasoningBudgetTokens"};
// Each choice is a whole answer to pay for.
constexpr int kMaxChoices = 8;
// The relay decides these; a page naming them could redirect the relay's key.
constexpr std::string_view kForbidden[] = {"apiKey", "baseURL", "headers", "provider", "api"};

template <typename List>
bool Contains(const List& list, std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::variant<llmstream::CompletionRequest, Refusal> ParseRelayRequest(std::string_view body,
                                                                      const Policy& policy) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("the body is not JSON");
  if (!doc.is_object()) return Invalid("the body is not a JSON object");

  llmstream::CompletionRequest request;
  for (const auto& [name, value] : doc.items()) {
    if (Contains(kForbidden, name)) {
      return Invalid("'" + name + "' is decided by the relay, not by the request");
    }
    if (Contains(kUnsupported, name)) {
      return Invalid("'" + name + "' is not supported by this relay");
    }
    if (name == "model" || name == "prompt" || name == "system") {
      if (!value.is_string()) return Invalid("'" + name + "' must be a string");
      std::string text = value.get<std::string>();
      (name == "model"    ? request.model
       : name == "prompt" ? request.prompt
                          : request.system) = std::move(text);
    } else if (name == "messages") {
      if (!value.is_array()) return Invalid("'messages' must be an array");
      for (const json& message : value) {
        if (!message.is_object() || !message.contains("role") || !message["role"].is_string() ||
            !message.contains("content") || !message["content"].is_string()) {
          return Invalid("each message needs a string 'role' and a string 'content'");
        }
        std::string role = message["role"].get<std::string>();
        if (role != "user" && role != "assistant" && role != "system") {
          return Invalid("message role '" + role + "' is not supported by this relay");
        }
        request.messages.push_back({.role = role, .content = message["content"]});
      }
    } else if (name == "maxTokens" || name == "n") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > 1'000'000) {
        return Invalid("'" + name + "' must be a positive integer");
      }
      if (name == "n") {
        if (value.get<int64_t>() > kMaxChoices) {
          return Invalid("'n' may be at most " + std::to_string(kMaxChoices));
        }
        request.n = value.get<int>();
      } else {
        request.max_tokens = value.get<int>();
      }
    } else if (name == "temperature" || name == "topP") {
      if (!value.is_number()) return Invalid("'" + name + "' must be a number");
      (name == "temperature" ? request.temperature : request.top_p) = value.get<double>();
    } else if (name == "stop") {
      if (value.is_string()) {
        request.stop.push_back(value.get<std::string>());
      } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                                 [](const json& s) { return s.is_string(); })) {
        for (const json& s : value) request.stop.push_back(s.get<std::string>());
      } else {
        return Invalid("'stop' must be a string or an array of strings");
      }
    } else {
      return Invalid("unknown field '" + name + "'");
    }
  }
  if (request.prompt.empty() && request.messages.empty()) {
    return Invalid("the request has neither 'prompt' nor 'messages'");
  }
  if (request.model.empty()) return Invalid("the request names no 'model'");

  if (!Contains(policy.allowed_models, request.model)) {
    return Refusal{403, "policy_violation",
                   "model '" + request.model +
                       "' is not allowed here; allowed: " + Join(policy.allowed_models)};
  }
  if (request.max_tokens.value_or(policy.max_tokens_cap) > policy.max_tokens_cap) {
    return Refusal{403, "policy_violation",
                   "maxTokens " + std::to_string(*request.max_tokens) + " is over the cap of " +
                       std::to_string(policy.max_tokens_cap)};
  }
  // Without one the provider's own default applies, which the cap is there to bound.
  if (!request.max_tokens) request.max_tokens = policy.max_tokens_cap;
  return request;
}

std::string RefusalJson(const Refusal& refusal) {
  json body = {
      {"error", {{"code", refusal.code}, {"message", refusal.message}, {"retryable", false}}}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace relay
