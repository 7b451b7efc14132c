// OpenAI Chat Completions dialect (and Groq / OpenRouter / compatible servers that speak it):
// every OpenAI-style fixture assembled under every split must equal expected.json, plus the
// edge cases of wire-formats.md §2 and §4 that the recordings do not show.
#include <gtest/gtest.h>

#include <string>

#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

using nlohmann::json;

std::vector<std::string> ChatFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : FixtureFiles()) {
    if (file.rfind("anthropic", 0) != 0 && file.rfind("openai-responses", 0) != 0) {
      files.push_back(file);
    }
  }
  return files;
}

void ExpectUsage(const Completion& completion, const json& expected_usage) {
  const Usage& usage = completion.usage;
  EXPECT_EQ(usage.input_tokens, expected_usage.value("prompt_tokens", int64_t{-1}));
  EXPECT_EQ(usage.output_tokens, expected_usage.value("completion_tokens", int64_t{-1}));
  EXPECT_EQ(usage.total_tokens, expected_usage.value("total_tokens", int64_t{-1}));
  if (expected_usage.contains("completion_tokens_details")) {
    EXPECT_EQ(usage.reasoning_tokens,
              expected_usage["completion_tokens_details"].value("reasoning_tokens", int64_t{-1}));
  }
  if (expected_usage.contains("prompt_tokens_details")) {
    EXPECT_EQ(usage.cached_input_tokens,
              expected_usage["prompt_tokens_details"].value("cached_tokens", int64_t{-1}));
  }
  if (expected_usage.contains("cost")) {
    ASSERT_TRUE(usage.reported_cost_usd);
    EXPECT_DOUBLE_EQ(*usage.reported_cost_usd, expected_usage["cost"].get<double>());
    EXPECT_EQ(completion.cost.source, CostSource::kProvider);
    EXPECT_DOUBLE_EQ(completion.cost.total_usd, expected_usage["cost"].get<double>());
  }
}

void ExpectMatches(const std::string& file, const Completion& completion) {
  const json& expected = Expected()[file];
  ASSERT_TRUE(expected.is_object()) << file;
  ASSERT_EQ(completion.choices.size(), expected["choices"].size());
  for (const auto& [index_text, want] : expected["choices"].items()) {
    SCOPED_TRACE("choice " + index_text);
    const Choice* choice = completion.FindChoice(static_cast<uint32_t>(std::stoi(index_text)));
    ASSERT_NE(choice, nullptr);
    EXPECT_EQ(choice->role, want["role"].is_null() ? "" : want["role"].get<std::string>());
    EXPECT_TRUE(MatchesExpectedText(choice->text, want["content"])) << "content";
    EXPECT_TRUE(MatchesExpectedText(choice->refusal, want["refusal"])) << "refusal";
    EXPECT_TRUE(MatchesExpectedText(choice->reasoning, want["reasoning"])) << "reasoning";
    EXPECT_EQ(choice->raw_finish_reason,
              want["finish_reason"].is_null() ? "" : want["finish_reason"].get<std::string>());
    EXPECT_EQ(choice->logprob_tokens, want["logprob_tokens"].get<int64_t>());
    ASSERT_EQ(choice->tool_calls.size(), want["tool_calls"].size());
    for (size_t i = 0; i < choice->tool_calls.size(); ++i) {
      const ToolCall& call = choice->tool_calls[i];
      const json& want_call = want["tool_calls"][i];
      EXPECT_EQ(call.index, want_call["index"].get<uint32_t>());
      EXPECT_EQ(call.id, want_call["id"].get<std::string>());
      EXPECT_EQ(call.type, want_call["type"].get<std::string>());
      EXPECT_EQ(call.name, want_call["name"].get<std::string>());
      std::string arguments = want_call["arguments"].get<std::string>();
      EXPECT_EQ(call.arguments, arguments.empty() ? "{}" : arguments);
      EXPECT_TRUE(call.complete);
      EXPECT_TRUE(call.arguments_valid);
    }
  }
  // Usage: the last top-level usage, else x_groq.usage; never the two added together.
  const json& usage = expected["usage"].is_null() ? expected["x_groq_usage"] : expected["usage"];
  if (usage.is_null()) {
    EXPECT_TRUE(completion.usage.empty());
  } else {
    ExpectUsage(completion, usage);
    EXPECT_TRUE(SameJson(completion.Metadata("usage"), usage));
  }
  EXPECT_EQ(completion.finished, expected["done"].get<bool>());
  EXPECT_FALSE(completion.truncated);
  if (expected["errors"].empty()) {
    EXPECT_FALSE(completion.error) << completion.error.message;
  } else {
    EXPECT_EQ(completion.error.code, ErrorCode::kProviderError);
    EXPECT_EQ(completion.error.message,
              expected["errors"][0]["payload"]["message"].get<std::string>());
  }
}

class ChatFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatFixture, MatchesExpectedInEverySplit) {
  const std::string body = ReadFixture(GetParam());
  for (const Split& split : StandardSplits(body.size())) {
    SCOPED_TRACE("split " + split.name);
    ExpectMatches(GetParam(), RunStream(OptionsForFixture(GetParam()), body, split).completion);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, ChatFixture, ::testing::ValuesIn(ChatFixtures()),
                         FixtureTestName);

// --- synthetic edge cases -------------------------------------------------------------------

RunResult RunChat(std::string_view body, Provider provider = Provider::kOpenAI) {
  StreamOptions options;
  options.provider = provider;
  options.model = "gpt-4o";
  return RunStream(options, body, {"whole", {body.size()}});
}

std::string Chunk(std::string_view choices_json, std::string_view extra = "") {
  return std::string(
             R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":)") +
         std::string(choices_json) + std::string(extra) + "}\n\n";
}

TEST(OpenAIChat, SeveralChoicesInterleaved) {
  std::string body = Chunk(R"([{"index":1,"delta":{"role":"assistant","content":"B1"}}])") +
                     Chunk(R"([{"index":0,"delta":{"role":"assistant","content":"A1"}}])") +
                     Chunk(R"([{"index":0,"delta":{"content":"A2"},"finish_reason":"length"}])") +
                     Chunk(R"([{"index":1,"delta":{"content":"B2"},"finish_reason":"stop"}])") +
                     "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  ASSERT_EQ(run.completion.choices.size(), 2u);
  EXPECT_EQ(run.completion.FindChoice(0)->text, "A1A2");
  EXPECT_EQ(run.completion.FindChoice(0)->finish_reason, "length");
  EXPECT_EQ(run.completion.FindChoice(1)->text, "B1B2");
  EXPECT_EQ(run.completion.FindChoice(1)->finish_reason, "stop");
  EXPECT_TRUE(run.completion.finished);
}

TEST(OpenAIChat, InterleavedParallelToolCallsKeyedByIndexNotId) {
  std::string body =
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"g","arguments":""}}]}}])") +
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":2,"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\""}}]}}])") +
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"y\":2}"}}]}}])") +
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":2,"function":{"arguments":":1}"}}]}}])") +
      Chunk(R"([{"index":0,"delta":{},"finish_reason":"tool_calls"}])") + "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 2u);
  EXPECT_EQ(choice.tool_calls[0].index, 1u);
  EXPECT_EQ(choice.tool_calls[0].name, "g");
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"y":2})");
  EXPECT_EQ(choice.tool_calls[1].index, 2u);
  EXPECT_EQ(choice.tool_calls[1].arguments, R"({"x":1})");
  EXPECT_TRUE(choice.tool_calls[1].arguments_valid);
}

TEST(OpenAIChat, ResentToolHeaderIsNotConcatenated) {
  std::string body =
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x","type":"function","function":{"name":"f","arguments":""}}]}}])") +
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x","type":"function","function":{"name":"f","arguments":"{}"}}]}}])") +
      "data: [DONE]\n\n";
  RunResult run = RunChat(body, Provider::kOpenRouter);
  ASSERT_EQ(run.completion.choices[0].tool_calls.size(), 1u);
  EXPECT_EQ(run.completion.choices[0].tool_calls[0].id, "x");
  EXPECT_EQ(run.completion.choices[0].tool_calls[0].name, "f");
  EXPECT_EQ(run.completion.choices[0].tool_calls[0].arguments, "{}");
}

TEST(OpenAIChat, LegacyFunctionCall) {
  std::string body =
      Chunk(
          R"([{"index":0,"delta":{"role":"assistant","content":null,"function_call":{"name":"f","arguments":""}}}])") +
      Chunk(R"([{"index":0,"delta":{"function_call":{"arguments":"{\"a\":"}}}])") +
      Chunk(R"([{"index":0,"delta":{"function_call":{"arguments":"1}"}}}])") +
      Chunk(R"([{"index":0,"delta":{},"finish_reason":"function_call"}])") + "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 1u);
  EXPECT_EQ(choice.tool_calls[0].name, "f");
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"a":1})");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_EQ(choice.raw_finish_reason, "function_call");
}

TEST(OpenAIChat, ChoiceIndexAfterDeltaAndKeysInAnyOrder) {
  std::string body =
      R"(data: {"choices":[{"delta":{"content":"hi"},"finish_reason":null,"index":3}],"id":"z"})"
      "\n\n"
      R"(data: {"choices":[{"finish_reason":"stop","delta":{},"index":3}]})"
      "\n\ndata: [DONE]\n\n";
  RunResult run = RunChat(body);
  ASSERT_NE(run.completion.FindChoice(3), nullptr);
  EXPECT_EQ(run.completion.FindChoice(3)->text, "hi");
  EXPECT_EQ(run.completion.FindChoice(3)->finish_reason, "stop");
  EXPECT_EQ(run.completion.id, "z");
}

TEST(OpenAIChat, UsageChunkThenModerationChunkKeepsUsage) {
  std::string body =
      Chunk(R"([{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}])", R"(,"usage":null)") +
      Chunk("[]", R"(,"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6})") +
      Chunk("[]", R"(,"usage":null,"moderation":{"flagged":false})") + "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.usage.input_tokens, 5);
  EXPECT_EQ(run.completion.usage.total_tokens, 6);
  EXPECT_EQ(run.completion.Metadata("moderation"), R"({"flagged":false})");
  // Cost from the price table for the requested model.
  EXPECT_EQ(run.completion.cost.source, CostSource::kPriceTable);
  EXPECT_GT(run.completion.cost.total_usd, 0);
}

TEST(OpenAIChat, MidStreamErrorObjectKeepsPartialText) {
  std::string body = Chunk(R"([{"index":0,"delta":{"content":"par"}}])") +
                     R"(data: {"error":{"message":"boom","type":"server_error","code":null}})"
                     "\n\ndata: [DONE]\n\n";
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.text(), "par");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(run.completion.error.message, "boom");
  EXPECT_EQ(run.completion.error.provider_type, "server_error");
  EXPECT_EQ(run.events.back().kind, EventKind::kError);
}

TEST(OpenAIChat, GroqNamedErrorEvent) {
  std::string body =
      Chunk(R"([{"index":0,"delta":{"content":"a"}}])") +
      "event: error\n"
      R"(data: {"error":{"message":"Failed to call a function","type":"invalid_request_error","code":"tool_use_failed","failed_generation":"x","status_code":400}})"
      "\n\n";
  RunResult run = RunChat(body, Provider::kGroq);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(run.completion.error.message, "Failed to call a function");
  EXPECT_EQ(run.completion.error.provider_type, "tool_use_failed");
  EXPECT_EQ(run.completion.error.http_status, 400);
  EXPECT_FALSE(run.completion.truncated);  // an error, not a silent cut
}

TEST(OpenAIChat, OpenRouterFinishReasonErrorWithoutErrorObject) {
  std::string body =
      Chunk(
          R"([{"index":0,"delta":{"content":"a"},"finish_reason":"error","native_finish_reason":"MALFORMED_FUNCTION_CALL"}])") +
      "data: [DONE]\n\n";
  RunResult run = RunChat(body, Provider::kOpenRouter);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(run.completion.error.message, "MALFORMED_FUNCTION_CALL");
  EXPECT_EQ(run.completion.text(), "a");
}

TEST(OpenAIChat, CompatibleServerReasoningContent) {
  std::string body = Chunk(R"([{"index":0,"delta":{"reasoning_content":"think"}}])") +
                     Chunk(R"([{"index":0,"delta":{"content":"answer"},"finish_reason":"stop"}])") +
                     "data: [DONE]\n\n";
  RunResult run = RunChat(body, Provider::kCompatible);
  EXPECT_EQ(run.completion.choices[0].reasoning, "think");
  EXPECT_EQ(run.completion.text(), "answer");
}

TEST(OpenAIChat, UnknownFieldsPassThroughOnceNotPerChunk) {
  std::string body =
      Chunk(R"([{"index":0,"delta":{"content":"a","novel":{"k":1}}}])", R"(,"brand_new":1)") +
      Chunk(R"([{"index":0,"delta":{"content":"b","novel":{"k":1}}}])", R"(,"brand_new":1)") +
      Chunk(R"([{"index":0,"delta":{"content":"c"}}])", R"(,"brand_new":2)") + "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  int brand_new = 0, novel = 0;
  for (const OwnedEvent& e : run.events) {
    if (e.kind == EventKind::kMetadata && e.name == "brand_new") ++brand_new;
    if (e.kind == EventKind::kMetadata && e.name == "delta.novel") ++novel;
  }
  EXPECT_EQ(brand_new, 2);  // first value, then the change
  EXPECT_EQ(novel, 1);
  EXPECT_EQ(run.completion.Metadata("brand_new"), "2");
  EXPECT_EQ(run.completion.text(), "abc");
}

// Content in a chunk that cannot be read is lost: the stream ends with bad_json (never a clean
// success with a hole in it), keeping what came before.
TEST(OpenAIChat, BadJsonChunkEndsTheStreamKeepingWhatCameBefore) {
  std::string body = Chunk(R"([{"index":0,"delta":{"content":"a"}}])") +
                     // a raw NUL inside a string: not JSON
                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + '\0' +
                     "\"}}]}\n\n" + Chunk(R"([{"index":0,"delta":{"content":"b"}}])") +
                     "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.text(), "a");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kBadJson);
  EXPECT_NE(run.completion.error.message.find("chunk is not valid JSON"), std::string::npos);
  EXPECT_FALSE(run.completion.finished);
}

TEST(OpenAIChat, EmptyDataIsFramingNotBadJson) {
  std::string body = Chunk(R"([{"index":0,"delta":{"content":"a"}}])") + "data: \n\ndata:  \n\n" +
                     Chunk(R"([{"index":0,"delta":{"content":"b"}}])") + "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.text(), "ab");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kNone);
  EXPECT_TRUE(run.completion.finished);
}

TEST(OpenAIChat, EscapedTextAndSurrogatePairs) {
  std::string body =
      Chunk(R"([{"index":0,"delta":{"content":"\u003cthink\u003e \"q\" \ud83c\udf89\n"}}])") +
      "data: [DONE]\n\n";
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.text(), "<think> \"q\" \xF0\x9F\x8E\x89\n");
}

TEST(OpenAIChat, TruncatedStreamIsReportedAndKeepsText) {
  std::string body = Chunk(R"([{"index":0,"delta":{"content":"half"}}])");
  RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.text(), "half");
  EXPECT_TRUE(run.completion.truncated);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
}

TEST(OpenAIChat, OpenRouterKeepAlivesAreEvents) {
  std::string body = ": OPENROUTER PROCESSING\n\n" +
                     Chunk(R"([{"index":0,"delta":{"content":"a"}}])") + "data: [DONE]\n\n";
  RunResult run = RunChat(body, Provider::kOpenRouter);
  ASSERT_FALSE(run.events.empty());
  EXPECT_EQ(run.events[0].kind, EventKind::kKeepAlive);
  EXPECT_EQ(run.events[0].text, " OPENROUTER PROCESSING");
}

// Hand-written oracles (not the code compared with itself): a cut in the middle of two
// interleaved tool calls leaves each call exactly its own argument fragments, incomplete.
TEST(OpenAIChatOracle, CutInterleavedToolCallsKeepTheirOwnArguments) {
  const std::string body =
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"a","arguments":"{\"x\":"}}]}}])") +
      Chunk(
          R"([{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"b","arguments":"{\"y\":"}}]}}])") +
      Chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1"}}]}}])") +
      Chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"2"}}]}}])") +
      Chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"0"}}]}}])");
  const RunResult run = RunChat(body);  // no finish, no [DONE]: cut
  ASSERT_EQ(run.completion.choices.size(), 1u);
  const std::vector<ToolCall>& calls = run.completion.choices[0].tool_calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "call_a");
  EXPECT_EQ(calls[0].arguments, R"({"x":10)");
  EXPECT_EQ(calls[1].id, "call_b");
  EXPECT_EQ(calls[1].arguments, R"({"y":2)");
  EXPECT_FALSE(calls[0].complete);
  EXPECT_FALSE(calls[1].complete);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
}

// Usage is a cumulative snapshot: the last one sent wins, whatever came first.
TEST(OpenAIChatOracle, TheLastUsageWins) {
  const std::string body =
      Chunk(R"([{"index":0,"delta":{"content":"a"}}])") +
      R"(data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})"
      "\n\n" +
      Chunk(R"([{"index":0,"delta":{},"finish_reason":"stop"}])") +
      R"(data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})"
      "\n\ndata: [DONE]\n\n";
  const RunResult run = RunChat(body);
  EXPECT_EQ(run.completion.usage.output_tokens, 7);
  EXPECT_EQ(run.completion.usage.total_tokens, 12);
}

}  // namespace
}  // namespace llmstream::testing
