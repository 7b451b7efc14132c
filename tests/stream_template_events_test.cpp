// Stream reads events shaped exactly like the dialect's chunk template without the SSE parser
// (Stream::Impl::ReadTemplateEvents). Every stream here puts a template-shaped chunk next to a
// framing or content detail that the shortcut must leave to the parser (or get exactly right),
// and must give the same events, result and byte count with the shortcut as without it, in
// every standard split. The same holds for the elements of a streamed JSON array (Gemini without
// alt=sse), which the framer offers to the template before it scans them
// (framing::PayloadShortcut).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

std::string OpenAIChunk(std::string_view content_json) {
  return R"({"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,)"
         R"("delta":{"content":)" +
         std::string(content_json) + R"(},"finish_reason":null}]})";
}

std::string OpenAIEvent(std::string_view content_json) {
  return "data: " + OpenAIChunk(content_json) + "\n\n";
}

// Three plain tokens: the first builds the template, the others match it.
std::string OpenAIPrelude() {
  return OpenAIEvent(R"("Hel")") + OpenAIEvent(R"("lo")") + OpenAIEvent(R"(" there")");
}

std::string OpenAIEnd() {
  return "data: " +
         std::string(R"({"id":"c1","object":"chat.completion.chunk","model":"m","choices":)"
                     R"([{"index":0,"delta":{},"finish_reason":"stop"}]})") +
         "\n\ndata: [DONE]\n\n";
}

std::string AnthropicDelta(std::string_view text_json) {
  return "event: content_block_delta\ndata: "
         R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":)" +
         std::string(text_json) + "}}\n\n";
}

std::string AnthropicStart() {
  return "event: message_start\ndata: "
         R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
         R"("model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":3,)"
         R"("output_tokens":1}}})"
         "\n\nevent: content_block_start\ndata: "
         R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
         "\n\n" +
         AnthropicDelta(R"("Hel")") + AnthropicDelta(R"("lo")");
}

std::string AnthropicEnd() {
  return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
         "event: message_delta\ndata: "
         R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}})"
         "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

uint64_t BytesFed(const StreamOptions& options, std::string_view body, const Split& split) {
  Stream stream(options);
  size_t at = 0;
  for (size_t size : split.sizes) {
    stream.Feed(body.substr(at, size), 0);
    at += size;
  }
  return stream.bytes_fed();
}

// The shortcut changes nothing, in any split.
void ExpectSameWithAndWithoutShortcut(const StreamOptions& options, const std::string& body) {
  StreamOptions slow = options;
  slow.chunk_templates = false;
  std::vector<Split> splits = StandardSplits(body.size());
  splits.insert(splits.begin(), Split{"whole", {body.size()}});
  // Two reads cut at every byte: the second read then starts at every line and field boundary,
  // with whatever the first one left pending in the parser.
  for (size_t cut = 1; cut < body.size(); ++cut) {
    splits.push_back(Split{"cut-" + std::to_string(cut), {cut, body.size() - cut}});
  }
  for (const Split& split : splits) {
    const RunResult fast_run = RunStream(options, body, split);
    const RunResult slow_run = RunStream(slow, body, split);
    ExpectSameEvents(fast_run.events, slow_run.events, split.name);
    EXPECT_EQ(fast_run.completion.text(), slow_run.completion.text()) << split.name;
    EXPECT_EQ(fast_run.completion.finished, slow_run.completion.finished) << split.name;
    EXPECT_EQ(BytesFed(options, body, split), BytesFed(slow, body, split)) << split.name;
  }
}

StreamOptions OpenAI() {
  StreamOptions options;
  options.api = WireApi::kChatCompletions;
  return options;
}

StreamOptions Anthropic() {
  StreamOptions options;
  options.api = WireApi::kAnthropicMessages;
  return options;
}

TEST(StreamTemplateEvents, PlainTokensAreReadAsTheParserWould) {
  const std::string body = OpenAIPrelude() + OpenAIEvent(R"("!")") + OpenAIEnd();
  ExpectSameWithAndWithoutShortcut(OpenAI(), body);
  const RunResult run = RunStream(OpenAI(), body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.text(), "Hello there!");
  EXPECT_TRUE(run.completion.finished);
}

TEST(StreamTemplateEvents, FramingTheShortcutLeavesToTheParser) {
  const std::string chunk = OpenAIChunk(R"("x")");
  for (const std::string& odd : {
           "event: error\ndata: " + chunk + "\n\n",         // a named error event
           "event: message\ndata: " + chunk + "\n\n",       // the default type, named
           "event:\ndata: " + chunk + "\n\n",               // an empty type
           "event: other\r\ndata: " + chunk + "\n\n",       // CRLF after the type
           "data:" + chunk + "\n\n",                        // no space after the colon
           "data:  " + chunk + "\n\n",                      // two spaces: data with a leading space
           "id: 7\ndata: " + chunk + "\n\n",                // an id before the data
           "data: " + chunk + "\nid: 8\n\n",                // an id after it
           "data: " + chunk + "\r\n\r\n",                   // CRLF
           "data: " + chunk + "\n\r\n",                     // LF then CRLF
           "data: " + chunk + "\r\r",                       // CR only
           ": keep-alive\ndata: " + chunk + "\n\n",         // a comment first
           "retry: 10\ndata: " + chunk + "\n\n",            // a retry first
           "data: " + chunk + "\ndata: " + chunk + "\n\n",  // two data lines, one event
           "data: " + chunk + " \n\n",                      // trailing space after the JSON
           "data: " + chunk,                                // cut before its line ends
           "data: " + chunk + "\n",                         // cut before the blank line
           "xdata: " + chunk + "\n\n",                      // an unknown field, "data: ..." inside
           ": data: " + chunk + "\n\n",                     // a comment that looks like data
           std::string("data:\n\n"),                        // empty data (null when copied)
       }) {
    SCOPED_TRACE(odd);
    ExpectSameWithAndWithoutShortcut(OpenAI(),
                                     OpenAIPrelude() + odd + OpenAIPrelude() + OpenAIEnd());
  }
}

TEST(StreamTemplateEvents, ContentTheHoleMayHold) {
  for (const std::string& content : {
           std::string(R"("caf\u00e9 \n \"q\" \\ \ud83d\ude80")"),  // escapes
           std::string("\"caf\xc3\xa9 \xf0\x9f\x9a\x80\""),         // raw UTF-8
           std::string("\"bad \xff utf-8\""),                       // invalid UTF-8: repaired
           std::string("\"cut \xe2\x82\""),                         // a truncated sequence
           std::string("\"tab\there\""),                            // a raw control byte
           std::string(R"("lone \ud800")"),                         // a lone surrogate escape
           std::string(R"("")"),                                    // empty
           std::string(R"(null)"),                                  // not a string
       }) {
    SCOPED_TRACE(content);
    ExpectSameWithAndWithoutShortcut(
        OpenAI(), OpenAIPrelude() + OpenAIEvent(content) + OpenAIPrelude() + OpenAIEnd());
  }
}

TEST(StreamTemplateEvents, AfterDoneNothingIsReplayed) {
  const std::string body = OpenAIPrelude() + "data: [DONE]\n\n" + OpenAIPrelude();
  ExpectSameWithAndWithoutShortcut(OpenAI(), body);
  const RunResult run = RunStream(OpenAI(), body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.text(), "Hello there");
}

TEST(StreamTemplateEvents, ParserLimitsStillApply) {
  const std::string body =
      OpenAIPrelude() + OpenAIEvent(R"("a longer token than the rest")") + OpenAIEnd();
  const size_t line = OpenAIEvent(R"("a longer token than the rest")").size() - 2;
  for (size_t cap : {line - 1, line, line + 1}) {
    StreamOptions options = OpenAI();
    options.sse_limits.max_line_bytes = cap;
    SCOPED_TRACE(cap);
    ExpectSameWithAndWithoutShortcut(options, body);
    StreamOptions event_cap = OpenAI();
    event_cap.sse_limits.max_event_bytes = cap - 6;
    ExpectSameWithAndWithoutShortcut(event_cap, body);
  }
}

TEST(StreamTemplateEvents, ATemplateSpanningLinesIsNotUsedOnRawInput) {
  // The first chunk's JSON is split over two data lines (joined with LF, which is JSON
  // whitespace), so its template holds an LF; single-line chunks must never match across it.
  const std::string head = R"({"id":"c1","object":"chat.completion.chunk","model":"m",)";
  const std::string tail =
      R"("choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]})";
  const std::string body = "data: " + head + "\ndata: " + tail + "\n\n" + "data: " + head +
                           "\ndata: " + tail + "\n\n" + "data: " + head + "\n\n" + OpenAIEnd();
  ExpectSameWithAndWithoutShortcut(OpenAI(), body);
}

TEST(StreamTemplateEvents, RawEventsStillPrecedeEachEvent) {
  StreamOptions options = OpenAI();
  options.raw_events = true;
  const std::string body = OpenAIPrelude() + OpenAIEnd();
  ExpectSameWithAndWithoutShortcut(options, body);
  const RunResult run = RunStream(options, body, {"whole", {body.size()}});
  size_t raw = 0;
  for (const OwnedEvent& event : run.events) raw += event.kind == EventKind::kRaw;
  EXPECT_EQ(raw, 5u);  // three tokens, the finish chunk, [DONE]
}

TEST(StreamTemplateEvents, AnthropicDeltasWithTheirEventLines) {
  for (const std::string& odd : {
           AnthropicDelta(R"(" world")"),
           std::string("event: ping\ndata: {\"type\": \"ping\"}\n\n"),
           std::string("event: error\ndata: "
                       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
                       R"("text":"x"}})"
                       "\n\n"),
           std::string("event: content_block_delta\r\ndata: "
                       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
                       R"("text":"y"}})"
                       "\r\n\r\n"),
           std::string("data: "
                       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
                       R"("text":"no event line"}})"
                       "\n\n"),
           std::string("event: content_block_delta\n: comment\ndata: "
                       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
                       R"("text":"z"}})"
                       "\n\n"),
       }) {
    SCOPED_TRACE(odd);
    ExpectSameWithAndWithoutShortcut(
        Anthropic(), AnthropicStart() + odd + AnthropicDelta(R"("!")") + AnthropicEnd());
  }
}

// ---- streamed JSON array (framing::PayloadShortcut) ---------------------------------------------

// Pretty-printed like Gemini's elements: the template spans lines.
std::string GeminiElement(std::string_view text_json) {
  return "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n"
         "          {\n            \"text\": " +
         std::string(text_json) +
         "\n          }\n        ],\n        \"role\": \"model\"\n      },\n"
         "      \"index\": 0\n    }\n  ],\n  \"modelVersion\": \"gemini-2.5-flash\"\n}";
}

std::string GeminiLast() {
  return R"({"candidates":[{"content":{"parts":[{"text":"."}],"role":"model"},)"
         R"("finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":2,)"
         R"("candidatesTokenCount":5,"totalTokenCount":7}})";
}

// "[" + three plain tokens (the first builds the template) + `odd` + two more tokens + the last.
std::string GeminiArray(const std::string& odd) {
  return "[" + GeminiElement(R"("Hel")") + ",\r\n" + GeminiElement(R"("lo")") + "," +
         GeminiElement(R"(" there")") + ",\n" + odd + ",\n" + GeminiElement(R"("!")") + " , " +
         GeminiElement(R"(" ok")") + ",\n" + GeminiLast() + "]";
}

StreamOptions GeminiJsonArray() {
  StreamOptions options;
  options.api = WireApi::kGeminiGenerateContent;
  options.provider = Provider::kGemini;
  options.framing = Framing::kJsonArray;
  return options;
}

TEST(StreamTemplateEvents, JsonArrayElementsAreReadAsTheFramerWould) {
  const std::string body = GeminiArray(GeminiElement(R"(" you")"));
  ExpectSameWithAndWithoutShortcut(GeminiJsonArray(), body);
  const RunResult run = RunStream(GeminiJsonArray(), body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.text(), "Hello there you! ok.");
  EXPECT_TRUE(run.completion.finished);
}

TEST(StreamTemplateEvents, JsonArrayElementsTheTemplateMustLeaveToTheFramer) {
  for (const std::string& odd : {
           GeminiElement(R"("caf\u00e9 \n \"q\" \\ \ud83d\ude80")"),  // escapes
           GeminiElement("\"caf\xc3\xa9 \xf0\x9f\x9a\x80\""),         // raw UTF-8
           GeminiElement("\"bad \xff utf-8\""),                       // invalid UTF-8: repaired
           GeminiElement("\"cut \xe2\x82\""),                         // a truncated sequence
           GeminiElement("\"tab\there\""),                            // a raw control byte
           GeminiElement(R"("]}],[{\"")"),                            // brackets and a quote
           GeminiElement(R"("")"),                                    // empty
           GeminiElement(R"(null)"),                                  // not a string
           GeminiElement(R"("x" )"),                                  // other whitespace
           GeminiElement(R"("unclosed)"),                             // a string never closed
           GeminiElement(R"("x"}]}]})"),                              // the element ends early
           "[" + GeminiElement(R"("in an array")") + "]",             // nested in an array
           GeminiElement(R"("x")") + " x",                            // garbage after it
       }) {
    SCOPED_TRACE(odd);
    ExpectSameWithAndWithoutShortcut(GeminiJsonArray(), GeminiArray(odd));
  }
  // Cut inside a matching element, and inside the next one.
  const std::string body = GeminiArray(GeminiElement(R"(" you")"));
  for (const size_t cut : {size_t{40}, body.size() / 2, body.size() - 20}) {
    ExpectSameWithAndWithoutShortcut(GeminiJsonArray(), body.substr(0, cut));
  }
}

// An element that is no JSON ends the stream; what is wrong after it is not reported, whether it
// comes in the same read or a later one.
TEST(StreamTemplateEvents, JsonArrayNothingCountsAfterAnErrorInTheSameRead) {
  const std::string body = "[" + GeminiElement(R"("Hel")") + ",\n{\"candidates\": x},\n" +
                           GeminiElement(R"("lo")") + ", \"not an element\"]";
  ExpectSameWithAndWithoutShortcut(GeminiJsonArray(), body);
  const RunResult whole = RunStream(GeminiJsonArray(), body, {"whole", {body.size()}});
  for (const Split& split : StandardSplits(body.size())) {
    ExpectSameEvents(RunStream(GeminiJsonArray(), body, split).events, whole.events, split.name);
  }
  size_t errors = 0;
  for (const OwnedEvent& event : whole.events) errors += event.kind == EventKind::kError;
  EXPECT_EQ(errors, 1u);
}

// An element the template matches is still held to FramingLimits::max_frame_bytes.
TEST(StreamTemplateEvents, JsonArrayElementLimitStillApplies) {
  const std::string long_token = GeminiElement(R"("a longer token than the rest")");
  const std::string body = GeminiArray(long_token);
  for (const size_t cap : {long_token.size() - 1, long_token.size(), long_token.size() + 1}) {
    StreamOptions options = GeminiJsonArray();
    options.frame_limits.max_frame_bytes = cap;
    SCOPED_TRACE(cap);
    ExpectSameWithAndWithoutShortcut(options, body);
    const RunResult run = RunStream(options, body, {"whole", {body.size()}});
    EXPECT_EQ(run.completion.finished, cap >= long_token.size());
  }
}

}  // namespace
}  // namespace llmstream::testing
