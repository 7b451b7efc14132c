// Ollama native request bodies (request/ollama_body.cpp): /api/chat and /api/generate.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream::test {
namespace {

using nlohmann::json;

TEST(RequestOllama, PlainPrompt) {
  EXPECT_EQ(BodyFor(Provider::kOllama, Prompt("llama3.2")), json::parse(R"({"model":"llama3.2",
    "messages":[{"role":"user","content":"Hello"}],"stream":true})"));
}

TEST(RequestOllama, ConversationWithToolCallsAndResults) {
  const json body = BodyFor(Provider::kOllama, ToolRoundTrip("qwen3:4b"));
  const json expected = json::parse(R"([
    {"role":"system","content":"Be brief."},
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"role":"assistant","content":"Checking.","tool_calls":[
      {"id":"call_1","function":{"name":"get_weather","arguments":{"city":"Paris"}}},
      {"id":"call_2","function":{"name":"get_weather","arguments":{"city":"Rome"}}}]},
    {"role":"tool","content":"18C","tool_name":"get_weather","tool_call_id":"call_1"},
    {"role":"tool","content":"{\"celsius\":24}","tool_name":"get_weather",
     "tool_call_id":"call_2"}])");
  EXPECT_EQ(body["messages"], expected) << body["messages"].dump(1);
  EXPECT_EQ(body["tools"], json::parse(R"([{"type":"function","function":{"name":"get_weather",
    "description":"Current weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])"));
}

TEST(RequestOllama, OptionsAndThink) {
  CompletionRequest request = Prompt("gpt-oss:20b");
  request.max_tokens = 10;
  request.temperature = 0.2;
  request.top_p = 0.8;
  request.stop = {"\n\n"};
  request.reasoning_effort = "high";
  json body = BodyFor(Provider::kOllama, request);
  EXPECT_EQ(body["options"],
            json::parse(R"({"num_predict":10,"temperature":0.2,"top_p":0.8,"stop":["\n\n"]})"));
  EXPECT_EQ(body["think"], "high");
  request.reasoning_effort = "none";
  EXPECT_EQ(BodyFor(Provider::kOllama, request)["think"], false);
  request.reasoning_effort.reset();
  request.reasoning_budget_tokens = 1000;
  EXPECT_EQ(BodyFor(Provider::kOllama, request)["think"], true);
}

TEST(RequestOllama, ToolChoice) {
  CompletionRequest request = ToolRoundTrip("qwen3:4b");
  request.tool_choice = "none";
  EXPECT_FALSE(BodyFor(Provider::kOllama, request).contains("tools"));
  request.tool_choice = "required";
  EXPECT_NE(BuildFails(ConfigFor(Provider::kOllama), request).find("cannot force"),
            std::string::npos);
}

TEST(RequestOllama, GenerateTakesOnePrompt) {
  CompletionRequest request = Prompt("llama3.2", "Why is the sky blue?");
  request.system = "Short answers.";
  request.max_tokens = 5;
  EXPECT_EQ(BodyFor(Provider::kOllama, request, WireApi::kOllamaGenerate),
            json::parse(R"({"model":"llama3.2",
    "prompt":"Why is the sky blue?","system":"Short answers.","stream":true,
    "options":{"num_predict":5}})"));
  EXPECT_NE(
      BuildFails(ConfigFor(Provider::kOllama, WireApi::kOllamaGenerate), ToolRoundTrip("llama3.2"))
          .find("use ollama_chat"),
      std::string::npos);
}

}  // namespace
}  // namespace llmstream::test
