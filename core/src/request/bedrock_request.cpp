#include "request/bedrock_request.h"

#include <string>

#include "request/sigv4.h"

namespace llmstream::request_internal {

namespace {

constexpr int kDefaultMaxTokens = 4096;

bool IsRegionName(std::string_view region) {
  if (region.empty()) return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string RegionProblem(std::string_view region, std::string_view why) {
  return region.empty()
             ? "provider 'bedrock' needs an AWS region " + std::string(why) +
                   ": pass region (AWS_REGION), e.g. \"us-east-1\""
             : "the AWS region '" + std::string(region) + "' is not a region name (like us-east-1)";
}

// The two ways in (llmstream/request.h, ProviderConfig): IAM credentials, whole, with a region to
// sign for; or a Bedrock API key. Not both: which one the caller meant is not ours to guess.
bool CheckBedrockAuth(const ProviderConfig& config, Error* error) {
  const AwsCredentials& aws = config.aws_credentials;
  if (SignsWithSigV4(config)) {
    if (!config.api_key.empty()) {
      return Invalid(error,
                     "bedrock got both a Bedrock API key (api_key) and AWS credentials "
                     "(aws_credentials): pass one of them");
    }
    if (aws.access_key_id.empty()) {
      return Invalid(error,
                     "the AWS access key id (aws_credentials.access_key_id, "
                     "AWS_ACCESS_KEY_ID) is empty");
    }
    if (aws.secret_access_key.empty()) {
      return Invalid(error,
                     "the AWS secret access key (aws_credentials.secret_access_key, "
                     "AWS_SECRET_ACCESS_KEY) is empty");
    }
    if (!IsRegionName(config.region)) {
      return Invalid(error, RegionProblem(config.region, "to sign with"));
    }
    return true;
  }
  if (config.api_key.empty() && ApiKeyRequired(config.provider) && config.base_url.empty() &&
      !HasAuthHeader(config)) {
    return Invalid(
        error,
        "no credentials for provider 'bedrock': pass aws_credentials (AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or a Bedrock API key as api_key "
        "(AWS_BEARER_TOKEN_BEDROCK)");
  }
  return true;
}

Json TextBlock(const std::string& text) {
  Json block = Json::object();
  block["text"] = text;
  return block;
}

// Which reasoning knobs a model takes, from its id: a foundation model id
// ("anthropic.claude-..."), a cross-region inference profile ("us.anthropic.claude-...") or an
// ARN naming either. An application inference profile's ARN names neither.
enum class Family : uint8_t { kUnknown, kAnthropic, kOpenAI, kNova };

Family ModelFamily(std::string_view model_id) {
  const std::string id = ToLowerAscii(model_id);
  if (id.find("anthropic.") != std::string::npos) return Family::kAnthropic;
  if (id.find("openai.") != std::string::npos) return Family::kOpenAI;
  if (id.find("amazon.nova") != std::string::npos) return Family::kNova;
  return Family::kUnknown;
}

// Bedrock rejects blank text blocks, so an empty message would fail at the server; refused here
// with the index instead.
bool NoEmptyText(const std::string& text, size_t index, Error* error) {
  if (!text.empty()) return true;
  return Invalid(error, "messages[" + std::to_string(index) +
                            "] has empty content: Bedrock rejects empty text blocks");
}

// A message's content as content blocks: content_json as given (an array of blocks, or one
// block), else one text block.
bool ContentBlocks(const Message& m, size_t index, bool allow_empty, Json* blocks, Error* error) {
  *blocks = Json::array();
  if (!m.content_json.empty()) {
    Json raw = MessageContent(m);
    if (raw.is_array()) {
      *blocks = std::move(raw);
    } else if (raw.is_object()) {
      blocks->push_back(std::move(raw));
    } else if (raw.is_string()) {
      if (!NoEmptyText(raw.get_ref<const std::string&>(), index, error)) return false;
      blocks->push_back(TextBlock(raw.get_ref<const std::string&>()));
    } else {
      return Invalid(error, "messages[" + std::to_string(index) +
                                "].content_json must be Bedrock content blocks (an array), one "
                                "block (an object) or text");
    }
    return true;
  }
  if (m.content.empty()) return allow_empty || NoEmptyText(m.content, index, error);
  blocks->push_back(TextBlock(m.content));
  return true;
}

// Turns in order; a turn of the same role as the last one joins it (Bedrock refuses two user or
// two assistant turns in a row, and a tool result is a user turn).
class Turns {
 public:
  explicit Turns(Json* messages) : messages_(*messages) {}

  void Add(std::string_view role, Json blocks) {
    if (messages_.empty() || messages_.back()["role"].get_ref<const std::string&>() != role) {
      Json turn = Json::object();
      turn["role"] = role;
      turn["content"] = Json::array();
      messages_.push_back(std::move(turn));
    }
    Json& content = messages_.back()["content"];
    for (Json& block : blocks) content.push_back(std::move(block));
  }

 private:
  Json& messages_;
};

bool HasToolUse(const Json& blocks) {
  for (const Json& block : blocks) {
    if (block.is_object() && block.contains("toolUse")) return true;
  }
  return false;
}

// One part as the Converse content block Bedrock wants back: reasoningContent with its
// signature (or the redacted bytes, base64 in JSON, as they arrived), text, toolUse.
bool PartBlock(const MessagePart& part, const std::string& where, Json* out, Error* error) {
  Json block = Json::object();
  switch (part.kind) {
    case PartKind::kText:
      block["text"] = part.text;
      break;
    case PartKind::kReasoning: {
      Json text = Json::object();
      text["text"] = part.text;
      if (!part.signature.empty()) text["signature"] = part.signature;
      Json reasoning = Json::object();
      reasoning["reasoningText"] = std::move(text);
      block["reasoningContent"] = std::move(reasoning);
      break;
    }
    case PartKind::kRedactedReasoning: {
      Json reasoning = Json::object();
      reasoning["redactedContent"] = part.data;
      block["reasoningContent"] = std::move(reasoning);
      break;
    }
    case PartKind::kToolCall: {
      const ToolCallRequest& call = part.tool_call;
      Json input = Json::object();
      if (!call.arguments.empty() && (!ParseJson(call.arguments, &input) || !input.is_object())) {
        return Invalid(error, where + ".arguments must be a JSON object for Bedrock toolUse input");
      }
      Json use = Json::object();
      use["toolUseId"] = call.id;
      use["name"] = call.name;
      use["input"] = std::move(input);
      block["toolUse"] = std::move(use);
      break;
    }
    case PartKind::kProviderBlock:
      if (!ParseJson(part.data, &block) || !block.is_object()) {
        return Invalid(
            error, where + " (" + part.type + ") has no JSON content block in data for Bedrock");
      }
      break;
  }
  *out = std::move(block);
  return true;
}

bool AssistantBlocks(const ProviderConfig& config, const Message& m, size_t index, Json* blocks,
                     Error* error) {
  if (m.parts.empty() && !m.content_json.empty()) {
    if (!ContentBlocks(m, index, /*allow_empty=*/true, blocks, error)) return false;
  } else {
    *blocks = Json::array();
  }
  const std::vector<MessagePart> parts = TurnParts(m, config);
  for (size_t j = 0; j < parts.size(); ++j) {
    const MessagePart& part = parts[j];
    if (!m.content_json.empty() && m.parts.empty() && part.kind == PartKind::kText) continue;
    // Bedrock rejects blank text blocks (a turn that only called tools has none).
    if (part.kind == PartKind::kText && part.text.empty()) continue;
    Json block;
    if (!PartBlock(part, PartPath(m, index, parts, j), &block, error)) return false;
    blocks->push_back(std::move(block));
  }
  if (blocks->empty()) return NoEmptyText("", index, error);
  return true;
}

bool ToolResultBlock(const Message& m, size_t index, Json* block, Error* error) {
  Json content = Json::array();
  if (!m.content_json.empty()) {
    Json raw = MessageContent(m);
    if (raw.is_array()) {
      content = std::move(raw);
    } else if (raw.is_string()) {
      if (!NoEmptyText(raw.get_ref<const std::string&>(), index, error)) return false;
      content.push_back(TextBlock(raw.get_ref<const std::string&>()));
    } else {
      Json json_block = Json::object();
      json_block["json"] = std::move(raw);
      content.push_back(std::move(json_block));
    }
  } else {
    if (!NoEmptyText(m.content, index, error)) return false;
    content.push_back(TextBlock(m.content));
  }
  Json result = Json::object();
  result["toolUseId"] = m.tool_call_id;
  result["content"] = std::move(content);
  if (m.is_error) result["status"] = "error";
  *block = Json::object();
  (*block)["toolResult"] = std::move(result);
  return true;
}

// additionalModelRequestFields for the reasoning options, and the maxTokens they imply.
bool Reasoning(const CompletionRequest& request, Json* fields, std::optional<int>* max_tokens,
               Error* error) {
  *max_tokens = request.max_tokens;
  if (!request.reasoning_effort && !request.reasoning_budget_tokens) return true;
  const std::optional<std::string>& effort = request.reasoning_effort;
  switch (ModelFamily(request.model)) {
    case Family::kAnthropic: {
      int budget = 0;
      if (!ThinkingBudget(request, "Claude", &budget, error)) return false;
      if (budget == 0) return true;
      if (!CheckThinkingOptions(request, "Claude", error)) return false;
      *max_tokens = request.max_tokens.value_or(kDefaultMaxTokens + budget);
      if (**max_tokens <= budget) {
        return Invalid(error, "max_tokens (" + std::to_string(**max_tokens) +
                                  ") must be greater than the thinking budget (" +
                                  std::to_string(budget) + ")");
      }
      Json thinking = Json::object();
      thinking["type"] = "enabled";
      thinking["budget_tokens"] = budget;
      (*fields)["thinking"] = std::move(thinking);
      return true;
    }
    case Family::kOpenAI:  // gpt-oss: an effort only (a budget is ignored, as documented)
      if (effort && *effort != "none") (*fields)["reasoning_effort"] = *effort;
      return true;
    case Family::kNova: {  // Nova 2: reasoningConfig with an effort
      if (!effort || *effort == "none") return true;
      Json config = Json::object();
      config["type"] = "enabled";
      config["maxReasoningEffort"] = *effort;
      (*fields)["reasoningConfig"] = std::move(config);
      return true;
    }
    case Family::kUnknown:
      break;
  }
  return Invalid(error, "reasoning options for Bedrock model '" + request.model +
                            "' are not known (known: Anthropic Claude, OpenAI gpt-oss, Amazon "
                            "Nova ids); pass them in extra_body_json as "
                            "additionalModelRequestFields");
}

Json ToolChoice(const std::string& choice) {
  Json out = Json::object();
  if (choice == "auto") {
    out["auto"] = Json::object();
  } else if (choice == "required" || choice == "any") {
    out["any"] = Json::object();
  } else {
    Json tool = Json::object();
    tool["name"] = choice;
    out["tool"] = std::move(tool);
  }
  return out;
}

}  // namespace

std::string BedrockDefaultBaseUrl(std::string_view region) {
  if (!IsRegionName(region)) return "";
  const std::string_view domain = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://bedrock-runtime." + std::string(region) + "." + std::string(domain);
}

std::string BedrockConverseStreamUrl(std::string_view base_url, std::string_view model_id) {
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  return std::string(base_url) + "/model/" + AwsUriEncode(model_id, /*keep_slash=*/false) +
         "/converse-stream";
}

bool BuildBedrockBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                      Error* error) {
  if (request.temperature && *request.temperature > 1) {
    return Invalid(error, "temperature must be within [0, 1] for Bedrock");
  }
  Json system = Json::array();
  if (!request.system.empty()) system.push_back(TextBlock(request.system));
  Json messages = Json::array();
  Turns turns(&messages);
  bool tool_history = false;
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const Message& m = request.messages[i];
    Json blocks;
    if (m.role == "system" || m.role == "developer") {
      if (m.content.empty() && m.content_json.empty()) continue;  // nothing to say
      if (!ContentBlocks(m, i, /*allow_empty=*/false, &blocks, error)) return false;
      for (Json& block : blocks) system.push_back(std::move(block));
    } else if (m.role == "user") {
      if (!ContentBlocks(m, i, /*allow_empty=*/false, &blocks, error)) return false;
      turns.Add("user", std::move(blocks));
    } else if (m.role == "assistant") {
      if (!AssistantBlocks(config, m, i, &blocks, error)) return false;
      tool_history = tool_history || HasToolUse(blocks);
      turns.Add("assistant", std::move(blocks));
    } else if (m.role == "tool") {
      Json block;
      if (!ToolResultBlock(m, i, &block, error)) return false;
      tool_history = true;
      Json one = Json::array();
      one.push_back(std::move(block));
      turns.Add("user", std::move(one));
    }
  }
  if (!request.prompt.empty()) {
    Json one = Json::array();
    one.push_back(TextBlock(request.prompt));
    turns.Add("user", std::move(one));
  }

  Json fields = Json::object();
  std::optional<int> max_tokens;
  if (!Reasoning(request, &fields, &max_tokens, error)) return false;

  const bool no_tool_choice = request.tool_choice == "none";
  if (tool_history && (request.tools.empty() || no_tool_choice)) {
    return Invalid(error,
                   request.tools.empty()
                       ? "the conversation has tool calls or results but tools is empty: Bedrock "
                         "requires the tools (toolConfig) then"
                       : "tool_choice 'none' cannot be expressed on Bedrock for a conversation "
                         "with tool calls or results (Converse has no 'none' and requires the "
                         "tools then)");
  }

  Json& b = *body;
  b["messages"] = std::move(messages);
  if (!system.empty()) b["system"] = std::move(system);
  Json inference = Json::object();
  if (max_tokens) inference["maxTokens"] = *max_tokens;
  if (request.temperature) inference["temperature"] = *request.temperature;
  if (request.top_p) inference["topP"] = *request.top_p;
  if (!request.stop.empty()) inference["stopSequences"] = request.stop;
  if (!inference.empty()) b["inferenceConfig"] = std::move(inference);
  // "none" without a tool history: no tools offered is what "none" means.
  if (!request.tools.empty() && !no_tool_choice) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json spec = Json::object();
      spec["name"] = tool.name;
      if (!tool.description.empty()) spec["description"] = tool.description;
      Json schema = Json::object();
      schema["json"] = ToolParameters(tool);
      spec["inputSchema"] = std::move(schema);
      Json item = Json::object();
      item["toolSpec"] = std::move(spec);
      tools.push_back(std::move(item));
    }
    Json tool_config = Json::object();
    tool_config["tools"] = std::move(tools);
    if (!request.tool_choice.empty()) tool_config["toolChoice"] = ToolChoice(request.tool_choice);
    b["toolConfig"] = std::move(tool_config);
  }
  if (!fields.empty()) b["additionalModelRequestFields"] = std::move(fields);
  if (IsJsonOutput(request)) {
    // Structured outputs: outputConfig.textFormat, the schema as a JSON string (Converse's
    // JsonSchemaDefinition.schema is a string, not an object). json_object was refused earlier.
    Json definition = Json::object();
    definition["schema"] = Dump(ResponseSchema(request.response_format));
    definition["name"] = ResponseSchemaName(request.response_format);
    Json text_format = Json::object({{"type", "json_schema"}});
    text_format["structure"] = Json::object({{"jsonSchema", std::move(definition)}});
    b["outputConfig"] = Json::object({{"textFormat", std::move(text_format)}});
  }
  return true;
}

bool SignsWithSigV4(const ProviderConfig& config) {
  const AwsCredentials& aws = config.aws_credentials;
  return ResolveApi(config) == WireApi::kBedrockConverse &&
         !(aws.access_key_id.empty() && aws.secret_access_key.empty() && aws.session_token.empty());
}

bool BuildBedrockRequest(const ProviderConfig& config, const CompletionRequest& request,
                         HttpRequest* out, Error* error) {
  if (request.model.empty()) return Invalid(error, "model is empty");
  if (!CheckBedrockAuth(config, error)) return false;
  std::string base = config.base_url;
  if (base.empty() && config.provider == Provider::kBedrock) {
    base = BedrockDefaultBaseUrl(config.region);
    if (base.empty()) return Invalid(error, RegionProblem(config.region, "to reach Bedrock"));
  } else if (base.empty()) {
    base = DefaultBaseUrl(config.provider);
    if (base.empty()) {
      return Invalid(error, "base_url is required for provider '" +
                                std::string(ProviderName(config.provider)) + "'");
    }
  }
  if (!CheckBaseUrl(base, error)) return false;
  Json extra;
  if (!request.extra_body_json.empty() &&
      (!ParseJson(request.extra_body_json, &extra) || !extra.is_object())) {
    return Invalid(error, "extra_body_json must be a JSON object");
  }
  Json body = Json::object();
  if (!BuildBedrockBody(config, request, &body, error)) return false;
  if (!extra.is_null()) body.merge_patch(extra);

  HttpRequest built;
  built.method = "POST";
  built.url = BedrockConverseStreamUrl(base, request.model);
  built.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/vnd.amazon.eventstream"}};
  // A Bedrock API key; never next to credentials (CheckBedrockAuth).
  if (!config.api_key.empty())
    built.headers.emplace_back("Authorization", "Bearer " + config.api_key);
  for (const auto& [name, value] : config.headers) {
    bool replaced = false;
    for (auto& header : built.headers) {
      if (EqualsIgnoreCase(header.first, name)) {
        header = {name, value};
        replaced = true;
      }
    }
    if (!replaced) built.headers.emplace_back(name, value);
  }
  built.body = Dump(body);
  if (out != nullptr) *out = std::move(built);
  return true;
}

}  // namespace llmstream::request_internal
