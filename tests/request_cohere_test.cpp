// Cohere v2 chat request bodies (request/cohere_body.cpp).
#include <gtest/gtest.h>

#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream::test {
namespace {

using nlohmann::json;

TEST(RequestCohere, PlainPrompt) {
  EXPECT_EQ(BodyFor(Provider::kCohere, Prompt("command-a-03-2025")),
            json::parse(R"({"model":"command-a-03-2025",
    "messages":[{"role":"user","content":"Hello"}],"stream":true})"));
}

TEST(RequestCohere, ConversationWithToolCallsAndResults) {
  CompletionRequest request = ToolRoundTrip("command-a-03-2025");
  request.messages[1].content.clear();  // a pure tool-call turn has no content
  const json body = BodyFor(Provider::kCohere, request);
  const json expected = json::parse(R"([
    {"role":"system","content":"Be brief."},
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"role":"assistant","tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"get_weather",
       "arguments":"{\"city\":\"Paris\"}"}},
      {"id":"call_2","type":"function","function":{"name":"get_weather",
       "arguments":"{\"city\":\"Rome\"}"}}]},
    {"role":"tool","tool_call_id":"call_1",
     "content":[{"type":"document","document":{"data":"18C"}}]},
    {"role":"tool","tool_call_id":"call_2",
     "content":[{"type":"document","document":{"data":"{\"celsius\":24}"}}]}])");
  EXPECT_EQ(body["messages"], expected) << body["messages"].dump(1);
  EXPECT_EQ(body["tools"], json::parse(R"([{"type":"function","function":{"name":"get_weather",
    "description":"Current weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])"));
}

TEST(RequestCohere, OptionsToolChoiceAndThinking) {
  CompletionRequest request = ToolRoundTrip("command-a-reasoning-08-2025");
  request.max_tokens = 300;
  request.temperature = 0.3;
  request.top_p = 0.75;
  request.stop = {"###"};
  request.tool_choice = "required";
  request.reasoning_budget_tokens = 2000;
  json body = BodyFor(Provider::kCohere, request);
  EXPECT_EQ(body["max_tokens"], 300);
  EXPECT_EQ(body["temperature"], 0.3);
  EXPECT_EQ(body["p"], 0.75);
  EXPECT_EQ(body["stop_sequences"], json::parse(R"(["###"])"));
  EXPECT_EQ(body["tool_choice"], "REQUIRED");
  EXPECT_EQ(body["thinking"], json::parse(R"({"type":"enabled","token_budget":2000})"));
  request.tool_choice = "none";
  request.reasoning_budget_tokens.reset();
  request.reasoning_effort = "none";
  body = BodyFor(Provider::kCohere, request);
  EXPECT_EQ(body["tool_choice"], "NONE");
  EXPECT_EQ(body["thinking"], json::parse(R"({"type":"disabled"})"));
  request.tool_choice = "auto";
  EXPECT_FALSE(BodyFor(Provider::kCohere, request).contains("tool_choice"));
  request.tool_choice = "get_weather";
  EXPECT_NE(BuildFails(ConfigFor(Provider::kCohere), request).find("cannot force one named"),
            std::string::npos);
}

TEST(RequestCohere, SeveralChoicesAreRefused) {
  CompletionRequest request = Prompt("command-a-03-2025");
  request.n = 2;
  EXPECT_NE(BuildFails(ConfigFor(Provider::kCohere), request).find("n > 1"), std::string::npos);
}

}  // namespace
}  // namespace llmstream::test
