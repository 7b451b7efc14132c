// Anthropic Messages bodies: top-level system, required max_tokens, tool_use / tool_result
// content blocks, `thinking` for reasoning.
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

constexpr int kDefaultMaxTokens = 4096;

Json TextBlock(const std::string& text) {
  Json out = Json::object();
  out["type"] = "text";
  out["text"] = text;
  return out;
}

Json AnthropicToolChoice(const std::string& choice) {
  Json out = Json::object();
  if (choice == "auto" || choice == "none") {
    out["type"] = choice;
  } else if (choice == "required" || choice == "any") {
    out["type"] = "any";
  } else {
    out["type"] = "tool";
    out["name"] = choice;
  }
  return out;
}

class Turns {
 public:
  explicit Turns(Json* messages) : messages_(*messages) {}

  void Push(std::string_view role, Json content) {
    Json turn = Json::object();
    turn["role"] = role;
    turn["content"] = std::move(content);
    messages_.push_back(std::move(turn));
    tool_results_open_ = false;
  }

  // Tool results of one assistant turn must all be in the single user turn that follows it.
  void AddToolResult(Json block) {
    if (!tool_results_open_) {
      Push("user", Json::array());
      tool_results_open_ = true;
    }
    messages_.back()["content"].push_back(std::move(block));
  }

  // A user message right after tool results joins that turn (results first, as required).
  void AddUser(const Message& m) {
    if (tool_results_open_) {
      Json content = MessageContent(m);
      Json& blocks = messages_.back()["content"];
      if (content.is_array()) {
        for (Json& block : content) blocks.push_back(std::move(block));
      } else if (content.is_string()) {
        blocks.push_back(TextBlock(content.get_ref<const std::string&>()));
      } else {
        blocks.push_back(std::move(content));
      }
      tool_results_open_ = false;
      return;
    }
    Push("user", MessageContent(m));
  }

 private:
  Json& messages_;
  bool tool_results_open_ = false;
};

// A tool call's arguments as the object `input` (Messages requires an object; "" is {}).
bool ToolInput(const ToolCallRequest& call, const std::string& where, Json* input, Error* error) {
  return ArgumentsObject(call, where, "Anthropic tool_use input", input, error);
}

Json ToolUseBlock(std::string_view type, const ToolCallRequest& call, Json input) {
  Json block = Json::object();
  block["type"] = type;
  block["id"] = call.id;
  block["name"] = call.name;
  block["input"] = std::move(input);
  return block;
}

// A hand-written turn with content_json: that content as blocks, then its tool calls.
bool RawAssistantContent(const Message& m, size_t index, Json* content, Error* error) {
  if (m.tool_calls.empty()) {
    *content = MessageContent(m);
    return true;
  }
  Json blocks = Json::array();
  Json raw = MessageContent(m);
  if (raw.is_array()) {
    for (Json& block : raw) blocks.push_back(std::move(block));
  } else if (raw.is_string()) {
    if (!raw.get_ref<const std::string&>().empty()) {
      blocks.push_back(TextBlock(raw.get_ref<const std::string&>()));
    }
  } else {
    blocks.push_back(std::move(raw));
  }
  for (size_t j = 0; j < m.tool_calls.size(); ++j) {
    Json input;
    const std::string where =
        "messages[" + std::to_string(index) + "].tool_calls[" + std::to_string(j) + "]";
    if (!ToolInput(m.tool_calls[j], where, &input, error)) return false;
    blocks.push_back(ToolUseBlock("tool_use", m.tool_calls[j], std::move(input)));
  }
  *content = std::move(blocks);
  return true;
}

// One part as the content block Anthropic wants back: thinking with its signature,
// redacted_thinking with its data untouched, text, tool_use, and the provider's own blocks
// (server tool calls rebuilt, results verbatim). False (with `error`) for what cannot be sent.
bool PartBlock(const MessagePart& part, const std::string& where, Json* out, Error* error) {
  Json block = Json::object();
  switch (part.kind) {
    case PartKind::kText:
      *out = TextBlock(part.text);
      return true;
    case PartKind::kReasoning:
      block["type"] = "thinking";
      block["thinking"] = part.text;
      block["signature"] = part.signature;
      break;
    case PartKind::kRedactedReasoning:
      block["type"] = "redacted_thinking";
      block["data"] = part.data;
      break;
    case PartKind::kToolCall: {
      Json input;
      if (!ToolInput(part.tool_call, where, &input, error)) return false;
      block = ToolUseBlock("tool_use", part.tool_call, std::move(input));
      break;
    }
    case PartKind::kProviderBlock:
      if (part.data.empty() && !part.tool_call.id.empty()) {
        // A server tool call arrives as deltas, not whole: rebuilt from its id, name, input.
        Json input;
        if (!ToolInput(part.tool_call, where, &input, error)) return false;
        const std::string_view type =
            part.type.empty() ? std::string_view("server_tool_use") : std::string_view(part.type);
        block = ToolUseBlock(type, part.tool_call, std::move(input));
      } else if (!ParseJson(part.data, &block) || !block.is_object()) {
        return Invalid(error, where + " (" + part.type +
                                  ") has no JSON block in data: Anthropic needs the block back "
                                  "whole");
      }
      break;
  }
  *out = std::move(block);
  return true;
}

bool AssistantContent(const ProviderConfig& config, const Message& m, size_t index, Json* content,
                      Error* error) {
  if (m.parts.empty() && !m.content_json.empty()) {
    return RawAssistantContent(m, index, content, error);
  }
  // A hand-written turn of text alone stays the plain string (a continuation's prefill is one).
  if (m.parts.empty() && m.tool_calls.empty()) {
    *content = MessageContent(m);
    return true;
  }
  const std::vector<MessagePart> parts = TurnParts(m, config);
  Json blocks = Json::array();
  for (size_t j = 0; j < parts.size(); ++j) {
    // Anthropic refuses empty text blocks (a turn that only called tools has none).
    if (parts[j].kind == PartKind::kText && parts[j].text.empty()) continue;
    Json block;
    if (!PartBlock(parts[j], PartPath(m, index, parts, j), &block, error)) return false;
    blocks.push_back(std::move(block));
  }
  // Nothing to say: the plain (empty) content, as before parts.
  *content = blocks.empty() ? MessageContent(m) : std::move(blocks);
  return true;
}

}  // namespace

// The thinking budget the request asks for, 0 for none. An effort maps to a budget (the values
// LiteLLM uses) because Messages has no effort knob for most models.
bool ThinkingBudget(const CompletionRequest& request, std::string_view vendor, int* budget,
                    Error* error) {
  *budget = 0;
  if (request.reasoning_budget_tokens) {
    *budget = *request.reasoning_budget_tokens;
  } else if (request.reasoning_effort) {
    const std::string& effort = *request.reasoning_effort;
    if (effort == "none") return true;
    if (effort == "minimal" || effort == "low") {
      *budget = 1024;
    } else if (effort == "medium") {
      *budget = 2048;
    } else if (effort == "high") {
      *budget = 4096;
    } else {
      return Invalid(error, "reasoning_effort '" + effort + "' has no " + std::string(vendor) +
                                " thinking budget; use minimal, low, medium, high, none or set "
                                "reasoning_budget_tokens");
    }
  }
  if (*budget != 0 && *budget < kMinThinkingBudgetTokens) {
    return Invalid(error, "reasoning_budget_tokens must be at least 1024 for " +
                              std::string(vendor) + " (got " + std::to_string(*budget) + ")");
  }
  return true;
}

// Claude's extended thinking "isn't compatible with temperature or top_k modifications as well
// as forced tool use", and takes a top_p only within [0.95, 1] (Anthropic's extended-thinking
// page and release notes); the API answers 400 invalid_request_error otherwise. Refused here,
// before a request is spent, saying what to change.
bool CheckThinkingOptions(const CompletionRequest& request, std::string_view vendor, Error* error) {
  const std::string when = " when " + std::string(vendor) +
                           " thinking is on (reasoning_effort / reasoning_budget_tokens)";
  const std::string or_off = ", or turn thinking off (reasoning_effort 'none')";
  if (request.temperature && *request.temperature != 1.0) {
    return Invalid(error, "temperature must be 1 or unset" + when + ", got " +
                              FormatNumber(*request.temperature) + ": leave temperature unset" +
                              or_off);
  }
  if (request.top_p && *request.top_p < 0.95) {
    return Invalid(error, "top_p must be within [0.95, 1] or unset" + when + ", got " +
                              FormatNumber(*request.top_p) + ": leave top_p unset" + or_off);
  }
  // top_k has no field of its own: it comes as a body field (the npm package's topK does).
  Json extra;
  if (!request.extra_body_json.empty() && ParseJson(request.extra_body_json, &extra) &&
      extra.is_object() && extra.contains("top_k") && !extra["top_k"].is_null()) {
    return Invalid(error,
                   "top_k (in the extra body) cannot be set" + when + ": leave it out" + or_off);
  }
  const std::string& choice = request.tool_choice;
  if (!request.tools.empty() && !choice.empty() && choice != "auto" && choice != "none") {
    return Invalid(error, "tool_choice '" + choice + "' forces tool use, which " +
                              std::string(vendor) + " refuses" + when + ": use tool_choice 'auto'" +
                              or_off);
  }
  return true;
}

bool BuildAnthropicBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                        Error* error) {
  int budget = 0;
  if (!ThinkingBudget(request, "Anthropic", &budget, error)) return false;
  if (budget > 0 && !CheckThinkingOptions(request, "Anthropic", error)) return false;
  int max_tokens = request.max_tokens.value_or(kDefaultMaxTokens + budget);
  if (budget > 0 && max_tokens <= budget) {
    return Invalid(error, "max_tokens (" + std::to_string(max_tokens) +
                              ") must be greater than the thinking budget (" +
                              std::to_string(budget) + ")");
  }

  std::string system = request.system;
  Json messages = Json::array();
  Turns turns(&messages);
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const Message& m = request.messages[i];
    if (m.role == "system" || m.role == "developer") {
      if (!system.empty() && !m.content.empty()) system += "\n\n";
      system += m.content;
    } else if (m.role == "user") {
      turns.AddUser(m);
    } else if (m.role == "assistant") {
      Json content;
      if (!AssistantContent(config, m, i, &content, error)) return false;
      turns.Push("assistant", std::move(content));
    } else if (m.role == "tool") {
      Json block = Json::object();
      block["type"] = "tool_result";
      block["tool_use_id"] = m.tool_call_id;
      block["content"] = MessageContent(m);
      if (m.is_error) block["is_error"] = true;
      turns.AddToolResult(std::move(block));
    }
  }
  if (!request.prompt.empty()) {
    Message prompt;
    prompt.role = "user";
    prompt.content = request.prompt;
    turns.AddUser(prompt);
  }

  Json& b = *body;
  b["model"] = request.model;
  b["max_tokens"] = max_tokens;
  if (!system.empty()) b["system"] = system;
  b["messages"] = std::move(messages);
  b["stream"] = true;
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["top_p"] = *request.top_p;
  if (!request.stop.empty()) b["stop_sequences"] = request.stop;
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json item = Json::object();
      item["name"] = tool.name;
      if (!tool.description.empty()) item["description"] = tool.description;
      item["input_schema"] = ToolParameters(tool);
      tools.push_back(std::move(item));
    }
    b["tools"] = std::move(tools);
  }
  if (!request.tool_choice.empty() && !request.tools.empty())
    b["tool_choice"] = AnthropicToolChoice(request.tool_choice);
  if (budget > 0) {
    Json thinking = Json::object();
    thinking["type"] = "enabled";
    thinking["budget_tokens"] = budget;
    b["thinking"] = std::move(thinking);
  }
  if (IsJsonOutput(request)) {
    // Structured outputs, generally available (the beta's `output_format` and its header moved
    // here). Always constrained: there is no strict switch; json_object was refused earlier.
    Json format = Json::object({{"type", "json_schema"}});
    format["schema"] = ResponseSchema(request.response_format);
    b["output_config"] = Json::object({{"format", std::move(format)}});
  }
  return true;
}

}  // namespace llmstream::request_internal
