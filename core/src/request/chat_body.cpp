// Chat Completions bodies: OpenAI, Groq, OpenRouter, Mistral, DeepSeek, Azure OpenAI, xAI,
// compatible servers and the local server (wire-formats.md section 5 and docs/wire-formats.md,
// "Requests"). The providers differ in how max tokens and reasoning are spelled, and Mistral
// takes no stream_options.
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

// What of a turn's reasoning a provider takes back on Chat Completions, and where
// (docs/wire-formats.md, "Conversations"): OpenRouter its reasoning_details items (signed text,
// encrypted data), DeepSeek `reasoning_content` and Groq `reasoning` on the turns that called
// tools (where their thinking modes need it), Mistral thinking chunks in `content`. OpenAI,
// Azure, xAI and compatible servers take none on this API.
enum class ReasoningBack : uint8_t { kNone, kOpenRouterDetails, kContentField, kGroq, kMistral };

ReasoningBack ReasoningBackFor(Provider provider) {
  switch (provider) {
    case Provider::kOpenRouter:
      return ReasoningBack::kOpenRouterDetails;
    case Provider::kDeepSeek:
      return ReasoningBack::kContentField;
    case Provider::kGroq:
      return ReasoningBack::kGroq;
    case Provider::kMistral:
      return ReasoningBack::kMistral;
    default:
      return ReasoningBack::kNone;
  }
}

// OpenRouter's reasoning_details items of a turn, in order: a signed text item (Anthropic's
// thinking: unsigned text is not sent, OpenRouter would take it for an unsigned Anthropic
// block), encrypted items as OpenRouter sent them (their JSON, with format, id and index), or
// rebuilt from redacted data.
Json OpenRouterDetails(const std::vector<MessagePart>& parts) {
  Json details = Json::array();
  for (const MessagePart& part : parts) {
    Json item = Json::object();
    if (part.kind == PartKind::kReasoning && !part.signature.empty()) {
      item["type"] = "reasoning.text";
      item["text"] = part.text;
      item["signature"] = part.signature;
    } else if (part.kind == PartKind::kProviderBlock && part.type.starts_with("reasoning.")) {
      if (!ParseJson(part.data, &item) || !item.is_object()) continue;
    } else if (part.kind == PartKind::kRedactedReasoning) {
      item["type"] = "reasoning.encrypted";
      item["data"] = part.data;
      if (!part.id.empty()) item["id"] = part.id;
    } else {
      continue;
    }
    details.push_back(std::move(item));
  }
  return details;
}

Json ChatAssistantMessage(const ProviderConfig& config, const Message& m) {
  Json out = Json::object();
  out["role"] = m.role;
  if (m.parts.empty() && !m.content_json.empty()) {
    out["content"] = MessageContent(m);
    if (!m.name.empty()) out["name"] = m.name;
    if (!m.tool_calls.empty()) out["tool_calls"] = ToolCallsJson(m.tool_calls);
    return out;
  }
  const std::vector<MessagePart> parts = TurnParts(m, config);
  const ReasoningBack back = ReasoningBackFor(config.provider);
  std::string text, reasoning;
  std::vector<ToolCallRequest> calls;
  Json chunks = Json::array();  // Mistral: thinking and text chunks in order
  for (const MessagePart& part : parts) {
    if (part.kind == PartKind::kText) {
      text += part.text;
      if (!part.text.empty())
        chunks.push_back(Json::object({{"type", "text"}, {"text", part.text}}));
    } else if (part.kind == PartKind::kReasoning) {
      reasoning += part.text;
      if (!part.text.empty()) {
        Json thinking = Json::array({Json::object({{"type", "text"}, {"text", part.text}})});
        chunks.push_back(Json::object({{"type", "thinking"}, {"thinking", std::move(thinking)}}));
      }
    } else if (part.kind == PartKind::kToolCall) {
      calls.push_back(part.tool_call);
    }
  }
  if (back == ReasoningBack::kMistral && !reasoning.empty()) {
    out["content"] = std::move(chunks);
  } else if (!calls.empty() && text.empty()) {
    // What the API itself returns for a pure tool-call turn; Mistral's schema wants a string.
    out["content"] = config.provider == Provider::kMistral ? Json("") : Json(nullptr);
  } else {
    out["content"] = text;
  }
  if (!m.name.empty()) out["name"] = m.name;
  if (!calls.empty()) out["tool_calls"] = ToolCallsJson(calls);
  if (back == ReasoningBack::kOpenRouterDetails) {
    Json details = OpenRouterDetails(parts);
    if (!details.empty()) out["reasoning_details"] = std::move(details);
  } else if (!calls.empty() && !reasoning.empty()) {
    if (back == ReasoningBack::kContentField) out["reasoning_content"] = reasoning;
    if (back == ReasoningBack::kGroq) out["reasoning"] = reasoning;
  }
  return out;
}

Json ChatMessage(const ProviderConfig& config, const Message& m) {
  if (m.role == "assistant") return ChatAssistantMessage(config, m);
  Json out = Json::object();
  out["role"] = m.role;
  if (m.role == "tool") {
    out["tool_call_id"] = m.tool_call_id;
    out["content"] = MessageContent(m);
    return out;
  }
  out["content"] = MessageContent(m);
  if (!m.name.empty()) out["name"] = m.name;
  return out;
}

Json ChatToolChoice(const std::string& choice) {
  if (choice == "auto" || choice == "none" || choice == "required") return Json(choice);
  if (choice == "any") return Json("required");
  Json function = Json::object();
  function["name"] = choice;
  Json out = Json::object();
  out["type"] = "function";
  out["function"] = std::move(function);
  return out;
}

// {type: json_object} or {type: json_schema, json_schema: {name, schema, strict}}: OpenAI's
// shape, which Azure, Groq, Mistral, OpenRouter, xAI and DeepSeek (json_object only) share.
Json ChatResponseFormat(const ResponseFormat& format) {
  if (format.type == ResponseFormatType::kJsonObject)
    return Json::object({{"type", "json_object"}});
  Json json_schema = Json::object();
  json_schema["name"] = ResponseSchemaName(format);
  json_schema["schema"] = ResponseSchema(format);
  json_schema["strict"] = format.strict;
  return Json::object({{"type", "json_schema"}, {"json_schema", std::move(json_schema)}});
}

}  // namespace

Json ToolCallsJson(const std::vector<ToolCallRequest>& tool_calls) {
  Json calls = Json::array();
  for (const ToolCallRequest& call : tool_calls) {
    Json function = Json::object();
    function["name"] = call.name;
    function["arguments"] = call.arguments.empty() ? std::string("{}") : call.arguments;
    Json item = Json::object();
    item["id"] = call.id;
    item["type"] = "function";
    item["function"] = std::move(function);
    calls.push_back(std::move(item));
  }
  return calls;
}

bool BuildChatBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                   Error* error) {
  Json& b = *body;
  b["model"] = request.model;

  Json messages = Json::array();
  if (!request.system.empty()) {
    Json system = Json::object();
    system["role"] = "system";
    system["content"] = request.system;
    messages.push_back(std::move(system));
  }
  for (const Message& m : request.messages) messages.push_back(ChatMessage(config, m));
  if (!request.prompt.empty()) {
    Json user = Json::object();
    user["role"] = "user";
    user["content"] = request.prompt;
    messages.push_back(std::move(user));
  }
  b["messages"] = std::move(messages);

  b["stream"] = true;
  // Usage arrives only with this switch on OpenAI and Azure; Groq, DeepSeek and xAI accept it;
  // OpenRouter ignores it (usage always comes); compatible servers (vLLM, llama.cpp, Ollama) need
  // it to report usage at all. Mistral always sends usage and has no such field.
  if (config.provider != Provider::kMistral) {
    b["stream_options"] = Json::object({{"include_usage", true}});
  }

  if (request.max_tokens) {
    // OpenAI deprecated max_tokens (reasoning models reject it), and Azure follows; the others
    // still take it.
    const bool completion_tokens =
        config.provider == Provider::kOpenAI || config.provider == Provider::kAzure;
    b[completion_tokens ? "max_completion_tokens" : "max_tokens"] = *request.max_tokens;
  }
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["top_p"] = *request.top_p;
  if (request.n > 1) b["n"] = request.n;
  if (!request.stop.empty()) b["stop"] = request.stop;

  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json function = Json::object();
      function["name"] = tool.name;
      if (!tool.description.empty()) function["description"] = tool.description;
      function["parameters"] = ToolParameters(tool);
      Json item = Json::object();
      item["type"] = "function";
      item["function"] = std::move(function);
      tools.push_back(std::move(item));
    }
    b["tools"] = std::move(tools);
  }
  if (!request.tool_choice.empty() && !request.tools.empty())
    b["tool_choice"] = ChatToolChoice(request.tool_choice);
  if (IsJsonOutput(request)) b["response_format"] = ChatResponseFormat(request.response_format);

  if (config.provider == Provider::kOpenRouter) {
    // OpenRouter normalizes reasoning for every upstream; it takes an effort or a token budget,
    // not both, so the more specific budget wins.
    if (request.reasoning_budget_tokens) {
      b["reasoning"] = Json::object({{"max_tokens", *request.reasoning_budget_tokens}});
    } else if (request.reasoning_effort) {
      b["reasoning"] = Json::object({{"effort", *request.reasoning_effort}});
    }
  } else if (config.provider == Provider::kDeepSeek) {
    // DeepSeek's thinking mode is a switch (`thinking`) plus an effort; "none" turns it off.
    if (request.reasoning_effort && *request.reasoning_effort == "none") {
      b["thinking"] = Json::object({{"type", "disabled"}});
    } else if (request.reasoning_effort || request.reasoning_budget_tokens) {
      b["thinking"] = Json::object({{"type", "enabled"}});
      if (request.reasoning_effort) b["reasoning_effort"] = *request.reasoning_effort;
    }
  } else if (request.reasoning_effort) {
    b["reasoning_effort"] = *request.reasoning_effort;
  }
  (void)error;
  return true;
}

}  // namespace llmstream::request_internal
