// Tests written to kill mutants that survived scripts/mutate-core.sh (issue 13); the mutants and
// the run are in docs/testing.md ("Mutation testing"). Each test states the rule it holds.
#include <gtest/gtest.h>

#include <string>

#include "assembler/assembler.h"
#include "llmstream/event.h"
#include "llmstream/request.h"
#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

std::string Chat(const std::string& choices_json) {
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":" + choices_json +
         "}\n\n";
}

// Mutant assembler-find-shortcut: FindToolCall's fast path (the newest call) taken for any index
// at or above the newest call's. A delta or end for a call that never started belongs to no call:
// it is dropped, never appended to the newest one.
TEST(MutationKills, ADeltaForACallThatNeverStartedIsDropped) {
  Assembler assembler;
  Event start;
  start.kind = EventKind::kToolCallStart;
  start.block = 1;
  start.id = "call_1";
  start.name = "f";
  assembler.Apply(start);
  Event delta;
  delta.kind = EventKind::kToolCallDelta;
  delta.block = 1;
  delta.text = "{\"a\":1}";
  assembler.Apply(delta);
  Event stray = delta;
  stray.block = 7;  // never started, above the newest call's index
  stray.text = "GARBAGE";
  assembler.Apply(stray);
  const Completion& result = assembler.result();
  ASSERT_EQ(result.choices.size(), 1u);
  ASSERT_EQ(result.choices[0].tool_calls.size(), 1u);
  EXPECT_EQ(result.choices[0].tool_calls[0].index, 1u);
  EXPECT_EQ(result.choices[0].tool_calls[0].arguments, "{\"a\":1}");
}

// Mutant limits-bytes-off-by-one: max_completion_bytes fires at the bound instead of past it.
// Exactly the bound is allowed, also when a new part (here a tool call) makes the stream check
// every bound again.
TEST(MutationKills, ExactlyMaxCompletionBytesIsAllowed) {
  const std::string body =
      Chat(R"([{"index":0,"delta":{"content":"0123456789"}}])") +
      Chat(
          R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}])") +
      Chat(R"([{"index":0,"delta":{},"finish_reason":"tool_calls"}])") + "data: [DONE]\n\n";
  StreamOptions options;
  options.api = WireApi::kChatCompletions;
  options.limits.max_completion_bytes = 10;
  const lt::RunResult run = lt::RunEverySplit(options, body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kNone) << run.completion.error.message;
  EXPECT_EQ(run.completion.text(), "0123456789");
  ASSERT_EQ(run.completion.choices.size(), 1u);
  EXPECT_EQ(run.completion.choices[0].tool_calls.size(), 1u);
  // One byte more is past the bound.
  options.limits.max_completion_bytes = 9;
  EXPECT_EQ(lt::RunEverySplit(options, body).completion.error.code, ErrorCode::kCompletionTooLarge);
}

// Mutant redact-signature: "signature" dropped from the words that make a header secret. Every
// word of the list marks a header as sensitive, in any case, anywhere in the name.
TEST(MutationKills, EveryWordOfTheSecretListMarksAHeader) {
  for (const char* name : {"X-Api-Key", "X-Session-Token", "X-Client-Secret", "Proxy-Authorization",
                           "X-Password", "Cookie", "X-Amz-Signature", "X-Goog-Credential"}) {
    EXPECT_TRUE(IsSensitiveHeader(name)) << name;
  }
  EXPECT_FALSE(IsSensitiveHeader("X-Request-Id"));
}

}  // namespace
}  // namespace llmstream
