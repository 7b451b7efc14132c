// Gemini generateContent bodies (POST {base}/models/{model}:streamGenerateContent?alt=sse; the
// URL is built in request.cpp): `contents` of user / model turns made of parts,
// `systemInstruction`, `generationConfig`, `tools: [{functionDeclarations}]`, `toolConfig`.
// Tool calls go back as functionCall parts and their results as functionResponse parts, matched
// by the function's name (Gemini API FunctionCall / FunctionResponse; the Vercel AI SDK google
// provider sends the same shapes). A model turn goes back part for part, each thoughtSignature
// on the very part that carried it (docs/wire-formats.md, "Conversations").
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

Json TextPart(const std::string& text) { return Json::object({{"text", text}}); }

Json Turn(std::string_view role, Json parts) {
  Json out = Json::object();
  out["role"] = role;
  out["parts"] = std::move(parts);
  return out;
}

// A message's own parts: content_json as Gemini parts (an array, or one part object), else one
// text part ("" gives none: Gemini refuses empty text parts).
Json OwnParts(const Message& m) {
  Json content = MessageContent(m);
  if (content.is_array()) return content;
  Json parts = Json::array();
  if (content.is_object()) {
    parts.push_back(std::move(content));
  } else if (content.is_string()) {
    if (!content.get_ref<const std::string&>().empty()) parts.push_back(TextPart(content));
  } else {
    parts.push_back(TextPart(Dump(content)));
  }
  return parts;
}

// functionResponse.response must be an object: a result that is a JSON object is sent as it is;
// anything else goes under "output", the key the reference names for a function's output. A
// failed tool's result goes under "error", the key it names for error details.
Json ResponseObject(const Message& m) {
  Json value = MessageContent(m);
  if (m.is_error) return Json::object({{"error", std::move(value)}});
  if (value.is_string()) {
    Json parsed;
    const std::string& text = value.get_ref<const std::string&>();
    if (ParseJson(text, &parsed) && parsed.is_object()) return parsed;
  }
  if (value.is_object()) return value;
  return Json::object({{"output", std::move(value)}});
}

// Whether a call id of `turn` goes to Gemini: one a Gemini stream gave (Gemini 3 names its
// calls; 2.x does not), not one AssistantMessage made or a hand-written or foreign one, which
// Gemini never issued.
bool SendsCallId(const Message& turn, const ProviderConfig& config, const std::string& id) {
  return turn.origin.has_value() && SameOrigin(turn, config) && !id.empty() &&
         !IsLocalToolCallId(id);
}

// The assistant turn holding the call that messages[index] (a tool result) answers, or null.
const Message* TurnWithCall(const CompletionRequest& request, size_t index) {
  const std::string& id = request.messages[index].tool_call_id;
  for (size_t i = index; i-- > 0;) {
    const Message& turn = request.messages[i];
    for (const ToolCallRequest& call : turn.tool_calls) {
      if (call.id == id) return &turn;
    }
  }
  return nullptr;
}

bool FunctionCallPart(const ToolCallRequest& call, bool with_id, const std::string& where,
                      size_t index, Json* out, Error* error) {
  Json args;
  if (!ArgumentsObject(call, where + ".tool_calls[" + std::to_string(index) + "]",
                       "a Gemini functionCall", &args, error)) {
    return false;
  }
  Json function_call = Json::object();
  function_call["name"] = call.name;
  function_call["args"] = std::move(args);
  if (with_id) function_call["id"] = call.id;
  *out = Json::object({{"functionCall", std::move(function_call)}});
  return true;
}

// A part with the thoughtSignature it came with.
Json Signed(Json part, const MessagePart& from) {
  if (!from.signature.empty()) part["thoughtSignature"] = from.signature;
  return part;
}

// A model turn's parts, in order: thoughts {text, thought: true}, text, functionCall (with the id
// the stream gave, none for one AssistantMessage named), code execution and other whole parts
// as they came.
bool ModelParts(const Message& m, const ProviderConfig& config, const std::string& where,
                Json* parts, Error* error) {
  size_t call_index = 0;
  for (const MessagePart& part : TurnParts(m, config)) {
    switch (part.kind) {
      case PartKind::kReasoning: {
        Json thought = Json::object({{"text", part.text}, {"thought", true}});
        parts->push_back(Signed(std::move(thought), part));
        break;
      }
      case PartKind::kText:
        // An empty text part is refused unless it carries a signature (Gemini 3 sends those).
        if (!part.text.empty() || !part.signature.empty())
          parts->push_back(Signed(TextPart(part.text), part));
        break;
      case PartKind::kToolCall: {
        Json call;
        const bool with_id = SendsCallId(m, config, part.tool_call.id);
        if (!FunctionCallPart(part.tool_call, with_id, where, call_index++, &call, error))
          return false;
        parts->push_back(Signed(std::move(call), part));
        break;
      }
      case PartKind::kProviderBlock: {
        // executableCode is read as a server tool call (its object in the arguments); the other
        // whole parts keep their JSON in `data`.
        const std::string& raw =
            part.type == "executableCode" ? part.tool_call.arguments : part.data;
        Json value;
        if (!part.type.empty() && ParseJson(raw, &value)) {
          parts->push_back(Signed(Json::object({{part.type, std::move(value)}}), part));
        }
        break;
      }
      case PartKind::kRedactedReasoning:
        break;  // Gemini has none
    }
  }
  return true;
}

Json FunctionCallingConfig(const std::string& choice) {
  Json config = Json::object();
  if (choice == "auto" || choice == "none") {
    config["mode"] = choice == "auto" ? "AUTO" : "NONE";
  } else {
    config["mode"] = "ANY";  // required / any, or one named function
    if (choice != "required" && choice != "any")
      config["allowedFunctionNames"] = Json::array({choice});
  }
  return Json::object({{"functionCallingConfig", std::move(config)}});
}

// Gemini 2.x thinks within a token budget (0 turns thinking off on Flash); Gemini 3 takes a level
// and cannot turn thinking off ("minimal" is its least). The effort's budgets are the ones
// Google's OpenAI-compatible endpoint maps reasoning_effort to.
bool ThinkingConfig(const CompletionRequest& request, Json* out, Error* error) {
  Json config = Json::object();
  bool include_thoughts = true;
  if (request.reasoning_budget_tokens) {
    config["thinkingBudget"] = *request.reasoning_budget_tokens;
  } else if (request.reasoning_effort) {
    const std::string& effort = *request.reasoning_effort;
    if (request.model.find("gemini-2") != std::string::npos) {
      int budget = -1;
      if (effort == "none") budget = 0;
      if (effort == "minimal" || effort == "low") budget = 1024;
      if (effort == "medium") budget = 8192;
      if (effort == "high") budget = 24576;
      if (budget < 0) {
        return Invalid(error, "reasoning_effort '" + effort +
                                  "' has no Gemini 2 thinking budget; use none, minimal, low, "
                                  "medium, high or set reasoning_budget_tokens");
      }
      config["thinkingBudget"] = budget;
      include_thoughts = budget > 0;
    } else {
      config["thinkingLevel"] = effort == "none" ? std::string("minimal") : effort;
    }
  } else {
    return true;
  }
  if (include_thoughts) config["includeThoughts"] = true;  // else thoughts are not streamed
  *out = std::move(config);
  return true;
}

}  // namespace

std::string GeminiPath(const std::string& model) {
  const bool has_collection = model.find('/') != std::string::npos;
  return std::string(has_collection ? "/" : "/models/") + EscapePathSegment(model, true) +
         ":streamGenerateContent?alt=sse";
}

bool BuildGeminiBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                     Error* error) {
  std::string system = request.system;
  Json contents = Json::array();
  bool results_open = false;  // the last turn holds function responses: more results join it
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const Message& m = request.messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (m.role == "system" || m.role == "developer") {
      if (!system.empty() && !m.content.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    if (m.role == "tool") {
      const std::string* name = ToolNameForResult(request, i);
      if (name == nullptr) {
        return Invalid(error, where + ".tool_call_id '" + m.tool_call_id +
                                  "' answers no earlier tool call: Gemini matches results to "
                                  "calls by the function's name");
      }
      Json response = Json::object();
      response["name"] = *name;
      response["response"] = ResponseObject(m);
      const Message* turn = TurnWithCall(request, i);
      if (turn != nullptr && SendsCallId(*turn, config, m.tool_call_id)) {
        response["id"] = m.tool_call_id;
      }
      Json part = Json::object({{"functionResponse", std::move(response)}});
      if (!results_open) contents.push_back(Turn("user", Json::array()));
      contents.back()["parts"].push_back(std::move(part));
      results_open = true;
      continue;
    }
    results_open = false;
    if (m.role == "assistant" && WritesParts(m)) {
      Json parts = Json::array();
      if (!ModelParts(m, config, where, &parts, error)) return false;
      if (!parts.empty()) contents.push_back(Turn("model", std::move(parts)));
      continue;
    }
    Json parts = OwnParts(m);
    for (size_t j = 0; j < m.tool_calls.size(); ++j) {
      Json call;
      if (!FunctionCallPart(m.tool_calls[j], false, where, j, &call, error)) return false;
      parts.push_back(std::move(call));
    }
    if (parts.empty()) continue;  // an empty turn: Gemini refuses a content without parts
    contents.push_back(Turn(m.role == "assistant" ? "model" : "user", std::move(parts)));
  }
  if (!request.prompt.empty()) {
    contents.push_back(Turn("user", Json::array({TextPart(request.prompt)})));
  }

  Json& b = *body;
  b["contents"] = std::move(contents);
  if (!system.empty()) {
    b["systemInstruction"] = Json::object({{"parts", Json::array({TextPart(system)})}});
  }
  Json generation = Json::object();
  if (request.max_tokens) generation["maxOutputTokens"] = *request.max_tokens;
  if (request.temperature) generation["temperature"] = *request.temperature;
  if (request.top_p) generation["topP"] = *request.top_p;
  if (!request.stop.empty()) generation["stopSequences"] = request.stop;
  if (request.n > 1) generation["candidateCount"] = request.n;
  Json thinking;
  if (!ThinkingConfig(request, &thinking, error)) return false;
  if (!thinking.is_null()) generation["thinkingConfig"] = std::move(thinking);
  if (IsJsonOutput(request)) {
    generation["responseMimeType"] = "application/json";
    // JSON Schema as written (responseJsonSchema), not the OpenAPI subset responseSchema takes.
    if (request.response_format.type == ResponseFormatType::kJsonSchema) {
      generation["responseJsonSchema"] = ResponseSchema(request.response_format);
    }
  }
  if (!generation.empty()) b["generationConfig"] = std::move(generation);

  if (!request.tools.empty()) {
    Json declarations = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json declaration = Json::object();
      declaration["name"] = tool.name;
      if (!tool.description.empty()) declaration["description"] = tool.description;
      // JSON Schema as the caller wrote it (parametersJsonSchema), not the OpenAPI subset
      // `parameters` takes; a function without parameters has none.
      if (!tool.parameters_json.empty()) declaration["parametersJsonSchema"] = ToolParameters(tool);
      declarations.push_back(std::move(declaration));
    }
    b["tools"] = Json::array({Json::object({{"functionDeclarations", std::move(declarations)}})});
    if (!request.tool_choice.empty()) b["toolConfig"] = FunctionCallingConfig(request.tool_choice);
  }
  return true;
}

}  // namespace llmstream::request_internal
