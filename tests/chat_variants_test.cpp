// The OpenAI-compatible variants' own fields in the Chat Completions dialect (wire-formats.md,
// "OpenAI-compatible variants"): the Mistral and DeepSeek recordings of more-providers/ in every
// split against expected.json, and what they lack: Mistral's typed content chunks and several
// whole tool calls in one chunk, Azure's filter results and content_filter finish, the variants'
// usage fields, xAI's citations, and a body whose last `data: [DONE]` has no blank line after it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

using nlohmann::json;

StreamOptions ChatOptions() {
  StreamOptions options;
  options.provider = Provider::kCompatible;
  return options;
}

// Every split, and the same events without the chunk templates.
RunResult RunChat(const std::string& body) {
  const RunResult run = RunEverySplit(ChatOptions(), body);
  StreamOptions slow = ChatOptions();
  slow.chunk_templates = false;
  ExpectSameEvents(run.events, RunStream(slow, body, {"whole", {body.size()}}).events,
                   "without templates");
  return run;
}

std::string Event(std::string_view chunk) { return "data: " + std::string(chunk) + "\n\n"; }

class ChatVariantsFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatVariantsFixtures, MatchesExpectedInEverySplit) {
  const std::string name = GetParam();
  const std::string body = ReadFixture("more-providers/" + name);
  ASSERT_FALSE(body.empty());
  const json& want = ExpectedMoreProviders()[name];
  ASSERT_TRUE(want.is_object()) << name;
  const Completion result = RunChat(body).completion;

  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_EQ(result.finished, want["done"].get<bool>());
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.model, want["model"].get<std::string>());
  ASSERT_EQ(result.choices.size(), want["choices"].size());
  for (const auto& [index_text, want_choice] : want["choices"].items()) {
    SCOPED_TRACE("choice " + index_text);
    const Choice* choice = result.FindChoice(static_cast<uint32_t>(std::stoi(index_text)));
    ASSERT_NE(choice, nullptr);
    EXPECT_EQ(choice->role, want_choice["role"].get<std::string>());
    EXPECT_TRUE(MatchesExpectedText(choice->text, want_choice["content"])) << "content";
    EXPECT_TRUE(MatchesExpectedText(choice->reasoning, want_choice["reasoning"])) << "reasoning";
    EXPECT_EQ(choice->raw_finish_reason, want_choice["finish_reason"].get<std::string>());
    EXPECT_EQ(choice->finish_reason == "content_filter",
              want_choice["content_filtered"].get<bool>());
    ASSERT_EQ(choice->tool_calls.size(), want_choice["tool_calls"].size());
    for (size_t i = 0; i < choice->tool_calls.size(); ++i) {
      const ToolCall& call = choice->tool_calls[i];
      const json& want_call = want_choice["tool_calls"][i];
      EXPECT_EQ(call.index, want_call["index"].get<uint32_t>());
      EXPECT_EQ(call.id, want_call["id"].get<std::string>());
      EXPECT_EQ(call.name, want_call["name"].get<std::string>());
      EXPECT_TRUE(SameJson(call.arguments, want_call["arguments"]));
      EXPECT_TRUE(call.complete);
      EXPECT_TRUE(call.arguments_valid);
    }
  }
  const json& usage = want["usage"];
  EXPECT_EQ(result.usage.input_tokens, usage["prompt_tokens"].get<int64_t>());
  EXPECT_EQ(result.usage.output_tokens, usage["completion_tokens"].get<int64_t>());
  EXPECT_EQ(result.usage.total_tokens, usage["total_tokens"].get<int64_t>());
  if (usage.contains("completion_tokens_details")) {
    EXPECT_EQ(result.usage.reasoning_tokens,
              usage["completion_tokens_details"]["reasoning_tokens"].get<int64_t>());
  }
  if (usage.contains("prompt_cache_hit_tokens")) {
    EXPECT_EQ(result.usage.cached_input_tokens, usage["prompt_cache_hit_tokens"].get<int64_t>());
  }
  EXPECT_TRUE(SameJson(result.Metadata("usage"), usage));
  for (const char* key : {"timings", "prompt_filter_results"}) {
    if (want[key].is_null()) {
      EXPECT_EQ(result.Metadata(key), "") << key;
    } else {
      EXPECT_TRUE(SameJson(result.Metadata(key), want[key])) << key;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ChatVariants, ChatVariantsFixtures,
                         ::testing::Values("mistral-tool-call-single-chunk.sse",
                                           "deepseek-reasoner-reasoning-content.sse"),
                         FixtureTestName);

std::string MistralChunk(std::string_view delta, std::string_view finish = "null",
                         std::string_view extra = "") {
  return Event(R"({"id":"b39","object":"chat.completion.chunk","created":1769088854,)"
               R"("model":"magistral-medium-latest","choices":[{"index":0,"delta":)" +
               std::string(delta) + R"(,"finish_reason":)" + std::string(finish) +
               R"(,"logprobs":null}])" + std::string(extra) + "}");
}

std::string MistralThinking(std::string_view text_json) {
  return MistralChunk(R"({"content":[{"type":"thinking","thinking":[{"type":"text","text":)" +
                      std::string(text_json) + "}]}]}");
}

// Magistral: thinking chunks, then text chunks in an array and as a plain string, a reference,
// an image; `type` after `text` too.
TEST(ChatVariants, MistralTypedContentChunks) {
  const std::string body =
      MistralChunk(R"({"role":"assistant","content":""})") + MistralThinking(R"("Let")") +
      MistralThinking(R"(" me")") + MistralThinking(R"(" think\n")") +
      MistralChunk(R"({"content":[{"type":"thinking","thinking":[{"type":"text","text":"."},)"
                   R"({"text":" Done","type":"text"}]}]})") +
      MistralChunk(R"({"content":[{"type":"text","text":"The"}]})") +
      MistralChunk(R"({"content":[{"text":" answer","type":"text"}]})") +
      MistralChunk(R"({"content":[{"type":"reference","reference_ids":[1,2]}]})") +
      MistralChunk(R"({"content":[{"type":"image_url","image_url":"data:x"}]})") +
      MistralChunk(R"({"content":" is 42."})") +
      MistralChunk(R"({"content":""})", R"("stop")",
                   R"(,"usage":{"prompt_tokens":9,"total_tokens":30,"completion_tokens":21,)"
                   R"("num_cached_tokens":4})") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_TRUE(result.finished);
  const Choice& choice = result.choices[0];
  EXPECT_EQ(choice.reasoning, "Let me think\n. Done");
  EXPECT_EQ(choice.text, "The answer is 42.");
  ASSERT_EQ(choice.citations.size(), 1u);
  EXPECT_EQ(choice.citations[0], R"({"type":"reference","reference_ids":[1,2]})");
  EXPECT_EQ(result.Metadata("delta.content"), R"({"type":"image_url","image_url":"data:x"})");
  EXPECT_EQ(result.usage.cached_input_tokens, 4);
}

// Mistral sends each tool call whole, without `index` or `type`; several may share a chunk.
TEST(ChatVariants, MistralSeveralWholeToolCallsInOneChunk) {
  const std::string body =
      MistralChunk(R"({"role":"assistant","content":""})") +
      MistralChunk(
          R"({"content":null,"tool_calls":[)"
          R"({"id":"a1","function":{"name":"weather","arguments":"{\"city\": \"Paris\"}"}},)"
          R"({"id":"b2","function":{"name":"time","arguments":"{}"}}]})") +
      MistralChunk(R"({"content":null,"tool_calls":[)"
                   R"({"id":"c3","function":{"name":"noop","arguments":"{\"x\":"}}]})") +
      // A fragment with neither id nor name continues the newest call.
      MistralChunk(R"({"tool_calls":[{"function":{"arguments":"1}"}}]})", R"("tool_calls")",
                   R"(,"usage":{"prompt_tokens":1,"total_tokens":2,"completion_tokens":1})") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_FALSE(result.error) << result.error.message;
  const Choice& choice = result.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 3u);
  const char* ids[] = {"a1", "b2", "c3"};
  const char* arguments[] = {R"({"city": "Paris"})", "{}", R"({"x":1})"};
  for (uint32_t i = 0; i < 3; ++i) {
    const ToolCall& call = choice.tool_calls[i];
    EXPECT_EQ(call.index, i);
    EXPECT_EQ(call.id, ids[i]);
    EXPECT_EQ(call.arguments, arguments[i]);
    EXPECT_TRUE(call.complete);
    EXPECT_TRUE(call.arguments_valid);
  }
  EXPECT_EQ(choice.finish_reason, "tool_calls");
}

// A gateway repeating the same whole call (same id) adds nothing but its arguments; with index
// the usual OpenAI rules hold.
TEST(ChatVariants, IndexlessFragmentRepeatingTheNewestIdContinuesIt) {
  const std::string body =
      MistralChunk(R"({"tool_calls":[{"id":"a1","function":{"name":"f","arguments":"{\"a\""}}]})") +
      MistralChunk(R"({"tool_calls":[{"id":"a1","function":{"name":"f","arguments":":1}"}}]})",
                   R"("tool_calls")") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  ASSERT_EQ(result.choices[0].tool_calls.size(), 1u);
  EXPECT_EQ(result.choices[0].tool_calls[0].arguments, R"({"a":1})");
}

std::string DeepSeekChunk(std::string_view delta, std::string_view finish, std::string_view usage) {
  return Event(R"({"id":"33be","object":"chat.completion.chunk","created":1752169304,)"
               R"("model":"deepseek-chat","choices":[{"index":0,"delta":)" +
               std::string(delta) + R"(,"logprobs":null,"finish_reason":)" + std::string(finish) +
               R"(}],"usage":)" + std::string(usage) + "}");
}

// DeepSeek's cache counters without prompt_tokens_details (its older usage shape).
TEST(ChatVariants, DeepSeekCacheHitTokensAreCachedInput) {
  const std::string body =
      DeepSeekChunk(R"({"role":"assistant","content":"Hi"})", "null", "null") +
      DeepSeekChunk(R"({"content":""})", R"("stop")",
                    R"({"prompt_tokens":100,"completion_tokens":2,"total_tokens":102,)"
                    R"("prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36})") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_EQ(result.usage.input_tokens, 100);
  EXPECT_EQ(result.usage.cached_input_tokens, 64);
  EXPECT_EQ(result.usage.output_tokens, 2);
}

std::string XaiChunk(std::string_view rest) {
  return Event(R"({"id":"7027","object":"chat.completion.chunk","created":1770772293,)"
               R"("model":"grok-3-mini",)" +
               std::string(rest) + R"(,"system_fingerprint":"fp_2a885414fb"})");
}

// xAI: completion_tokens without the reasoning tokens (the total has them), cost in ticks of
// 1e-10 USD, and the sources' URLs in a top-level `citations` (repeated, growing).
TEST(ChatVariants, XaiUsageAndCitations) {
  const std::string body =
      XaiChunk(
          R"("choices":[{"index":0,"delta":{"reasoning_content":"First","role":"assistant"}}])") +
      XaiChunk(
          R"("choices":[{"index":0,"delta":{"content":"Hi"}}],"citations":["https://a.example"])") +
      XaiChunk(R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}],)"
               R"("citations":["https://a.example","https://b.example"])") +
      XaiChunk(R"("choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,)"
               R"("total_tokens":354,"prompt_tokens_details":{"text_tokens":12,"audio_tokens":0,)"
               R"("image_tokens":0,"cached_tokens":11},"completion_tokens_details":)"
               R"({"reasoning_tokens":340,"audio_tokens":0,"accepted_prediction_tokens":0,)"
               R"("rejected_prediction_tokens":0},"num_sources_used":2,)"
               R"("cost_in_usd_ticks":1721250})") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_EQ(result.choices[0].reasoning, "First");
  EXPECT_EQ(result.usage.input_tokens, 12);
  EXPECT_EQ(result.usage.cached_input_tokens, 11);
  EXPECT_EQ(result.usage.output_tokens, 342);
  EXPECT_EQ(result.usage.reasoning_tokens, 340);
  EXPECT_EQ(result.usage.total_tokens, 354);
  ASSERT_TRUE(result.usage.reported_cost_usd);
  EXPECT_DOUBLE_EQ(*result.usage.reported_cost_usd, 1.72125e-4);
  EXPECT_EQ(result.cost.source, CostSource::kProvider);
  EXPECT_EQ(result.choices[0].citations,
            (std::vector<std::string>{"\"https://a.example\"", "\"https://b.example\""}));
}

// Some xAI models count cached prompt tokens apart (more cached than prompt tokens).
TEST(ChatVariants, CachedTokensLeftOutOfThePromptAreAdded) {
  const std::string body =
      XaiChunk(R"("choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}])") +
      XaiChunk(R"("choices":[],"usage":{"prompt_tokens":4142,"completion_tokens":10,)"
               R"("total_tokens":8480,"prompt_tokens_details":{"cached_tokens":4328}})") +
      "data: [DONE]\n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_EQ(result.usage.input_tokens, 4142 + 4328);
  EXPECT_EQ(result.usage.cached_input_tokens, 4328);
  EXPECT_EQ(result.usage.output_tokens, 10);  // 8480 != 4142 + 10 + 0: nothing to add
}

// Azure: the prompt filter results in a first chunk without choices, filter results and
// offsets on choices, annotation chunks with placeholder id / model, and a content_filter
// finish on an annotation chunk (Azure's "Content streaming" samples; `data: [DONE] ` with its
// trailing space).
TEST(ChatVariants, AzureFilterResultsAndContentFilterFinish) {
  const std::string safe =
      R"({"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},)"
      R"("sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}})";
  auto token = [&](std::string_view content) {
    return Event(
        R"({"id":"chatcmpl-8JC","object":"chat.completion.chunk","created":1699587397,)"
        R"("model":"gpt-35-turbo","choices":[{"index":0,"finish_reason":null,"delta":{"content":")" +
        std::string(content) + R"("},"content_filter_results":)" + safe + R"(}],"usage":null})");
  };
  auto annotation = [&](std::string_view finish, std::string_view results, int check) {
    return "data: " +
           std::string(R"({"id":"","object":"","created":0,"model":"","choices":[{"index":0,)"
                       R"("finish_reason":)") +
           std::string(finish) + R"(,"content_filter_results":)" + std::string(results) +
           R"(,"content_filter_offsets":{"check_offset":)" + std::to_string(check) +
           R"(,"start_offset":65,"end_offset":1056}}],"usage":null} )" + "\n\n";
  };
  const std::string body =
      Event(
          R"({"id":"","object":"","created":0,"model":"","prompt_filter_results":[{"prompt_index":0,)"
          R"("content_filter_results":)" +
          safe + R"(}],"choices":[],"usage":null})") +
      Event(R"({"id":"chatcmpl-8JC","object":"chat.completion.chunk","created":1699587397,)"
            R"("model":"gpt-35-turbo","choices":[{"index":0,"finish_reason":null,)"
            R"("delta":{"role":"assistant"}}],"usage":null})") +
      token("Hey") + token(" Jude") + token(",") + annotation("null", safe, 65) + token(" don't") +
      annotation(R"("content_filter")",
                 R"({"protected_material_text":{"detected":true,"filtered":true}})", 70) +
      "data: [DONE] \n\n";
  const Completion result = RunChat(body).completion;
  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.model, "gpt-35-turbo");  // not the annotations' ""
  EXPECT_EQ(result.id, "chatcmpl-8JC");
  EXPECT_EQ(result.Metadata("created"), "1699587397");
  const Choice& choice = result.choices[0];
  EXPECT_EQ(choice.text, "Hey Jude, don't");
  EXPECT_EQ(choice.finish_reason, "content_filter");
  EXPECT_EQ(choice.raw_finish_reason, "content_filter");
  EXPECT_TRUE(
      SameJson(result.Metadata("prompt_filter_results"),
               json::parse("[{\"prompt_index\":0,\"content_filter_results\":" + safe + "}]")));
  EXPECT_EQ(result.Metadata("choice.content_filter_results"),
            R"({"protected_material_text":{"detected":true,"filtered":true}})");
  EXPECT_EQ(result.Metadata("choice.content_filter_offsets"),
            R"({"check_offset":70,"start_offset":65,"end_offset":1056})");
}

// Azure's in-stream error object names its HTTP status `status`; code content_filter.
TEST(ChatVariants, AzureErrorObject) {
  const std::string body = Event(
      R"({"error":{"code":"content_filter","message":"The response was filtered",)"
      R"("param":"prompt","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}})");
  const Completion result = RunChat(body).completion;
  EXPECT_EQ(result.error.code, ErrorCode::kContentFilter);
  EXPECT_EQ(result.error.http_status, 400);
  EXPECT_EQ(result.error.message, "The response was filtered");
}

std::string TextChunk(std::string_view text) {
  return R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,)"
         R"("delta":{"content":")" +
         std::string(text) + R"("},"finish_reason":null}]})";
}

// Seen from real gateways: the last `data: [DONE]` without the blank line after it (or without
// any line end). The answer is complete: open tool calls end, nothing is reported cut.
TEST(ChatVariants, DoneWithoutTheFinalBlankLineIsComplete) {
  const std::string call =
      R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,)"
      R"("delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":)"
      R"({"name":"f","arguments":"{}"}}]},"finish_reason":null}]})"
      "\n\n";
  for (const char* end : {"data: [DONE]", "data: [DONE]\n", "data: [DONE]\r\n", "data: [DONE]\r",
                          "data:[DONE]", "data: [DONE]  ", "data: [DONE]\n: bye"}) {
    SCOPED_TRACE(::testing::PrintToString(std::string(end)));
    const std::string body = TextChunk("Hello") + "\n\n" + call + end;
    const RunResult run = RunChat(body);
    const Completion& result = run.completion;
    EXPECT_FALSE(result.error) << result.error.message;
    EXPECT_TRUE(result.finished);
    EXPECT_FALSE(result.truncated);
    EXPECT_EQ(result.text(), "Hello");
    ASSERT_EQ(result.choices[0].tool_calls.size(), 1u);
    EXPECT_TRUE(result.choices[0].tool_calls[0].complete);
    EXPECT_EQ(run.events.back().kind, EventKind::kDone);
    for (const OwnedEvent& event : run.events) {  // the unterminated comment is not one
      EXPECT_NE(event.kind, EventKind::kKeepAlive);
    }
    Stream stream(ChatOptions());
    stream.Feed(body, 0);
    stream.Finish(1);
    EXPECT_EQ(stream.bytes_fed(), body.size());  // the blank line given to the parser is not
  }
}

// Any other last event without its blank line is discarded, as the SSE spec says: its content is
// not delivered and the body counts as cut.
TEST(ChatVariants, AnUnterminatedEventThatIsNotDoneIsDiscarded) {
  for (const std::string& end :
       {TextChunk(" world"), TextChunk(" world") + "\n", std::string("data: [DONE]x"),
        std::string("data: [DO"), std::string("data: [DONE]\ndata: more\n"),
        std::string("event: error\ndata: {\"error\":{\"message\":\"x\"}}\n")}) {
    SCOPED_TRACE(end);
    const std::string body = TextChunk("Hello") + "\n\n" + end;
    const Completion result = RunChat(body).completion;
    EXPECT_EQ(result.text(), "Hello");
    EXPECT_FALSE(result.finished);
    EXPECT_TRUE(result.truncated);
    EXPECT_EQ(result.error.code, ErrorCode::kTruncated);
    EXPECT_NE(result.error.message.find("in the middle of an event"), std::string::npos);
  }
}

// After a complete [DONE] event, trailing bytes change nothing (as before).
TEST(ChatVariants, BytesAfterACompleteDoneChangeNothing) {
  const Completion result =
      RunChat(TextChunk("Hello") + "\n\ndata: [DONE]\n\n" + TextChunk("late")).completion;
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.text(), "Hello");
}

// The unterminated [DONE] reaches the other dialects too, which ignore it (after trimming
// spaces, as every dialect does): a cut Anthropic stream stays truncated, not bad_json.
TEST(ChatVariants, OtherDialectsIgnoreAnUnterminatedDone) {
  StreamOptions options;
  options.api = WireApi::kAnthropicMessages;
  options.provider = Provider::kAnthropic;
  const std::string body =
      "event: message_start\ndata: "
      R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
      R"("model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":3,)"
      R"("output_tokens":1}}})"
      "\n\ndata: [DONE]  ";
  const Completion result = RunEverySplit(options, body).completion;
  EXPECT_EQ(result.error.code, ErrorCode::kTruncated) << result.error.message;
  EXPECT_TRUE(result.truncated);
}

}  // namespace
}  // namespace llmstream::testing
