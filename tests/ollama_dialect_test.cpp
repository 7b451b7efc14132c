// Ollama's native API (/api/chat, /api/generate; NDJSON): the recordings of more-providers/ in
// every split against expected.json, and the documented cases they lack (wire-formats.md,
// "Ollama"): /api/generate lines, an error line, done reasons without a generation, several
// whole tool calls in one line, text on the done line, a body cut before `done`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

using nlohmann::json;

StreamOptions OllamaOptions(WireApi api = WireApi::kOllamaChat) {
  StreamOptions options;
  options.api = api;
  options.framing = Framing::kNdjson;
  return options;
}

RunResult RunOllama(const std::string& body, WireApi api = WireApi::kOllamaChat) {
  return RunEverySplit(OllamaOptions(api), body);
}

class OllamaFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(OllamaFixtures, MatchesExpectedInEverySplit) {
  const std::string name = GetParam();
  const std::string body = ReadFixture("more-providers/" + name);
  ASSERT_FALSE(body.empty());
  const json& want = ExpectedMoreProviders()[name];
  ASSERT_TRUE(want.is_object()) << name;
  const RunResult run = RunOllama(body);
  const Completion& result = run.completion;

  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_EQ(result.finished, want["done"].get<bool>());
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.model, want["model"].get<std::string>());
  ASSERT_EQ(result.choices.size(), 1u);
  const Choice& choice = result.choices[0];
  EXPECT_EQ(choice.role, "assistant");
  EXPECT_TRUE(MatchesExpectedText(choice.text, want["content"])) << "content";
  EXPECT_TRUE(MatchesExpectedText(choice.reasoning, want["thinking"])) << "thinking";
  EXPECT_EQ(choice.raw_finish_reason, want["done_reason"].get<std::string>());
  EXPECT_EQ(choice.finish_reason, want["tool_calls"].empty() ? want["done_reason"] : "tool_calls");

  ASSERT_EQ(choice.tool_calls.size(), want["tool_calls"].size());
  for (size_t i = 0; i < choice.tool_calls.size(); ++i) {
    const ToolCall& call = choice.tool_calls[i];
    const json& want_call = want["tool_calls"][i];
    EXPECT_EQ(call.index, want_call["index"].get<uint32_t>());
    EXPECT_EQ(call.id, want_call["id"].get<std::string>());
    EXPECT_EQ(call.name, want_call["name"].get<std::string>());
    EXPECT_TRUE(SameJson(call.arguments, want_call["arguments"]));
    EXPECT_TRUE(call.complete);
    EXPECT_TRUE(call.arguments_valid);
  }

  EXPECT_EQ(result.usage.input_tokens, want["prompt_eval_count"].get<int64_t>());
  EXPECT_EQ(result.usage.output_tokens, want["eval_count"].get<int64_t>());
  EXPECT_EQ(result.usage.Total(),
            want["prompt_eval_count"].get<int64_t>() + want["eval_count"].get<int64_t>());
  for (const char* key :
       {"total_duration", "load_duration", "prompt_eval_duration", "eval_duration"}) {
    EXPECT_EQ(result.Metadata(key), want[key].dump()) << key;
  }
  EXPECT_FALSE(result.Metadata("created_at").empty());
}

TEST_P(OllamaFixtures, ChunkTemplatesChangeNothing) {
  const std::string body = ReadFixture("more-providers/" + GetParam());
  StreamOptions slow = OllamaOptions();
  slow.chunk_templates = false;
  for (const Split& split : {Split{"whole", {body.size()}}, StandardSplits(body.size())[5]}) {
    ExpectSameEvents(RunStream(OllamaOptions(), body, split).events,
                     RunStream(slow, body, split).events, split.name);
  }
}

INSTANTIATE_TEST_SUITE_P(Ollama, OllamaFixtures,
                         ::testing::Values("ollama-chat-done-reason-length.ndjson",
                                           "ollama-chat-thinking-tool-call.ndjson"),
                         FixtureTestName);

std::string ChatLine(std::string_view message_fields, std::string_view rest = R"("done":false)") {
  return R"({"model":"qwen3:4b","created_at":"2026-08-05T08:11:04.351521Z","message":{"role":"assistant",)" +
         std::string(message_fields) + "}," + std::string(rest) + "}\n";
}

// /api/generate: `response` and `thinking` at the top level, `context` on the done line.
TEST(OllamaDialect, GenerateLines) {
  const std::string body =
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:08.508208329Z","response":"","done":false})"
      "\n"
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:08.508229261Z","response":"","thinking":"Need","done":false})"
      "\n"
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:08.508237282Z","response":"","thinking":" to","done":false})"
      "\n"
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:09.1Z","response":"The","done":false})"
      "\n"
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:09.2Z","response":" sky\u00e9","done":false})"
      "\n"
      R"({"model":"gpt-oss:20b","created_at":"2025-08-15T22:55:09.3Z","response":"","done":true,"done_reason":"stop","context":[1,2,3],"total_duration":10706818083,"load_duration":6338219291,"prompt_eval_count":26,"prompt_eval_duration":130079000,"eval_count":259,"eval_duration":4232710000})"
      "\n";
  const Completion result = RunOllama(body, WireApi::kOllamaGenerate).completion;
  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.model, "gpt-oss:20b");
  EXPECT_EQ(result.text(), "The sky\xc3\xa9");
  EXPECT_EQ(result.choices[0].reasoning, "Need to");
  EXPECT_EQ(result.choices[0].finish_reason, "stop");
  EXPECT_EQ(result.usage.input_tokens, 26);
  EXPECT_EQ(result.usage.output_tokens, 259);
  EXPECT_EQ(result.Metadata("context"), "[1,2,3]");
  EXPECT_EQ(result.Metadata("eval_duration"), "4232710000");
  EXPECT_EQ(result.Metadata("created_at"), "2025-08-15T22:55:08.508208329Z");  // the first
}

// Ollama's docs show the last delta on the done line itself.
TEST(OllamaDialect, TextOnTheDoneLineIsKept) {
  const std::string body =
      R"({"model":"gemma4","created_at":"2025-10-26T17:15:24.155176Z","response":" question","done":false})"
      "\n"
      R"({"model":"gemma4","created_at":"2025-10-26T17:15:24.166576Z","response":"!","done":true, "done_reason": "stop"})"
      "\n";
  const Completion result = RunOllama(body, WireApi::kOllamaGenerate).completion;
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.text(), " question!");
  EXPECT_TRUE(result.usage.empty());  // no counters sent: no usage made up
}

// Mid-stream failure: {"error": "..."} after some text. The text stays; the stream ends with a
// provider error, neither finished nor truncated.
TEST(OllamaDialect, ErrorLineEndsTheStream) {
  const std::string body = ChatLine(R"("content":" Yes")") + ChatLine(R"("content":".")") +
                           R"({"error":"an error was encountered while running the model"})"
                           "\n" +
                           ChatLine(R"("content":"never")");
  const RunResult run = RunOllama(body);
  const Completion& result = run.completion;
  EXPECT_EQ(result.text(), " Yes.");
  EXPECT_EQ(result.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(result.error.message, "an error was encountered while running the model");
  EXPECT_FALSE(result.finished);
  EXPECT_FALSE(result.truncated);
}

// A request with no messages only loads (or unloads) the model: one done line, no counters.
TEST(OllamaDialect, LoadAndUnloadAreCompleteAnswers) {
  for (const char* reason : {"load", "unload"}) {
    const Completion result =
        RunOllama(ChatLine(R"("content":"")",
                           std::string(R"("done":true,"done_reason":")") + reason + "\""))
            .completion;
    EXPECT_FALSE(result.error) << result.error.message;
    EXPECT_TRUE(result.finished) << reason;
    EXPECT_EQ(result.choices[0].finish_reason, reason);
    EXPECT_EQ(result.choices[0].raw_finish_reason, reason);
    EXPECT_TRUE(result.usage.empty());
  }
}

// Several whole calls in one line; an older server numbers every call 0, a newer one counts, and
// a call may have no id. Ollama says "stop" after calls: normalized to tool_calls.
TEST(OllamaDialect, SeveralToolCallsInOneLine) {
  const std::string body =
      ChatLine(
          R"("content":"","tool_calls":[{"function":{"index":0,"name":"get_weather","arguments":{"city":"Paris","units":["c"]}}},{"id":"call_b","function":{"index":0,"name":"get_time","arguments":{}}}])") +
      ChatLine(
          R"("content":"","tool_calls":[{"id":"call_c","function":{"index":2,"name":"noop"}}])") +
      ChatLine(R"("content":"")",
               R"("done":true,"done_reason":"stop","prompt_eval_count":10,"eval_count":5)");
  const Completion result = RunOllama(body).completion;
  EXPECT_FALSE(result.error) << result.error.message;
  const Choice& choice = result.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 3u);
  EXPECT_EQ(choice.tool_calls[0].index, 0u);
  EXPECT_EQ(choice.tool_calls[0].id, "");
  EXPECT_EQ(choice.tool_calls[0].name, "get_weather");
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"city":"Paris","units":["c"]})");
  EXPECT_EQ(choice.tool_calls[1].index, 1u);
  EXPECT_EQ(choice.tool_calls[1].id, "call_b");
  EXPECT_EQ(choice.tool_calls[1].arguments, "{}");
  EXPECT_EQ(choice.tool_calls[2].index, 2u);
  EXPECT_EQ(choice.tool_calls[2].arguments, "{}");  // none sent
  for (const ToolCall& call : choice.tool_calls) {
    EXPECT_TRUE(call.complete);
    EXPECT_TRUE(call.arguments_valid);
  }
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_EQ(choice.raw_finish_reason, "stop");
}

// The tool call's events: a start and an end carrying the whole arguments, in the line's order.
TEST(OllamaDialect, ToolCallEvents) {
  const RunResult run = RunOllama(
      ChatLine(
          R"("content":"","tool_calls":[{"id":"call_1","function":{"index":0,"name":"f","arguments":{"a":1}}}])") +
      ChatLine(R"("content":"")", R"("done":true,"done_reason":"stop")"));
  std::vector<std::string> lines;
  for (const OwnedEvent& event : run.events) {
    if (event.kind == EventKind::kToolCallStart || event.kind == EventKind::kToolCallEnd) {
      lines.push_back(std::string(EventKindName(event.kind)) + " " + event.id + " " + event.name +
                      " " + event.text);
    }
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"tool_call_start call_1 f ",
                                             "tool_call_end call_1 f {\"a\":1}"}));
}

// A prompt read whole from the cache has no prompt_eval_count (Go's omitempty drops the 0).
TEST(OllamaDialect, MissingCounterOnTheDoneLineIsZero) {
  const Completion result =
      RunOllama(ChatLine(R"("content":"hi")") +
                ChatLine(R"("content":"")", R"("done":true,"done_reason":"length","eval_count":1)"))
          .completion;
  EXPECT_EQ(result.usage.input_tokens, 0);
  EXPECT_EQ(result.usage.output_tokens, 1);
  EXPECT_EQ(result.choices[0].finish_reason, "length");
}

// No done line: the body was cut, whatever arrived is kept.
TEST(OllamaDialect, BodyWithoutTheDoneLineIsTruncated) {
  const Completion result =
      RunOllama(ChatLine(R"("content":"Hel")") + ChatLine(R"("content":"lo")")).completion;
  EXPECT_EQ(result.text(), "Hello");
  EXPECT_FALSE(result.finished);
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.error.code, ErrorCode::kTruncated);
}

TEST(OllamaDialect, LinesAfterTheDoneLineAreIgnored) {
  const Completion result =
      RunOllama(ChatLine(R"("content":"a")", R"("done":true,"done_reason":"stop")") +
                ChatLine(R"("content":"b")"))
          .completion;
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.text(), "a");
  EXPECT_EQ(result.warnings.size(), 1u);
}

TEST(OllamaDialect, ALineThatIsNotJsonIsBadJson) {
  const Completion result = RunOllama(ChatLine(R"("content":"a")") + "{\"model\":\n").completion;
  EXPECT_EQ(result.text(), "a");
  EXPECT_EQ(result.error.code, ErrorCode::kBadJson);
}

// Template-shaped lines (only created_at and the delta vary, escapes included) give the events
// of the full parse, also when the shape changes midway.
TEST(OllamaDialect, TemplatesMatchTheFullParse) {
  std::string body;
  const char* pieces[] = {"a", "\\\"q\\\"", "\\u00e9", " ", "\\n", "z"};
  const char* unescaped[] = {"a", "\"q\"", "\xc3\xa9", " ", "\n", "z"};
  std::string reasoning, text;
  for (int i = 0; i < 60; ++i) {
    const std::string stamp = "2026-08-05T08:11:" + std::to_string(10 + i) + ".1Z";
    const std::string piece = pieces[i % 6];
    (i < 30 ? reasoning : text) += unescaped[i % 6];
    std::string line =
        R"({"model":"m","created_at":")" + stamp +
        R"(","message":{"role":"assistant","content":"",)" +
        (i < 30 ? R"("thinking":")" + piece + "\"" : R"("content":")" + piece + "\"") +
        R"(},"done":false})"
        "\n";
    if (i >= 30) line.replace(line.find(R"("content":"",)"), 13, "");
    body += line;
  }
  body +=
      R"({"model":"m","created_at":"x","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"})"
      "\n";
  StreamOptions slow = OllamaOptions();
  slow.chunk_templates = false;
  const RunResult fast = RunOllama(body);
  ExpectSameEvents(fast.events, RunStream(slow, body, {"whole", {body.size()}}).events);
  EXPECT_EQ(fast.completion.choices[0].reasoning, reasoning);
  EXPECT_EQ(fast.completion.text(), text);
  EXPECT_TRUE(fast.completion.finished);
}

}  // namespace
}  // namespace llmstream::testing
