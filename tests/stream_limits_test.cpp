// StreamLimits (issue 13): what one response may make a Stream hold. Past a bound the stream ends
// with its stable code, a message naming the bound, and everything before it kept; the same in
// every split of the bytes. Expected values are counted by hand from the streams built here.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/session.h"
#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

std::string Chat(const std::string& choices_json) {
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":" + choices_json +
         "}\n\n";
}
std::string ChatText(int choice, const std::string& text) {
  return Chat("[{\"index\":" + std::to_string(choice) + ",\"delta\":{\"content\":\"" + text +
              "\"}}]");
}
const std::string kDone = "data: [DONE]\n\n";

StreamOptions ChatOptions(StreamLimits limits) {
  StreamOptions options;
  options.api = WireApi::kChatCompletions;
  options.limits = limits;
  return options;
}

TEST(StreamLimits, DefaultsAreTheDocumentedOnes) {
  const StreamLimits limits;
  EXPECT_EQ(limits.max_completion_bytes, 64u << 20);
  EXPECT_EQ(limits.max_choices, 128u);
  EXPECT_EQ(limits.max_metadata_keys, 4096u);
  EXPECT_EQ(limits.max_parts, 4096u);
}

TEST(StreamLimits, ChoicesPastTheBoundEndTheStream) {
  std::string body;
  for (int i = 0; i < 5; ++i) body += ChatText(i, "t" + std::to_string(i));
  body += kDone;
  const lt::RunResult run = lt::RunEverySplit(ChatOptions({.max_choices = 3}), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(run.completion.error.message,
            "the response had more than 3 choices (StreamLimits::max_choices)");
  ASSERT_EQ(run.completion.choices.size(), 4u);  // the fourth broke the bound
  EXPECT_EQ(run.completion.choices[2].text, "t2");
  EXPECT_FALSE(run.completion.finished);
  EXPECT_EQ(run.events.back().kind, EventKind::kError);
  // The default allows 128: the same stream is fine.
  EXPECT_EQ(lt::RunEverySplit(ChatOptions({}), body).completion.error.code, ErrorCode::kNone);
}

// The bound holds inside one event: a choices array of 200 new indexes stops at the 129th.
TEST(StreamLimits, ChoicesInsideOneEvent) {
  std::string choices = "[";
  for (int i = 0; i < 200; ++i) {
    choices += (i ? "," : "") + std::string("{\"index\":") + std::to_string(i) +
               ",\"delta\":{\"content\":\"x\"}}";
  }
  const std::string body = Chat(choices + "]") + kDone;
  const lt::RunResult run = lt::RunEverySplit(ChatOptions({}), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(run.completion.choices.size(), 129u);
  EXPECT_EQ(run.completion.text(), "x");
}

TEST(StreamLimits, MetadataKeysPastTheBound) {
  std::string data = "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]";
  for (int i = 0; i < 6000; ++i) data += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  const std::string body = "data: " + data + "}\n\n" + kDone;
  const lt::RunResult run = lt::RunStream(ChatOptions({}), body, lt::Split{"whole", {body.size()}});
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
  EXPECT_NE(run.completion.error.message.find("4096 distinct metadata keys"), std::string::npos);
  EXPECT_EQ(run.completion.metadata.size(), 4097u);
  EXPECT_EQ(run.completion.text(), "a");
  // 0 lifts the bound: every key arrives.
  const lt::RunResult unbounded =
      lt::RunStream(ChatOptions({.max_metadata_keys = 0}), body, lt::Split{"whole", {body.size()}});
  EXPECT_EQ(unbounded.completion.error.code, ErrorCode::kNone);
  EXPECT_EQ(unbounded.completion.Metadata("k5999"), "5999");
}

TEST(StreamLimits, ToolCallsPastTheBound) {
  std::string body;
  for (int i = 0; i < 6; ++i) {
    body += Chat("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + std::to_string(i) +
                 ",\"id\":\"call_" + std::to_string(i) +
                 "\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]");
  }
  body += kDone;
  const lt::RunResult run = lt::RunEverySplit(ChatOptions({.max_parts = 4}), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
  EXPECT_NE(run.completion.error.message.find("4 content blocks and tool calls"),
            std::string::npos);
  ASSERT_EQ(run.completion.choices.size(), 1u);
  EXPECT_EQ(run.completion.choices[0].tool_calls.size(), 5u);
  EXPECT_EQ(run.completion.choices[0].tool_calls[3].arguments, "{}");
  EXPECT_FALSE(run.completion.choices[0].tool_calls[3].complete);  // never ended: cut short
}

TEST(StreamLimits, CompletionBytesPastTheBound) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += ChatText(0, "0123456789");  // 1000 bytes of text
  body += kDone;
  const lt::RunResult run = lt::RunEverySplit(ChatOptions({.max_completion_bytes = 255}), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kCompletionTooLarge);
  EXPECT_EQ(run.completion.error.message,
            "the response had more than 255 bytes of text and tool arguments "
            "(StreamLimits::max_completion_bytes)");
  EXPECT_EQ(run.completion.text().size(), 260u);  // up to and with the delta that passed it
  EXPECT_FALSE(IsRetryable(ErrorCode::kCompletionTooLarge));
}

// Tool arguments count, through a Session too (the path of the native client and the wasm build),
// and the partial arguments stay in the result.
TEST(StreamLimits, ToolArgumentsCountThroughASession) {
  std::string body = Chat(
      R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}])");
  for (int i = 0; i < 50; ++i) {
    body += Chat(
        R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"[1,2,3,4,5],"}}]}}])");
  }
  body += kDone;
  SessionOptions options;
  options.provider.provider = Provider::kOpenAI;
  options.provider.api_key = "k";
  options.request.model = "m";
  options.request.prompt = "p";
  options.limits.max_completion_bytes = 100;
  Session session(options);
  session.Poll(0);
  session.OnResponse(200, {{"content-type", "text/event-stream"}}, 1);
  session.OnBody(body, 2);
  session.OnEnd(3);
  session.Poll(3);
  const Completion& result = session.result();
  EXPECT_EQ(result.error.code, ErrorCode::kCompletionTooLarge);
  ASSERT_EQ(result.choices.size(), 1u);
  ASSERT_EQ(result.choices[0].tool_calls.size(), 1u);
  EXPECT_EQ(result.choices[0].tool_calls[0].arguments.size(), 108u);  // 9 deltas of 12 bytes
  EXPECT_FALSE(result.choices[0].tool_calls[0].complete);
  EXPECT_EQ(session.attempts(), 1);  // not retried: the same request makes the same answer
}

}  // namespace
}  // namespace llmstream
