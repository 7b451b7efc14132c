// Gemini generateContent request bodies (request/gemini_body.cpp).
#include <gtest/gtest.h>

#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream::test {
namespace {

using nlohmann::json;

TEST(RequestGemini, PlainPrompt) {
  const json body = BodyFor(Provider::kGemini, Prompt("gemini-2.5-flash"));
  EXPECT_EQ(body, json::parse(R"({"contents":[{"role":"user","parts":[{"text":"Hello"}]}]})"));
}

TEST(RequestGemini, ConversationWithSystemToolCallsAndResults) {
  CompletionRequest request = ToolRoundTrip("gemini-2.5-flash");
  request.messages.insert(request.messages.begin(),
                          Message{.role = "developer", .content = "Use Celsius."});
  request.prompt = "And Oslo?";
  const json body = BodyFor(Provider::kGemini, request);
  EXPECT_EQ(body["systemInstruction"],
            json::parse(R"({"parts":[{"text":"Be brief.\n\nUse Celsius."}]})"));
  const json expected = json::parse(R"([
    {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
    {"role":"model","parts":[{"text":"Checking."},
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
      {"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}]},
    {"role":"user","parts":[
      {"functionResponse":{"name":"get_weather","response":{"output":"18C"}}},
      {"functionResponse":{"name":"get_weather","response":{"celsius":24}}}]},
    {"role":"user","parts":[{"text":"And Oslo?"}]}])");
  EXPECT_EQ(body["contents"], expected) << body["contents"].dump(1);
}

TEST(RequestGemini, ToolsAndToolConfig) {
  CompletionRequest request = ToolRoundTrip("gemini-2.5-flash");
  request.tools.push_back({"now", "", ""});
  request.tool_choice = "get_weather";
  json body = BodyFor(Provider::kGemini, request);
  EXPECT_EQ(body["tools"], json::parse(R"([{"functionDeclarations":[
    {"name":"get_weather","description":"Current weather",
     "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}},
    {"name":"now"}]}])"));
  EXPECT_EQ(body["toolConfig"], json::parse(R"({"functionCallingConfig":
    {"mode":"ANY","allowedFunctionNames":["get_weather"]}})"));
  for (const auto& [choice, mode] : {std::pair{"auto", "AUTO"}, std::pair{"none", "NONE"},
                                     std::pair{"required", "ANY"}, std::pair{"any", "ANY"}}) {
    request.tool_choice = choice;
    body = BodyFor(Provider::kGemini, request);
    EXPECT_EQ(body["toolConfig"]["functionCallingConfig"],
              json::parse(std::string(R"({"mode":")") + mode + "\"}"))
        << choice;
  }
  request.tool_choice.clear();
  EXPECT_FALSE(BodyFor(Provider::kGemini, request).contains("toolConfig"));
}

TEST(RequestGemini, GenerationConfig) {
  CompletionRequest request = Prompt("gemini-2.5-flash");
  request.max_tokens = 256;
  request.temperature = 0.5;
  request.top_p = 0.9;
  request.stop = {"END"};
  request.n = 2;
  request.reasoning_budget_tokens = 2048;
  EXPECT_EQ(BodyFor(Provider::kGemini, request)["generationConfig"],
            json::parse(R"({"maxOutputTokens":256,
    "temperature":0.5,"topP":0.9,"stopSequences":["END"],"candidateCount":2,
    "thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}})"));
}

TEST(RequestGemini, EffortIsABudgetOnGemini2AndALevelAfter) {
  CompletionRequest request = Prompt("gemini-2.5-flash");
  request.reasoning_effort = "medium";
  EXPECT_EQ(BodyFor(Provider::kGemini, request)["generationConfig"]["thinkingConfig"],
            json::parse(R"({"thinkingBudget":8192,"includeThoughts":true})"));
  request.reasoning_effort = "none";
  EXPECT_EQ(BodyFor(Provider::kGemini, request)["generationConfig"]["thinkingConfig"],
            json::parse(R"({"thinkingBudget":0})"));
  request.reasoning_effort = "turbo";
  EXPECT_NE(BuildFails(ConfigFor(Provider::kGemini), request).find("turbo"), std::string::npos);
  request.model = "gemini-3-pro-preview";
  request.reasoning_effort = "high";
  EXPECT_EQ(BodyFor(Provider::kGemini, request)["generationConfig"]["thinkingConfig"],
            json::parse(R"({"thinkingLevel":"high","includeThoughts":true})"));
}

TEST(RequestGemini, RawPartsPassThrough) {
  // content_json carries parts this API's struct cannot say (a thought signature to echo).
  CompletionRequest request = Prompt("gemini-3-pro-preview");
  Message model{.role = "assistant"};
  model.content_json = R"([{"text":"Hi","thoughtSignature":"c2ln"}])";
  request.messages.push_back(Message{.role = "user", .content = "Hi"});
  request.messages.push_back(model);
  const json body = BodyFor(Provider::kGemini, request);
  EXPECT_EQ(body["contents"][1], json::parse(R"({"role":"model","parts":[
    {"text":"Hi","thoughtSignature":"c2ln"}]})"));
}

TEST(RequestGemini, ResultsNeedTheirCallsAndArgumentsMustBeObjects) {
  CompletionRequest request = Prompt("gemini-2.5-flash");
  request.messages.push_back(Message{.role = "tool", .content = "x", .tool_call_id = "nope"});
  EXPECT_NE(BuildFails(ConfigFor(Provider::kGemini), request).find("'nope' answers no earlier"),
            std::string::npos);
  CompletionRequest bad_args = ToolRoundTrip("gemini-2.5-flash");
  bad_args.messages[1].tool_calls[0].arguments = "[1]";
  EXPECT_NE(BuildFails(ConfigFor(Provider::kGemini), bad_args).find("must be a JSON object"),
            std::string::npos);
}

}  // namespace
}  // namespace llmstream::test
