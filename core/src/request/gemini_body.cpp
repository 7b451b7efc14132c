// Gemini generateContent bodies (POST {base}/models/{model}:streamGenerateContent?alt=sse; the
// URL is built in request.cpp): `contents` of user / model turns made of parts,
// `systemInstruction`, `generationConfig`, `tools: [{functionDeclarations}]`, `toolConfig`.
// Tool calls go back as functionCall parts and their results as functionResponse parts, matched
// by the function's name (Gemini API FunctionCall / FunctionResponse; the Vercel AI SDK google
// provider sends the same shapes).
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
// anything else goes under "output", the key the reference names for a function's output.
Json ResponseObject(const Message& m) {
  Json value = MessageContent(m);
  if (value.is_string()) {
    Json parsed;
    const std::string& text = value.get_ref<const std::string&>();
    if (ParseJson(text, &parsed) && parsed.is_object()) return parsed;
  }
  if (value.is_object()) return value;
  return Json::object({{"output", std::move(value)}});
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
  (void)config;
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
      Json part = Json::object({{"functionResponse", std::move(response)}});
      if (!results_open) contents.push_back(Turn("user", Json::array()));
      contents.back()["parts"].push_back(std::move(part));
      results_open = true;
      continue;
    }
    results_open = false;
    Json parts = OwnParts(m);
    for (size_t j = 0; j < m.tool_calls.size(); ++j) {
      const ToolCallRequest& call = m.tool_calls[j];
      Json args = Json::object();
      if (!call.arguments.empty() && (!ParseJson(call.arguments, &args) || !args.is_object())) {
        return Invalid(error, where + ".tool_calls[" + std::to_string(j) +
                                  "].arguments must be a JSON object for a Gemini functionCall");
      }
      Json function_call = Json::object();
      function_call["name"] = call.name;
      function_call["args"] = std::move(args);
      parts.push_back(Json::object({{"functionCall", std::move(function_call)}}));
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
