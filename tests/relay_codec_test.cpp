// The relay protocol's codec (llmstream/relay.h, docs/relay-protocol.md): the encoder's bytes
// written out by hand, the decoder's rules broken one at a time, and every recorded fixture in
// every read split through the encoder and back. The encoder's bytes of each fixture are kept in
// tests/golden/relay/, which the npm package's encoder must write byte for byte from the
// package's own chunks of the same fixture (tests/node/relay_codec.test.mjs): a change on either
// side shows as a diff there. LLMSTREAM_UPDATE_RELAY_GOLDEN=1 rewrites the files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "llmstream/relay.h"
#include "relay/js_json.h"
#include "support/fixtures.h"
#include "support/relay_fixture.h"

namespace llmstream::testing {
namespace {

std::string JsNumber(double value) {
  std::string out;
  relay::AppendJsNumber(&out, value);
  return out;
}

std::string Canonical(std::string_view json) {
  std::string out;
  if (!relay::AppendCanonicalJson(&out, json)) return "<invalid>";
  return out;
}

// What node prints for String(x) / JSON.stringify(JSON.parse(text)), written down by hand.
TEST(RelayJsJson, NumbersAsJavaScriptWritesThem) {
  EXPECT_EQ(JsNumber(0.0000027), "0.0000027");
  EXPECT_EQ(JsNumber(1e-7), "1e-7");
  EXPECT_EQ(JsNumber(1.5e-7), "1.5e-7");
  EXPECT_EQ(JsNumber(1e21), "1e+21");
  EXPECT_EQ(JsNumber(1e20), "100000000000000000000");
  EXPECT_EQ(JsNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(JsNumber(1.0), "1");
  EXPECT_EQ(JsNumber(-0.0), "0");
  EXPECT_EQ(JsNumber(-2.5), "-2.5");
  EXPECT_EQ(JsNumber(0.1), "0.1");
  EXPECT_EQ(JsNumber(0.000837), "0.000837");
  EXPECT_EQ(JsNumber(5e-324), "5e-324");
  EXPECT_EQ(JsNumber(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(JsNumber(0.1 + 0.2), "0.30000000000000004");
}

TEST(RelayJsJson, CanonicalFormIsJsonStringifyOfJsonParse) {
  EXPECT_EQ(Canonical(R"( { "a" : [1.0, 2e2, -0, 1e400, "\u003c\/b\u00e9"] , "b":null } )"),
            "{\"a\":[1,200,0,null,\"</b\xC3\xA9\"],\"b\":null}");
  EXPECT_EQ(Canonical(R"({"x":"\u0001\n"})"), R"({"x":"\u0001\n"})");
  // Array-index keys first, ascending; a repeated key keeps its first place and last value.
  EXPECT_EQ(Canonical(R"({"b":1,"10":2,"a":3,"2":4,"01":5})"),
            R"({"2":4,"10":2,"b":1,"a":3,"01":5})");
  EXPECT_EQ(Canonical(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
  EXPECT_EQ(Canonical("{\"a\":1} x"), "<invalid>");
  std::string out;
  relay::AppendCanonicalValueOrString(&out, "not json");
  EXPECT_EQ(out, "\"not json\"");
}

// --- the encoder, by hand ---

Usage SomeUsage() {
  Usage u;
  u.input_tokens = 9;
  u.output_tokens = 2;
  return u;
}

TEST(RelayEncoder, WritesTheSpecExample) {
  RelayEncoder encoder("r_5f0c1b9e2d7a4c38", "gpt-4o-mini");
  std::string out;
  encoder.WriteStart(&out);
  const Usage usage = SomeUsage();
  Cost cost;
  cost.total_usd = 0.0000027;
  cost.input_usd = 0.00000135;
  cost.output_usd = 0.00000135;
  cost.source = CostSource::kPriceTable;
  cost.price_date = "2026-01-01";
  std::vector<Event> batch(5);
  batch[0].kind = EventKind::kText;
  batch[0].text = "Hel";
  batch[1].kind = EventKind::kText;
  batch[1].text = "lo \"\n";
  batch[2].kind = EventKind::kUsage;
  batch[2].usage = &usage;
  batch[3].kind = EventKind::kCost;
  batch[3].cost = &cost;
  batch[4].kind = EventKind::kKeepAlive;  // not relayed
  encoder.WriteBatch(batch, &out);
  RelayEncoder::WriteKeepAlive(&out);
  Event done;
  done.kind = EventKind::kDone;
  done.text = "stop";
  encoder.WriteBatch({&done, 1}, &out, R"({"id": "x", "n": 1.0})");
  EXPECT_EQ(
      out,
      "retry: 1000\n\n"
      "id: 0\nevent: start\ndata: "
      "{\"version\":1,\"stream\":\"r_5f0c1b9e2d7a4c38\",\"model\":\"gpt-4o-mini\"}\n\n"
      "id: 1\nevent: text\ndata: {\"text\":\"Hel\",\"index\":0,\"block\":0}\n\n"
      "id: 2\nevent: text\ndata: {\"text\":\"lo \\\"\\n\",\"index\":0,\"block\":0}\n\n"
      "id: 3\nevent: usage\ndata: {\"usage\":{\"promptTokens\":9,\"completionTokens\":2,"
      "\"totalTokens\":11,\"cachedTokens\":null,\"cacheWriteTokens\":null,\"reasoningTokens\":null,"
      "\"estimated\":false},\"cost\":0.0000027,\"costDetails\":{\"totalUsd\":0.0000027,"
      "\"inputUsd\":0.00000135,\"cachedInputUsd\":0,\"cacheWriteUsd\":0,\"outputUsd\":0.00000135,"
      "\"source\":\"price_table\",\"estimated\":false,\"priceDate\":\"2026-01-01\"},"
      "\"costEstimated\":false}\n\n"
      ": keep-alive\n\n"
      "id: 4\nevent: done\ndata: "
      "{\"done\":true,\"finishReason\":\"stop\",\"completion\":{\"id\":\"x\",\"n\":1}}\n\n");
  EXPECT_TRUE(encoder.ended());
  encoder.WriteBatch({&done, 1}, &out);  // nothing after the end
  EXPECT_EQ(encoder.next_id(), 5u);
}

TEST(RelayEncoder, ToolCallsBlocksErrorsAndPartialObjects) {
  RelayEncoder encoder("r_0", "m");
  std::string out;
  std::vector<Event> batch(6);
  batch[0].kind = EventKind::kToolCallStart;
  batch[0].block = 1;
  batch[0].id = "call_1";
  batch[0].name = "f";
  batch[0].part = static_cast<uint8_t>(ToolKind::kServer);
  batch[1].kind = EventKind::kToolCallDelta;
  batch[1].block = 1;
  batch[1].text = "{\"a\":";
  batch[2].kind = EventKind::kPartialObject;
  batch[2].block = 1;
  batch[2].part = static_cast<uint8_t>(PartialSource::kToolArguments);
  batch[2].text = "{\"a\": 1.50}";
  batch[3].kind = EventKind::kToolCallEnd;
  batch[3].block = 1;
  batch[3].id = "call_1";
  batch[3].name = "f";
  batch[3].text = "{\"a\":1.50}";
  batch[3].part = static_cast<uint8_t>(ToolArguments::kValidJson);
  batch[4].kind = EventKind::kBlockStart;
  batch[4].block = 2;
  batch[4].name = "web_search_tool_result";
  batch[4].text = "{\"type\": \"web_search_tool_result\"}";
  batch[5].kind = EventKind::kBlockEnd;
  batch[5].block = 2;
  encoder.WriteBatch(batch, &out);
  Error error{ErrorCode::kRateLimited, "slow down", "rate_limit_error", 429, 2000};
  Event failed;
  failed.kind = EventKind::kError;
  failed.error = &error;
  encoder.WriteBatch({&failed, 1}, &out);
  EXPECT_EQ(out,
            "id: 0\nevent: tool_call_start\ndata: "
            "{\"index\":0,\"toolCall\":{\"index\":1,\"id\":\"call_1\",\"name\":\"f\",\"kind\":"
            "\"server\"}}\n\n"
            "id: 1\nevent: tool_call_delta\ndata: "
            "{\"index\":0,\"toolCall\":{\"index\":1,\"argumentsDelta\":\"{\\\"a\\\":\"},"
            "\"partialObject\":{\"a\":1.5}}\n\n"
            "id: 2\nevent: tool_call_end\ndata: "
            "{\"index\":0,\"toolCall\":{\"index\":1,\"id\":\"call_1\",\"name\":\"f\",\"arguments\":"
            "\"{\\\"a\\\":1.50}\",\"argumentsValid\":true,\"kind\":\"server\"}}\n\n"
            "id: 3\nevent: block_start\ndata: "
            "{\"index\":0,\"block\":2,\"blockType\":\"web_search_tool_result\",\"data\":{\"type\":"
            "\"web_search_tool_result\"}}\n\n"
            "id: 4\nevent: block_end\ndata: "
            "{\"index\":0,\"block\":2,\"blockType\":\"web_search_tool_result\"}\n\n"
            "id: 5\nevent: error\ndata: {\"error\":{\"code\":\"rate_limited\",\"message\":\"slow "
            "down\",\"retryable\":true,\"retryAfterMs\":2000,\"status\":429,\"providerType\":"
            "\"rate_limit_error\"}}\n\n");
}

// --- the decoder, by hand ---

std::string Start(int version = 1) {
  return "retry: 1000\n\nid: 0\nevent: start\ndata: {\"version\":" + std::to_string(version) +
         ",\"stream\":\"r_ab\",\"model\":\"m\"}\n\n";
}
std::string TextEvent(uint64_t id, std::string_view text) {
  return "id: " + std::to_string(id) + "\nevent: text\ndata: {\"text\":\"" + std::string(text) +
         "\",\"index\":0,\"block\":0}\n\n";
}
const std::string kDone = "event: done\ndata: {\"done\":true,\"finishReason\":\"stop\"}\n\n";

std::vector<OwnedEvent> DecodeAll(RelayDecoder& decoder, std::string_view bytes) {
  std::vector<OwnedEvent> events;
  for (const Event& e : decoder.Feed(bytes)) events.push_back(ToOwned(e));
  for (const Event& e : decoder.Finish()) events.push_back(ToOwned(e));
  return events;
}

TEST(RelayDecoder, ReadsAWholeStream) {
  RelayDecoder decoder;
  const auto events = DecodeAll(decoder, Start() + TextEvent(1, "Hi") + ": keep-alive\n\n" +
                                             TextEvent(2, "!") + "id: 3\n" + kDone);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "Hi");
  EXPECT_EQ(events[1].text, "!");
  EXPECT_EQ(events[2].kind, EventKind::kDone);
  EXPECT_EQ(events[2].text, "stop");
  EXPECT_EQ(decoder.end(), RelayEnd::kDone);
  EXPECT_EQ(decoder.stream_id(), "r_ab");
  EXPECT_EQ(decoder.model(), "m");
  EXPECT_EQ(decoder.last_event_id(), 3u);
}

// An error carries what was assembled before the failure, as done carries the completion: the
// client's result and the error's partial come from it.
TEST(RelayCodec, ErrorCarriesTheCompletionSoFar) {
  RelayEncoder encoder("r_ab", "m");
  std::string out;
  encoder.WriteStart(&out);
  Error error{ErrorCode::kTruncated, "cut", "", 0, {}};
  Event failed;
  failed.kind = EventKind::kError;
  failed.error = &error;
  encoder.WriteBatch({&failed, 1}, &out, R"({"text": "Hel", "finished": false})");
  EXPECT_NE(
      out.find("event: error\ndata: {\"error\":{\"code\":\"truncated\",\"message\":\"cut\","
               "\"retryable\":true},\"completion\":{\"text\":\"Hel\",\"finished\":false}}\n\n"),
      std::string::npos)
      << out;
  RelayDecoder decoder;
  const auto events = DecodeAll(decoder, out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kError);
  EXPECT_EQ(decoder.end(), RelayEnd::kError);
  EXPECT_EQ(decoder.completion_json(), R"({"text":"Hel","finished":false})");
}

// A hostile relay's numbers are range-checked before they become ints (UBSan catches the cast).
TEST(RelayDecoder, OutOfRangeStatusAndRetryAfterAreIgnored) {
  RelayDecoder decoder;
  DecodeAll(decoder, Start() +
                         "id: 1\nevent: error\ndata: {\"error\":{\"code\":\"server\",\"message\":"
                         "\"x\",\"status\":1e300,\"retryAfterMs\":-1e300}}\n\n");
  EXPECT_EQ(decoder.end(), RelayEnd::kError);
  EXPECT_EQ(decoder.error().code, ErrorCode::kServer);
  EXPECT_EQ(decoder.error().http_status, 0);
  EXPECT_FALSE(decoder.error().retry_after_ms.has_value());
  RelayDecoder sane;
  DecodeAll(sane, Start() +
                      "id: 1\nevent: error\ndata: {\"error\":{\"code\":\"rate_limited\","
                      "\"message\":\"x\",\"status\":429,\"retryAfterMs\":1500}}\n\n");
  EXPECT_EQ(sane.error().http_status, 429);
  EXPECT_EQ(sane.error().retry_after_ms, 1500);
}

TEST(RelayDecoder, CrLfLineEndsReadTheSame) {
  std::string lf = Start() + TextEvent(1, "a") + "id: 2\n" + kDone;
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  RelayDecoder a;
  RelayDecoder b;
  const auto want = DecodeAll(a, lf);
  const auto got = DecodeAll(b, crlf);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got, want);
  EXPECT_EQ(b.end(), RelayEnd::kDone);
}

void ExpectBroken(const std::string& bytes, ErrorCode code, std::string_view says,
                  RelayDecoderOptions options = {}) {
  RelayDecoder decoder(options);
  const auto events = DecodeAll(decoder, bytes);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, EventKind::kError);
  EXPECT_EQ(decoder.end(), RelayEnd::kBroken);
  EXPECT_EQ(decoder.error().code, code) << decoder.error().message;
  EXPECT_NE(decoder.error().message.find(says), std::string::npos) << decoder.error().message;
}

TEST(RelayDecoder, AGapIsAnError) {
  ExpectBroken(Start() + TextEvent(1, "a") + TextEvent(3, "c"), ErrorCode::kBadFrame, "(a gap)");
}

TEST(RelayDecoder, ADuplicateIsAnError) {
  ExpectBroken(Start() + TextEvent(1, "a") + TextEvent(1, "a"), ErrorCode::kBadFrame, "duplicate");
  // An event without an id inherits the last one (EventSource's rule): a duplicate too.
  ExpectBroken(Start() + TextEvent(1, "a") + kDone, ErrorCode::kBadFrame, "duplicate");
}

TEST(RelayDecoder, AnotherMajorVersionIsRefused) {
  ExpectBroken(Start(2) + TextEvent(1, "a"), ErrorCode::kInvalidRequest, "version 2");
}

TEST(RelayDecoder, TheFirstEventIsStart) {
  ExpectBroken(TextEvent(0, "a"), ErrorCode::kBadFrame, "not start");
}

TEST(RelayDecoder, AnEventOverTheLimitFailsTheStream) {
  RelayDecoderOptions options;
  options.sse_limits.max_event_bytes = 64;
  ExpectBroken(Start() + TextEvent(1, std::string(100, 'x')), ErrorCode::kSseEventTooLarge, "",
               options);
  // Exactly at the limit passes.
  RelayDecoder decoder(options);
  const std::string at_limit = TextEvent(1, std::string(33, 'x'));
  ASSERT_EQ(at_limit.size() - at_limit.find("data: ") - 6 - 2, 64u);
  DecodeAll(decoder, Start() + at_limit + "id: 2\n" + kDone);
  EXPECT_EQ(decoder.end(), RelayEnd::kDone) << decoder.error().message;
}

TEST(RelayDecoder, AStreamCutWithoutItsEndIsTruncated) {
  RelayDecoder decoder;
  const auto events = DecodeAll(decoder, Start() + TextEvent(1, "a") + "id: 2\nevent: te");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, EventKind::kError);
  EXPECT_EQ(decoder.end(), RelayEnd::kCut);
  EXPECT_EQ(decoder.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(decoder.last_event_id(), 1u);
}

TEST(RelayDecoder, DataThatIsNotTheChunkIsAnError) {
  ExpectBroken(Start() + "id: 1\nevent: text\ndata: {\"text\":1}\n\n", ErrorCode::kBadJson, "text");
  ExpectBroken(Start() + "id: 1\nevent: error\ndata: {}\n\n", ErrorCode::kBadJson, "error");
}

TEST(RelayDecoder, ResumeStartsAfterLastEventId) {
  RelayDecoderOptions options;
  options.resume_after = 1;
  RelayDecoder decoder(options);
  const auto events = DecodeAll(decoder, TextEvent(2, "b") + "id: 3\n" + kDone);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(decoder.end(), RelayEnd::kDone);
  ExpectBroken(TextEvent(1, "a"), ErrorCode::kBadFrame, "duplicate", options);
  ExpectBroken(Start(), ErrorCode::kBadFrame, "duplicate", options);
}

TEST(RelayDecoder, UnknownChunkTypesAreSkipped) {
  RelayDecoder decoder;
  const auto events = DecodeAll(decoder, Start() + "id: 1\nevent: hologram\ndata: {\"x\":1}\n\n" +
                                             TextEvent(2, "a") + "id: 3\n" + kDone);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(decoder.end(), RelayEnd::kDone);
}

// --- every fixture, every split ---

std::string GoldenPath(const std::string& file) {
  const std::string name = file.substr(file.find_last_of('/') + 1);
  return std::string(LLMSTREAM_GOLDEN_DIR) + "/relay/" + name.substr(0, name.find_last_of('.')) +
         ".relay";
}

std::vector<OwnedEvent> Decode(std::string_view bytes, const Split& split,
                               RelayDecoderOptions options = {}, RelayEnd* end = nullptr) {
  RelayDecoder decoder(options);
  std::vector<OwnedEvent> events;
  size_t at = 0;
  for (size_t n : split.sizes) {
    for (const Event& e : decoder.Feed(bytes.substr(at, n))) events.push_back(ToOwned(e));
    at += n;
  }
  for (const Event& e : decoder.Finish()) events.push_back(ToOwned(e));
  if (end != nullptr) *end = decoder.end();
  return events;
}

class RelayFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(RelayFixtures, EncodeDecodeInEverySplit) {
  const std::string body = ReadFixture(GetParam());
  const StreamOptions options = RelayFixtureOptions(GetParam());
  const Encoded whole = EncodeFixture(options, body, {"whole", {body.size()}});
  const std::vector<OwnedEvent> want = AsRelayed(whole.events);
  ASSERT_GT(want.size(), 2u);

  // The golden bytes, which the npm package's encoder is held to.
  const std::string golden_path = GoldenPath(GetParam());
  if (std::getenv("LLMSTREAM_UPDATE_RELAY_GOLDEN") != nullptr) {
    std::filesystem::create_directories(std::filesystem::path(golden_path).parent_path());
    std::ofstream(golden_path, std::ios::binary) << whole.bytes;
  }
  EXPECT_EQ(whole.bytes, ReadFile(golden_path))
      << golden_path << " differs (LLMSTREAM_UPDATE_RELAY_GOLDEN=1 rewrites it)";

  for (const Split& split : StandardSplits(body.size())) {
    // The same bytes whatever the reads of the provider's stream were.
    ASSERT_EQ(EncodeFixture(options, body, split).bytes, whole.bytes)
        << "provider split " << split.name;
  }
  for (const Split& split : StandardSplits(whole.bytes.size())) {
    RelayEnd end = RelayEnd::kOpen;
    const std::vector<OwnedEvent> got = Decode(whole.bytes, split, {}, &end);
    ExpectSameEvents(got, want, "relay split " + split.name);
    EXPECT_EQ(end, want.back().kind == EventKind::kDone ? RelayEnd::kDone : RelayEnd::kError);
  }
}

// A resume (Last-Event-ID: k) gets the events after k, and only those.
TEST_P(RelayFixtures, ResumeGivesTheTailExactly) {
  const std::string body = ReadFixture(GetParam());
  const Encoded whole =
      EncodeFixture(RelayFixtureOptions(GetParam()), body, {"whole", {body.size()}});
  const std::vector<OwnedEvent> all = Decode(whole.bytes, {"whole", {whole.bytes.size()}});
  // Where each event starts (its "id:" line) and how many decoded events come before it: one
  // decoder fed up to each start in turn.
  std::vector<size_t> offsets;
  std::vector<size_t> before;
  RelayDecoder counter;
  size_t decoded = 0;
  size_t fed = 0;
  for (size_t at = whole.bytes.find("\nid: "); at != std::string::npos;
       at = whole.bytes.find("\nid: ", at + 1)) {
    decoded += counter.Feed(std::string_view(whole.bytes).substr(fed, at + 1 - fed)).size();
    fed = at + 1;
    offsets.push_back(fed);
    before.push_back(decoded);
  }
  ASSERT_GT(offsets.size(), 2u);
  // offsets[k] is event k's (event 0, start, follows the retry line). At most ~40 resumes per
  // fixture, the last events always among them.
  const size_t step = std::max<size_t>(1, offsets.size() / 40);
  for (size_t k = offsets.size() - 2;; k = k >= step ? k - step : 0) {
    RelayDecoderOptions options;
    options.resume_after = k;
    const std::string tail = whole.bytes.substr(offsets[k + 1]);
    RelayEnd end = RelayEnd::kOpen;
    const std::vector<OwnedEvent> got = Decode(tail, {"whole", {tail.size()}}, options, &end);
    const std::vector<OwnedEvent> want(all.begin() + static_cast<long>(before[k + 1]), all.end());
    ASSERT_FALSE(want.empty());
    ExpectSameEvents(got, want, "resume after " + std::to_string(k));
    EXPECT_NE(end, RelayEnd::kBroken) << "resume after " << k;
    if (k == 0) break;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, RelayFixtures, ::testing::ValuesIn(AllFixtures()),
                         FixtureTestName);

}  // namespace
}  // namespace llmstream::testing
