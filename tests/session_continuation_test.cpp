// The request that continues a partial answer (core/src/session/continuation.h), for each API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "session/continuation.h"

namespace llmstream::session_internal {
namespace {

using nlohmann::json;

CompletionRequest Original() {
  CompletionRequest request;
  request.model = "some-model";
  request.system = "Be brief.";
  request.messages.push_back(Message{.role = "user", .content = "Earlier question"});
  request.messages.push_back(Message{.role = "assistant", .content = "Earlier answer"});
  request.prompt = "Tell me a story.";
  return request;
}

json Body(Provider provider, const CompletionRequest& request) {
  ProviderConfig config{.provider = provider, .api_key = "k"};
  HttpRequest http;
  Error error;
  EXPECT_TRUE(BuildRequest(config, request, &http, &error)) << error.message;
  return json::parse(http.body.empty() ? "{}" : http.body);
}

TEST(SessionContinuation, AnthropicPrefillsTheTrimmedPartial) {
  const auto request =
      ContinuationRequest(Original(), WireApi::kAnthropicMessages, "Once upon a time \n");
  ASSERT_TRUE(request);
  EXPECT_TRUE(request->prompt.empty());  // moved before the prefill
  const json messages = Body(Provider::kAnthropic, *request).at("messages");
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2].at("role"), "user");
  EXPECT_EQ(messages[2].at("content"), "Tell me a story.");
  EXPECT_EQ(messages[3].at("role"), "assistant");
  EXPECT_EQ(messages[3].at("content"), "Once upon a time");
}

TEST(SessionContinuation, AnthropicExtendsTheCallersOwnPrefill) {
  CompletionRequest original = Original();
  original.prompt.clear();
  original.messages.push_back(Message{.role = "user", .content = "List three fruits."});
  original.messages.push_back(Message{.role = "assistant", .content = "1."});
  const auto request = ContinuationRequest(original, WireApi::kAnthropicMessages, " Apple\n2.");
  ASSERT_TRUE(request);
  ASSERT_EQ(request->messages.size(), original.messages.size());
  EXPECT_EQ(request->messages.back().content, "1. Apple\n2.");
}

TEST(SessionContinuation, AnthropicCannotPrefillOnlyWhitespace) {
  EXPECT_FALSE(ContinuationRequest(Original(), WireApi::kAnthropicMessages, " \n "));
}

TEST(SessionContinuation, OpenAiStyleAddsTheAnswerAndAContinueTurn) {
  for (WireApi api : {WireApi::kChatCompletions, WireApi::kResponses}) {
    const auto request = ContinuationRequest(Original(), api, "Once upon a time ");
    ASSERT_TRUE(request);
    ASSERT_EQ(request->messages.size(), 5u);
    EXPECT_EQ(request->messages[2].content, "Tell me a story.");
    EXPECT_EQ(request->messages[3].role, "assistant");
    EXPECT_EQ(request->messages[3].content, "Once upon a time ");  // untrimmed: not a prefill
    EXPECT_EQ(request->messages[4].role, "user");
    EXPECT_EQ(request->messages[4].content, kContinuePrompt);
  }
  const auto chat = ContinuationRequest(Original(), WireApi::kChatCompletions, "Once");
  const json messages = Body(Provider::kOpenAI, *chat).at("messages");
  ASSERT_EQ(messages.size(), 6u);  // system first
  EXPECT_EQ(messages[4].at("content"), "Once");
  ProviderConfig responses_config{.provider = Provider::kOpenAI, .api_key = "k"};
  responses_config.api = WireApi::kResponses;
  HttpRequest http;
  const auto responses = ContinuationRequest(Original(), WireApi::kResponses, "Once");
  ASSERT_TRUE(BuildRequest(responses_config, *responses, &http, nullptr));
  EXPECT_EQ(json::parse(http.body).at("input").size(), 5u);
}

TEST(SessionContinuation, OnlyPlainTextAnswersCanBeContinued) {
  CompletionRequest request = Original();
  Completion text;
  text.choices.emplace_back().text = "partial";
  EXPECT_TRUE(CanContinue(request, text));

  Completion nothing;
  nothing.choices.emplace_back();
  EXPECT_FALSE(CanContinue(request, nothing));
  Completion tool = text;
  tool.choices[0].tool_calls.emplace_back();
  EXPECT_FALSE(CanContinue(request, tool));
  Completion thinking = text;
  thinking.choices[0].reasoning = "hmm";
  EXPECT_FALSE(CanContinue(request, thinking));
  Completion refusal = text;
  refusal.choices[0].refusal = "no";
  EXPECT_FALSE(CanContinue(request, refusal));
  Completion finished = text;
  finished.choices[0].finish_reason = "stop";
  EXPECT_FALSE(CanContinue(request, finished));
  Completion two = text;
  two.choices.emplace_back().text = "other";
  EXPECT_FALSE(CanContinue(request, two));
  request.n = 2;
  EXPECT_FALSE(CanContinue(request, text));
}

}  // namespace
}  // namespace llmstream::session_internal
