// The chunk-template shortcut of the Gemini, Cohere, Bedrock and Ollama dialects
// (providers/delta_template.h) changes nothing: every more-providers recording and hand-built
// streams shaped like the benchmark's (bench/gen_more.mjs) give the same events with it on and
// off, and the payloads that only look like the template (another event type, a number that
// changed, an escaped token, a payload after the stream failed) are read as the full parse reads
// them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/reference_framing.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

StreamOptions OptionsFor(WireApi api, Framing framing) {
  StreamOptions options;
  options.api = api;
  options.provider = Provider::kCompatible;
  options.framing = framing;
  return options;
}

// Runs `body` with the shortcut on and off, whole and in a few splits: the same events each time.
// Returns the assembled text of choice 0 (with the shortcut on, whole).
std::string ExpectShortcutChangesNothing(const StreamOptions& options, const std::string& body) {
  StreamOptions slow = options;
  slow.chunk_templates = false;
  std::vector<lt::Split> splits = {{"whole", {body.size()}}};
  const std::vector<lt::Split> standard = lt::StandardSplits(body.size());
  splits.insert(splits.end(), standard.begin(), standard.end());
  for (const lt::Split& split : splits) {
    const lt::RunResult fast_run = lt::RunStream(options, body, split);
    const lt::RunResult slow_run = lt::RunStream(slow, body, split);
    lt::ExpectSameEvents(fast_run.events, slow_run.events, split.name);
  }
  return std::string(lt::RunStream(options, body, splits[0]).completion.text());
}

TEST(DeltaTemplate, RecordingsGiveTheSameEvents) {
  for (const std::string& file : lt::MoreProviderFixtureFiles()) {
    SCOPED_TRACE(file);
    const lt::Recorded recorded = lt::RecordedAs(file);
    ExpectShortcutChangesNothing(OptionsFor(recorded.api, recorded.framing), lt::ReadFixture(file));
  }
}

// --- hand-built streams, one token per payload as the benchmark's ----------------------------

std::string GeminiChunk(const std::string& text_json, int total_tokens = 9,
                        const std::string& role = "model") {
  return R"(data: {"candidates": [{"content": {"parts": [{"text": )" + text_json +
         R"(}],"role": ")" + role + R"("},"index": 0}],"usageMetadata": {"promptTokenCount": 9,)" +
         R"("totalTokenCount": )" + std::to_string(total_tokens) +
         R"(},"modelVersion": "gemini-2.5-flash","responseId": "r1"})" + "\r\n\r\n";
}

const std::string kGeminiEnd =
    R"(data: {"candidates": [{"content": {"parts": [{"text": "."}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 8,"totalTokenCount": 17},"modelVersion": "gemini-2.5-flash","responseId": "r1"})"
    "\r\n\r\n";

TEST(DeltaTemplate, GeminiTokensEscapesAndChangedValues) {
  const std::string body = GeminiChunk(R"("Hello")") + GeminiChunk(R"(" wor")") +
                           GeminiChunk(R"("ld\n")") +             // escaped: matches the hole
                           GeminiChunk(R"(" \"q\"")") +           // quotes
                           GeminiChunk(R"(" caf\u00e9")") +       // a \u escape
                           GeminiChunk(R"(" then")", 12) +        // usage changed: parsed
                           GeminiChunk(R"(" user")", 12, "user")  // role changed: parsed
                           + GeminiChunk(R"("")", 12)             // an empty text part
                           + kGeminiEnd;
  const std::string text = ExpectShortcutChangesNothing(
      OptionsFor(WireApi::kGeminiGenerateContent, Framing::kSse), body);
  EXPECT_EQ(text, "Hello world\n \"q\" caf\xC3\xA9 then user.");
}

// A chunk that matches the template after an error ended the stream says nothing.
TEST(DeltaTemplate, GeminiNothingAfterAnError) {
  const std::string body = GeminiChunk(R"("a")") + GeminiChunk(R"("b")") +
                           "data: {\"error\": {\"code\": 500, \"message\": \"boom\", \"status\": "
                           "\"INTERNAL\"}}\r\n\r\n" +
                           GeminiChunk(R"("c")");
  const std::string text = ExpectShortcutChangesNothing(
      OptionsFor(WireApi::kGeminiGenerateContent, Framing::kSse), body);
  EXPECT_EQ(text, "ab");
}

std::string CohereEvent(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string CohereDelta(const std::string& text_json,
                        const std::string& event_type = "content-delta") {
  return CohereEvent(event_type,
                     R"({"type":"content-delta","index":0,"delta":{"message":{"content":{"text":)" +
                         text_json + "}}}}");
}

TEST(DeltaTemplate, CohereTokensAndAnotherEventName) {
  const std::string body =
      CohereEvent(
          "message-start",
          R"({"id":"c1","type":"message-start","delta":{"message":{"role":"assistant"}}})") +
      CohereEvent(
          "content-start",
          R"({"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}})") +
      CohereDelta(R"("One")") + CohereDelta(R"(" two")") + CohereDelta(R"(" \"3\"")") +
      // The same data under the SSE name of another event: read as the payload's own type says,
      // exactly as the full parse reads it.
      CohereDelta(R"(" four")", "tool-plan-delta") + CohereDelta(R"(" five")") +
      CohereEvent("content-end", R"({"type":"content-end","index":0})") +
      CohereEvent(
          "message-end",
          R"({"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":3,"output_tokens":5}}}})");
  const std::string text =
      ExpectShortcutChangesNothing(OptionsFor(WireApi::kCohereChat, Framing::kSse), body);
  EXPECT_EQ(text, "One two \"3\" four five");
}

std::string BedrockDelta(const std::string& text_json, const std::string& padding,
                         const std::string& type = "contentBlockDelta") {
  return lt::EventStreamEvent(type, R"({"contentBlockIndex":0,"delta":{"text":)" + text_json +
                                        R"(},"p":")" + padding + R"("})");
}

TEST(DeltaTemplate, BedrockTokensPaddingAndAnotherEventType) {
  const std::string body =
      lt::EventStreamEvent("messageStart", R"({"p":"abc","role":"assistant"})") +
      BedrockDelta(R"("Hi")", "a") + BedrockDelta(R"(" there")", "abcdefgh") +
      BedrockDelta(R"(" \\o/")", "") +
      // The same payload as a contentBlockStop: that closes the block, its delta is not text.
      BedrockDelta(R"(" not text")", "ab", "contentBlockStop") +
      lt::EventStreamEvent("messageStop", R"({"p":"x","stopReason":"end_turn"})") +
      lt::EventStreamEvent(
          "metadata",
          R"({"metrics":{"latencyMs":5},"p":"y","usage":{"inputTokens":3,"outputTokens":3,"totalTokens":6}})");
  const std::string text = ExpectShortcutChangesNothing(
      OptionsFor(WireApi::kBedrockConverse, Framing::kAwsEventStream), body);
  EXPECT_EQ(text, "Hi there \\o/");
}

// Bedrock payloads go to the template straight from the framer (framing::PayloadShortcut), after
// their CRCs and headers: what Deliver would have repaired or refused must still be.
TEST(DeltaTemplate, BedrockPayloadsTheFramerHandsToTheTemplate) {
  const std::string start = lt::EventStreamEvent("messageStart", R"({"role":"assistant"})") +
                            BedrockDelta(R"("Hi")", "a") + BedrockDelta(R"(" there")", "abc");
  const std::string stop = lt::EventStreamEvent("messageStop", R"({"stopReason":"end_turn"})");
  const std::string delta = R"({"contentBlockIndex":0,"delta":{"text":"x"},"p":"a"})";
  for (const std::string& odd : {
           BedrockDelta("\"bad \xff utf-8\"", "a"),                 // repaired, in the text
           BedrockDelta(R"("ok")", "pad \xc3"),                     // repaired, in the padding
           BedrockDelta("\"caf\xc3\xa9\"", "\xe2\x82\xac"),         // valid UTF-8 in both
           BedrockDelta("\"tab\there\"", "a"),                      // a raw control byte
           lt::EventStreamEvent("contentBlockDelta", delta + " "),  // more after the match
           lt::EventStreamEvent("contentBlockDelta", delta.substr(0, delta.size() - 1)),  // less
           lt::EncodeEventStream(
               {{":event-type", 7, "contentBlockDelta"}, {":message-type", 7, "exception"}},
               delta),  // the same bytes as an exception
       }) {
    SCOPED_TRACE(odd);
    ExpectShortcutChangesNothing(OptionsFor(WireApi::kBedrockConverse, Framing::kAwsEventStream),
                                 start + odd + BedrockDelta(R"("!")", "ab") + stop);
  }
}

// A message completed from held bytes is not replayed from them: the read that completes it may
// go on to start another message, which the framer holds in the same buffer. Three reads: the
// first cuts a delta, the second completes it and stops one byte before the next one ends.
TEST(DeltaTemplate, BedrockDeltaCompletedFromHeldBytes) {
  const std::string start = lt::EventStreamEvent("messageStart", R"({"role":"assistant"})") +
                            BedrockDelta(R"("Hi")", "a") + BedrockDelta(R"(" there")", "abc");
  const std::string held = BedrockDelta(R"(" held")", "abcdefghijklmnop");
  const std::string next = BedrockDelta(R"(" next")", "ab");
  const std::string body =
      start + held + next + lt::EventStreamEvent("messageStop", R"({"stopReason":"end_turn"})");
  StreamOptions options = OptionsFor(WireApi::kBedrockConverse, Framing::kAwsEventStream);
  StreamOptions slow = options;
  slow.chunk_templates = false;
  for (size_t cut = start.size() + 1; cut < start.size() + held.size(); ++cut) {
    const size_t second = start.size() + held.size() + next.size() - 1 - cut;
    const lt::Split split{"cut-" + std::to_string(cut), {cut, second, body.size() - cut - second}};
    const lt::RunResult fast_run = lt::RunStream(options, body, split);
    lt::ExpectSameEvents(fast_run.events, lt::RunStream(slow, body, split).events, split.name);
    EXPECT_EQ(fast_run.completion.text(), "Hi there held next") << split.name;
  }
}

}  // namespace
}  // namespace llmstream
