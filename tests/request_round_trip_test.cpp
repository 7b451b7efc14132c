// The next turn after a recorded one (issue 15 item 1), for OpenAI Responses, Gemini, Cohere v2
// and Ollama: a recording fed in every split -> AssistantMessage -> tool results -> BuildRequest,
// and the body equals the one written here by hand. Signatures, thoughts and ids are read from
// the recordings by a plain JSON parse of their payloads (not through our dialects), so they are
// compared byte for byte against what the provider sent; the part order is the provider's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "llmstream/conversation.h"
#include "llmstream/request.h"
#include "support/fixtures.h"
#include "support/request_helpers.h"

namespace llmstream {
namespace {

using nlohmann::json;
using test::BuildOk;
using test::ConfigFor;
using test::NextTurnBodies;

// The payloads of a recording, parsed on their own: SSE `data:` lines, NDJSON lines, or the
// elements of a JSON array.
std::vector<json> Payloads(const std::string& file) {
  const std::string body = testing::ReadFixture(file);
  std::vector<json> out;
  if (file.ends_with(".json")) {
    for (json& element : json::parse(body)) out.push_back(std::move(element));
    return out;
  }
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (file.ends_with(".sse") && !line.starts_with("data: ")) continue;
    if (file.ends_with(".sse")) line = line.substr(6);
    if (line.empty() || line == "[DONE]") continue;
    out.push_back(json::parse(line));
  }
  return out;
}

// Every Gemini part of candidate 0, in the order the recording sent them.
std::vector<json> GeminiParts(const std::string& file) {
  std::vector<json> parts;
  for (const json& chunk : Payloads(file)) {
    for (const json& part : chunk["candidates"][0]["content"]["parts"]) parts.push_back(part);
  }
  return parts;
}

void ExpectEverySplit(const std::vector<std::pair<std::string, json>>& bodies,
                      const std::string& key, const json& want) {
  ASSERT_FALSE(bodies.empty());
  for (const auto& [split, body] : bodies) {
    EXPECT_EQ(body[key], want) << "split " << split << "\n" << body[key].dump(1);
  }
}

CompletionRequest WithResults(std::string model, std::string question, Message turn,
                              const std::vector<std::pair<std::string, bool>>& outputs) {
  Conversation conversation;
  conversation.AppendUser(std::move(question));
  conversation.Append(std::move(turn));
  std::vector<ToolCallRequest> pending = conversation.PendingToolCalls();
  EXPECT_EQ(pending.size(), outputs.size());
  for (size_t i = 0; i < pending.size() && i < outputs.size(); ++i) {
    conversation.AppendToolResult(pending[i].id, outputs[i].first, outputs[i].second);
  }
  CompletionRequest request;
  request.model = std::move(model);
  request.messages = conversation.messages();
  return request;
}

// ---- OpenAI Responses --------------------------------------------------------------------------

TEST(RoundTripResponses, RecordedFunctionCallGoesBackWithItsItemIdThenItsOutput) {
  const ProviderConfig config = ConfigFor(Provider::kOpenAI, WireApi::kResponses);
  auto bodies = NextTurnBodies("openai-responses-function-call.sse", config, [](Message turn) {
    return WithResults("gpt-4.1", "1231 * 2331?", std::move(turn), {{"2869461", false}});
  });
  ExpectEverySplit(bodies, "input", json::parse(R"([
    {"role":"user","content":"1231 * 2331?"},
    {"type":"function_call","id":"fc_00d64fa806f333310169fab1bf324481a0852cda3180856290",
     "call_id":"call_sVidsfFJ6zlzRpelrPkTPlpd","name":"multiply",
     "arguments":"{\"a\":1231,\"b\":2331}"},
    {"type":"function_call_output","call_id":"call_sVidsfFJ6zlzRpelrPkTPlpd","output":"2869461"}])"));
}

Message ResponsesTurn() {
  Message turn{.role = "assistant",
               .origin = MessageOrigin{.provider = Provider::kOpenAI, .api = WireApi::kResponses}};
  turn.parts = {
      {.kind = PartKind::kReasoning,
       .text = "Think.",
       .data = "gAAAsealed==",
       .id = "rs_1",
       .type = "reasoning"},
      {.kind = PartKind::kRedactedReasoning,
       .data = "gAAAonly==",
       .id = "rs_2",
       .type = "reasoning"},
      {.kind = PartKind::kText, .text = "Checking.", .id = "msg_1", .type = "message"},
      {.kind = PartKind::kToolCall,
       .id = "fc_1",
       .type = "function_call",
       .tool_call = {"call_1", "get_weather", R"({"city":"Paris"})"}},
  };
  return turn;
}

TEST(RoundTripResponses, ReasoningItemsKeepIdSummaryAndEncryptedContentInOrder) {
  CompletionRequest request = WithResults("gpt-5", "Weather?", ResponsesTurn(), {{"18C", true}});
  const json body = BuildOk(ConfigFor(Provider::kOpenAI, WireApi::kResponses), request).body;
  EXPECT_EQ(body["input"], json::parse(R"([
    {"role":"user","content":"Weather?"},
    {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Think."}],
     "encrypted_content":"gAAAsealed=="},
    {"type":"reasoning","id":"rs_2","summary":[],"encrypted_content":"gAAAonly=="},
    {"role":"assistant","content":[{"type":"output_text","text":"Checking."}],"id":"msg_1"},
    {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather",
     "arguments":"{\"city\":\"Paris\"}"},
    {"type":"function_call_output","call_id":"call_1","output":"18C"}])"))
      << body["input"].dump(1);
}

TEST(RoundTripResponses, AnotherProviderGetsTheTextAndCallsOnly) {
  CompletionRequest request = WithResults("gpt-5", "Weather?", ResponsesTurn(), {{"18C", false}});
  const json input =
      BuildOk(ConfigFor(Provider::kCompatible, WireApi::kResponses, "http://127.0.0.1:9/v1"),
              request)
          .body["input"];
  EXPECT_EQ(input, json::parse(R"([
    {"role":"user","content":"Weather?"},
    {"role":"assistant","content":"Checking."},
    {"type":"function_call","call_id":"call_1","name":"get_weather",
     "arguments":"{\"city\":\"Paris\"}"},
    {"type":"function_call_output","call_id":"call_1","output":"18C"}])"))
      << input.dump(1);
}

// ---- Gemini ------------------------------------------------------------------------------------

ProviderConfig Gemini() { return ConfigFor(Provider::kGemini); }

TEST(RoundTripGemini, Gemini3CallKeepsItsThoughtSignatureOnTheCallPart) {
  const std::string file = "more-providers/gemini-function-call-thought-signature.sse";
  const std::vector<json> parts = GeminiParts(file);
  ASSERT_TRUE(parts[0].contains("thoughtSignature"));
  const std::string signature = parts[0]["thoughtSignature"];
  ASSERT_EQ(signature.size(), 1408u);  // expected.json: thought_signatures[0].chars
  auto bodies = NextTurnBodies(file, Gemini(), [](Message turn) {
    return WithResults("gemini-3-pro-preview", "Which country?", std::move(turn),
                       {{"France", false}});
  });
  json want = json::parse(R"([
    {"role":"user","parts":[{"text":"Which country?"}]},
    {"role":"model","parts":[{"functionCall":{"name":"get_country","args":{}}}]},
    {"role":"user","parts":[
      {"functionResponse":{"name":"get_country","response":{"output":"France"}}}]}])");
  want[1]["parts"][0]["thoughtSignature"] = signature;
  ExpectEverySplit(bodies, "contents", want);
}

TEST(RoundTripGemini, ThoughtsAndTheSignedTextKeepTheirParts) {
  const std::string file = "more-providers/gemini-thought-parts.sse";
  std::string thoughts, text, signature;
  for (const json& part : GeminiParts(file)) {
    if (part.value("thought", false)) {
      thoughts += part["text"].get<std::string>();
    } else {
      text += part["text"].get<std::string>();
      if (part.contains("thoughtSignature")) signature = part["thoughtSignature"];
    }
  }
  ASSERT_EQ(signature.size(), 6152u);  // expected.json: on "text", 6152 chars
  auto bodies = NextTurnBodies(file, Gemini(), [](Message turn) {
    CompletionRequest request;
    request.model = "gemini-2.5-pro";
    request.messages = {Message{.role = "user", .content = "How do I cross?"}, std::move(turn)};
    request.prompt = "Thanks";
    return request;
  });
  json want = json::array();
  want.push_back(json::parse(R"({"role":"user","parts":[{"text":"How do I cross?"}]})"));
  want.push_back({{"role", "model"},
                  {"parts",
                   {{{"text", thoughts}, {"thought", true}},
                    {{"text", text}, {"thoughtSignature", signature}}}}});
  want.push_back(json::parse(R"({"role":"user","parts":[{"text":"Thanks"}]})"));
  ExpectEverySplit(bodies, "contents", want);
}

TEST(RoundTripGemini, JsonArrayThoughtThenSignedCall) {
  const std::string file = "more-providers/gemini-json-array-thought-function-call.json";
  const std::vector<json> parts = GeminiParts(file);
  ASSERT_EQ(parts.size(), 2u);
  const std::string thought = parts[0]["text"];
  const std::string signature = parts[1]["thoughtSignature"];
  ASSERT_EQ(signature.size(), 336u);
  auto bodies = NextTurnBodies(file, Gemini(), [](Message turn) {
    return WithResults("gemini-2.5-flash", "Name my pelican", std::move(turn),
                       {{R"({"name":"Pouch"})", false}});
  });
  json want = json::array();
  want.push_back(json::parse(R"({"role":"user","parts":[{"text":"Name my pelican"}]})"));
  want.push_back(
      {{"role", "model"},
       {"parts",
        {{{"text", thought}, {"thought", true}},
         {{"functionCall", {{"name", "pelican_name_generator"}, {"args", json::object()}}},
          {"thoughtSignature", signature}}}}});
  want.push_back(json::parse(R"({"role":"user","parts":[{"functionResponse":{
    "name":"pelican_name_generator","response":{"name":"Pouch"}}}]})"));
  ExpectEverySplit(bodies, "contents", want);
}

TEST(RoundTripGemini, ParallelCallsWithoutIdsAreAnsweredInOneUserTurnAFailureAsError) {
  auto bodies =
      NextTurnBodies("more-providers/gemini-parallel-function-calls.sse", Gemini(), [](Message t) {
        return WithResults("gemini-2.5-flash", "Labels?", std::move(t),
                           {{"Harbor 7", false}, {"lookup failed", true}});
      });
  ExpectEverySplit(bodies, "contents", json::parse(R"([
    {"role":"user","parts":[{"text":"Labels?"}]},
    {"role":"model","parts":[
      {"functionCall":{"name":"lookup_harbor_label","args":{}}},
      {"functionCall":{"name":"lookup_orchard_label","args":{}}}]},
    {"role":"user","parts":[
      {"functionResponse":{"name":"lookup_harbor_label","response":{"output":"Harbor 7"}}},
      {"functionResponse":{"name":"lookup_orchard_label","response":{"error":"lookup failed"}}}]}
  ])"));
}

TEST(RoundTripGemini, CallIdsGeminiGaveGoBackOnCallAndResponseAndCodeExecutionVerbatim) {
  Message turn{.role = "assistant",
               .origin = MessageOrigin{.provider = Provider::kGemini,
                                       .api = WireApi::kGeminiGenerateContent}};
  turn.parts = {
      {.kind = PartKind::kProviderBlock,
       .type = "executableCode",
       .tool_call = {"", "code_execution", R"j({"language":"PYTHON","code":"print(1)"})j"}},
      {.kind = PartKind::kProviderBlock,
       .data = R"({"outcome":"OUTCOME_OK","output":"1\n"})",
       .type = "codeExecutionResult"},
      {.kind = PartKind::kToolCall,
       .signature = "c2ln",
       .type = "functionCall",
       .tool_call = {"fc-9", "now", ""}},
  };
  turn.tool_calls = {{"fc-9", "now", ""}};
  CompletionRequest request =
      WithResults("gemini-3-pro-preview", "Time?", turn, {{"12:00", false}});
  EXPECT_EQ(BuildOk(Gemini(), request).body["contents"], json::parse(R"j([
    {"role":"user","parts":[{"text":"Time?"}]},
    {"role":"model","parts":[
      {"executableCode":{"language":"PYTHON","code":"print(1)"
}
},
      {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"1\n"}},
      {"functionCall":{"name":"now","args":{},"id":"fc-9"},"thoughtSignature":"c2ln"}]
},
    {"role":"user","parts":[
      {"functionResponse":{"name":"now","response":{"output":"12:00"},"id":"fc-9"}}]}])j"));
  // Sent to another provider's Gemini-compatible turn list, the same turn loses what only Gemini
  // reads: code execution parts, signatures and ids.
  turn.origin->provider = Provider::kOpenAI;
  request = WithResults("gemini-3-pro-preview", "Time?", turn, {{"12:00", false}});
  EXPECT_EQ(BuildOk(Gemini(), request).body["contents"][1], json::parse(R"(
    {"role":"model","parts":[{"functionCall":{"name":"now","args":{}}}]})"));
}

// ---- Cohere v2 ---------------------------------------------------------------------------------

TEST(RoundTripCohere, ToolPlanAndCallGoBackThenTheResultAsADocument) {
  const std::string file = "more-providers/cohere-tool-plan-tool-call.sse";
  std::string plan, arguments;
  for (const json& event : Payloads(file)) {
    if (event["type"] == "tool-plan-delta") plan += event["delta"]["message"]["tool_plan"];
    if (event["type"] == "tool-call-delta")
      arguments += event["delta"]["message"]["tool_calls"]["function"]["arguments"];
  }
  ASSERT_EQ(plan,
            "I will use the Person tool to create a person with the name Erick and age 27, and "
            "then relay this information to the user.");  // expected.json tool_plan
  auto bodies = NextTurnBodies(file, ConfigFor(Provider::kCohere), [](Message turn) {
    return WithResults("command-a-03-2025", "Make Erick, 27", std::move(turn),
                       {{R"({"id":1})", false}});
  });
  json want = json::array();
  want.push_back(json::parse(R"({"role":"user","content":"Make Erick, 27"})"));
  want.push_back({{"role", "assistant"},
                  {"tool_plan", plan},
                  {"tool_calls",
                   {{{"id", "Person_2fnrphbsnr66"},
                     {"type", "function"},
                     {"function", {{"name", "Person"}, {"arguments", arguments}}}}}}});
  want.push_back(json::parse(R"({"role":"tool","tool_call_id":"Person_2fnrphbsnr66",
    "content":[{"type":"document","document":{"data":"{\"id\":1}"}}]})"));
  ExpectEverySplit(bodies, "messages", want);
}

TEST(RoundTripCohere, ThinkingAndTextAreContentItemsAndAFailureSaysSo) {
  Message turn{.role = "assistant",
               .origin = MessageOrigin{.provider = Provider::kCohere, .api = WireApi::kCohereChat}};
  turn.parts = {{.kind = PartKind::kReasoning, .text = "Hmm.", .type = "thinking"},
                {.kind = PartKind::kText, .text = "Let me look.", .type = "text"},
                {.kind = PartKind::kToolCall, .type = "function", .tool_call = {"t_1", "f", "{}"}}};
  turn.tool_calls = {{"t_1", "f", "{}"}};
  CompletionRequest request =
      WithResults("command-a-reasoning-08-2025", "Go", turn, {{"disk full", true}});
  const json body = BuildOk(ConfigFor(Provider::kCohere), request).body;
  EXPECT_EQ(body["messages"], json::parse(R"([
    {"role":"user","content":"Go"},
    {"role":"assistant","content":[{"type":"thinking","thinking":"Hmm."},
      {"type":"text","text":"Let me look."}],
     "tool_calls":[{"id":"t_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"t_1",
     "content":[{"type":"document","document":{"data":"{\"error\":\"disk full\"}"}}]}])"))
      << body["messages"].dump(1);
}

// ---- Ollama ------------------------------------------------------------------------------------

TEST(RoundTripOllama, ThinkingAndTheCallGoBackThenTheResultByToolName) {
  const std::string file = "more-providers/ollama-chat-thinking-tool-call.ndjson";
  std::string thinking;
  for (const json& line : Payloads(file)) {
    if (line.contains("message") && line["message"].contains("thinking"))
      thinking += line["message"]["thinking"];
  }
  ASSERT_EQ(thinking.size(), 2472u);  // expected.json thinking.chars (ASCII)
  auto bodies = NextTurnBodies(file, ConfigFor(Provider::kOllama), [](Message turn) {
    return WithResults("qwen3:4b", "Harbor label?", std::move(turn), {{"Harbor 7", false}});
  });
  json want = json::array();
  want.push_back(json::parse(R"({"role":"user","content":"Harbor label?"})"));
  want.push_back(
      {{"role", "assistant"},
       {"content", ""},
       {"thinking", thinking},
       {"tool_calls",
        {{{"id", "call_REDACTED_1"},
          {"function", {{"name", "lookup_harbor_label"}, {"arguments", json::object()}}}}}}});
  want.push_back(json::parse(R"({"role":"tool","content":"Harbor 7",
    "tool_name":"lookup_harbor_label","tool_call_id":"call_REDACTED_1"})"));
  ExpectEverySplit(bodies, "messages", want);
}

}  // namespace
}  // namespace llmstream
