// The non-SSE framings (llmstream/framing.h, core/src/framing/): NDJSON, AWS event-stream and the
// streamed JSON array. Oracles: (1) split invariance: every split of a body gives the payloads of
// the whole body; (2) a whole-buffer reference framer (tests/support/reference_framing.cpp);
// (3) facts read from the fixtures with other tools (python's zlib/struct/json: counts, first
// and last payloads); (4) hand-built bodies for every rule.
#include "llmstream/framing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "framing/crc32.h"
#include "framing/framer.h"
#include "framing/json_array_framer.h"
#include "llmstream/stream.h"
#include "support/fixtures.h"
#include "support/reference_framing.h"

namespace llmstream {
namespace {

using testing::EncodeEventStream;
using testing::EsHeader;
using testing::EventStreamEvent;
using testing::RefPayload;
using testing::RefResult;
using testing::Split;

constexpr size_t kDefaultMax = FramingLimits{}.max_frame_bytes;

class Recorder final : public SseSink {
 public:
  void OnEvent(const SseEvent& event) override {
    result.payloads.push_back(
        {std::string(event.type), std::string(event.data), std::string(event.id)});
    borrowed.push_back(input.data() <= event.data.data() &&
                       event.data.data() + event.data.size() <= input.data() + input.size());
  }
  RefResult result;
  std::vector<bool> borrowed;  // the payload's data was a view into the current read
  std::string_view input;
};

RefResult Frame(Framing framing, std::string_view body, const std::vector<size_t>& sizes,
                size_t max = kDefaultMax, std::vector<bool>* borrowed = nullptr) {
  Recorder sink;
  auto framer = framing::MakeFramer(framing, &sink, {.max_frame_bytes = max});
  size_t at = 0;
  for (const size_t n : sizes) {
    sink.input = body.substr(at, n);
    if (!framer->Feed(sink.input)) break;
    at += n;
  }
  sink.input = {};
  if (!framer->failed()) {
    const framing::FramingEnd end = framer->Finish();
    sink.result.truncated = end.partial_payload || end.unclosed;
  }
  sink.result.failed = framer->failed();
  if (borrowed) *borrowed = sink.borrowed;
  return sink.result;
}

RefResult Whole(Framing framing, std::string_view body, size_t max = kDefaultMax) {
  return Frame(framing, body, {body.size()}, max);
}

std::string Describe(const RefResult& r) {
  std::string out = std::to_string(r.payloads.size()) + " payloads" + (r.failed ? ", failed" : "") +
                    (r.truncated ? ", truncated" : "");
  for (size_t i = 0; i < r.payloads.size() && i < 6; ++i) {
    out += "\n  [" + r.payloads[i].id + "] " + r.payloads[i].type + " " +
           r.payloads[i].data.substr(0, 60);
  }
  return out;
}

void ExpectSame(const RefResult& got, const RefResult& want, const std::string& label) {
  EXPECT_EQ(got.failed, want.failed) << label;
  EXPECT_EQ(got.truncated, want.truncated) << label;
  ASSERT_EQ(got.payloads.size(), want.payloads.size())
      << label << "\n got: " << Describe(got) << "\nwant: " << Describe(want);
  for (size_t i = 0; i < got.payloads.size(); ++i) {
    ASSERT_EQ(got.payloads[i], want.payloads[i]) << label << " payload " << i;
  }
}

std::vector<Split> Splits(std::string_view body, const std::vector<size_t>& boundaries) {
  std::vector<Split> splits = testing::StandardSplits(body.size());
  std::mt19937 rng(14);
  for (size_t pieces = 2; pieces <= 12; ++pieces) {
    std::vector<size_t> cuts;
    for (size_t k = 1; k < pieces; ++k) cuts.push_back(rng() % (body.size() + 1));
    cuts.push_back(0);
    cuts.push_back(body.size());
    std::sort(cuts.begin(), cuts.end());
    Split split{"pieces-" + std::to_string(pieces), {}};
    for (size_t k = 1; k < cuts.size(); ++k) split.sizes.push_back(cuts[k] - cuts[k - 1]);
    splits.push_back(std::move(split));
  }
  // Two reads cut at every payload boundary and one byte either side of it.
  for (const size_t b : boundaries) {
    for (const size_t cut : {b - 1, b, b + 1}) {
      if (b == 0 || cut > body.size()) continue;
      splits.push_back({"cut-" + std::to_string(cut), {cut, body.size() - cut}});
    }
  }
  return splits;
}

// Every split gives the whole body's payloads, which equal the reference's.
void CheckSplitsAndReference(Framing framing, std::string_view body,
                             const std::vector<size_t>& boundaries, size_t max = kDefaultMax) {
  const RefResult whole = Whole(framing, body, max);
  ExpectSame(whole, testing::ReferenceFrame(framing, body, max), "whole vs reference");
  for (const Split& split : Splits(body, boundaries)) {
    ExpectSame(Frame(framing, body, split.sizes, max), whole, split.name);
  }
}

std::string MoreProviders(std::string_view name) {
  return testing::ReadFile(testing::FixturesDir() + "/more-providers/" + std::string(name));
}

// ---- CRC ---------------------------------------------------------------------------------------

TEST(FramingCrc32, CheckValueAndContinuation) {
  EXPECT_EQ(framing::Crc32(0, "123456789"), 0xCBF43926u);  // the catalogue's check value
  EXPECT_EQ(framing::Crc32(0, ""), 0u);
  EXPECT_EQ(framing::Crc32(framing::Crc32(0, "1234"), "56789"), 0xCBF43926u);
  EXPECT_EQ(framing::Crc32Portable(0, "123456789"), 0xCBF43926u);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(framing::Crc32(0, all), testing::BitwiseCrc32(all));
}

// The folding path (x86-64 with PCLMULQDQ) takes 64 bytes and more, in 16-byte blocks, and
// leaves the rest to the table: every length across those thresholds, at every misalignment of
// the start, against the bitwise definition.
TEST(FramingCrc32, EveryLengthAndAlignmentMatchesTheBitwiseCrc) {
  std::string bytes(300 + 16, '\0');
  uint32_t state = 12345;
  for (char& b : bytes) {
    state = state * 1103515245u + 12345u;
    b = static_cast<char>(state >> 23);
  }
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t size = 0; size <= 300; ++size) {
      const std::string_view slice(bytes.data() + offset, size);
      const uint32_t expected = testing::BitwiseCrc32(slice);
      ASSERT_EQ(framing::Crc32(0, slice), expected) << "size " << size << " offset " << offset;
      ASSERT_EQ(framing::Crc32Portable(0, slice), expected) << "size " << size;
    }
  }
  for (const char fill : {'\0', '\xFF'}) {
    const std::string same(257, fill);
    EXPECT_EQ(framing::Crc32(0, same), testing::BitwiseCrc32(same)) << int{fill};
  }
}

TEST(FramingCrc32, ContinuesAcrossEverySplit) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>(i * 7 + (i >> 3)));
  const uint32_t whole = testing::BitwiseCrc32(bytes);
  const std::string_view view(bytes);
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    ASSERT_EQ(framing::Crc32(framing::Crc32(0, view.substr(0, cut)), view.substr(cut)), whole)
        << "cut " << cut;
    ASSERT_EQ(framing::Crc32Portable(framing::Crc32(0, view.substr(0, cut)), view.substr(cut)),
              whole)
        << "cut " << cut;
  }
}

// A single flipped bit anywhere changes the CRC (CRC-32 detects every 1-bit error).
TEST(FramingCrc32, EveryFlippedBitChangesTheCrc) {
  std::string bytes(200, 'a');
  const uint32_t clean = framing::Crc32(0, bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
      ASSERT_NE(framing::Crc32(0, bytes), clean) << "byte " << i << " bit " << bit;
      bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
    }
  }
}

TEST(FramingNames, Stable) {
  EXPECT_EQ(FramingName(Framing::kSse), "sse");
  EXPECT_EQ(FramingName(Framing::kNdjson), "ndjson");
  EXPECT_EQ(FramingName(Framing::kAwsEventStream), "aws-eventstream");
  EXPECT_EQ(FramingName(Framing::kJsonArray), "json-array");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kBadFrame), "bad_frame");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kFrameTooLarge), "frame_too_large");
  EXPECT_TRUE(IsRetryable(ErrorCode::kBadFrame));
  EXPECT_FALSE(IsRetryable(ErrorCode::kFrameTooLarge));
  EXPECT_EQ(framing::MakeFramer(Framing::kSse, nullptr, {}), nullptr);
}

// ---- the fixtures ------------------------------------------------------------------------------

struct FixtureFacts {
  const char* file;
  Framing framing;
  size_t count;
  const char* first_type;
  const char* first_prefix;  // the first payload starts with this
  const char* last_type;
  const char* last_suffix;  // the last payload ends with this
};

// Read with python (json, struct, zlib.crc32), not with the code under test.
const FixtureFacts kFacts[] = {
    {"ollama-chat-done-reason-length.ndjson", Framing::kNdjson, 65, "message",
     R"({"model":"qwen3:4b","created_at":"2026-08-17T08:22:52.061545Z","message":{"role")",
     "message", R"("eval_count":64,"eval_duration":810829670})"},
    {"ollama-chat-thinking-tool-call.ndjson", Framing::kNdjson, 548, "message",
     R"({"model":"qwen3:4b","created_at":"2026-08-05T08:11:04.351521Z","message":{"role")",
     "message", R"("eval_count":575,"eval_duration":8732379668})"},
    {"bedrock-claude-reasoning-signature.eventstream", Framing::kAwsEventStream, 25, "messageStart",
     R"({"p":"abcdefghijklmnopqrstuvwxyzAB","role":"assistant"})", "metadata",
     R"("usage":{"inputTokens":36,"outputTokens":73,"totalTokens":109}})"},
    {"bedrock-nova-two-tool-uses.eventstream", Framing::kAwsEventStream, 58, "messageStart",
     R"({"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJK","role":"assistant"})", "metadata",
     R"("usage":{"inputTokens":523,"outputTokens":72,"serverToolUsage":{},"totalTokens":595}})"},
    {"gemini-json-array-thought-function-call.json", Framing::kJsonArray, 2, "message",
     "{\n  \"candidates\": [\n", "message", "\"responseId\": \"OYpyaqycKd2V_uMP65TsgA0\"\n}"},
};

TEST(FramingFixtures, EveryNonSseFixtureHasItsFacts) {
  std::set<std::string> covered;
  for (const FixtureFacts& f : kFacts) covered.insert(f.file);
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::FixturesDir() + "/more-providers")) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".ndjson" || ext == ".eventstream" ||
        (ext == ".json" && entry.path().filename() != "expected.json")) {
      EXPECT_TRUE(covered.count(entry.path().filename().string())) << entry.path();
    }
  }
  EXPECT_EQ(covered.size(), 5u);
}

TEST(FramingFixtures, FactsSplitsAndReference) {
  for (const FixtureFacts& f : kFacts) {
    SCOPED_TRACE(f.file);
    const std::string body = MoreProviders(f.file);
    ASSERT_FALSE(body.empty());
    const RefResult whole = Whole(f.framing, body);
    EXPECT_FALSE(whole.failed);
    EXPECT_FALSE(whole.truncated);
    ASSERT_EQ(whole.payloads.size(), f.count);
    EXPECT_EQ(whole.payloads.front().type, f.first_type);
    EXPECT_TRUE(whole.payloads.front().data.starts_with(f.first_prefix))
        << whole.payloads.front().data.substr(0, 100);
    EXPECT_EQ(whole.payloads.back().type, f.last_type);
    EXPECT_TRUE(whole.payloads.back().data.ends_with(f.last_suffix))
        << whole.payloads.back().data.substr(whole.payloads.back().data.size() - 100);
    for (const RefPayload& p : whole.payloads) {
      EXPECT_EQ(p.id, f.framing == Framing::kAwsEventStream ? "event" : "");
    }
    // Payload boundaries in the body: where each payload's bytes start and end.
    std::vector<size_t> boundaries;
    size_t from = 0;
    for (const RefPayload& p : whole.payloads) {
      const size_t at = body.find(p.data, from);
      if (at == std::string::npos) continue;  // (event-stream payloads are found too)
      boundaries.push_back(at);
      boundaries.push_back(at + p.data.size());
      from = at + p.data.size();
    }
    CheckSplitsAndReference(f.framing, body, boundaries);
  }
}

// ---- NDJSON ------------------------------------------------------------------------------------

std::vector<std::string> Data(const RefResult& r) {
  std::vector<std::string> out;
  for (const RefPayload& p : r.payloads) out.push_back(p.data);
  return out;
}

TEST(Ndjson, CrLfBlankLinesAndNoFinalLf) {
  const std::string body = "{\"a\":1}\r\n\n   \r\n{\"b\":2}\n\t\n{\"c\":\r3}\r\n{\"d\":4}";
  const RefResult r = Whole(Framing::kNdjson, body);
  EXPECT_EQ(Data(r),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":\r3}", "{\"d\":4}"}));
  EXPECT_FALSE(r.truncated);
  CheckSplitsAndReference(Framing::kNdjson, body, {});
}

TEST(Ndjson, AnIncompleteLastLineIsTruncationNotAPayload) {
  for (const std::string& body :
       std::vector<std::string>{"{\"a\":1}\n{\"b\":", "{\"a\":1}\n{\"b\":2}}", "{\"a\":1}\n[1,"}) {
    const RefResult r = Whole(Framing::kNdjson, body);
    EXPECT_EQ(Data(r), std::vector<std::string>{"{\"a\":1}"}) << body;
    EXPECT_TRUE(r.truncated) << body;
    EXPECT_FALSE(r.failed) << body;
    CheckSplitsAndReference(Framing::kNdjson, body, {});
  }
  // A blank unterminated tail is nothing, not truncation.
  EXPECT_FALSE(Whole(Framing::kNdjson, "{}\n  \r").truncated);
}

TEST(Ndjson, LineLimitIsExactAndACrDoesNotCount) {
  const std::string line(20, 'x');  // not JSON: the framer does not care
  EXPECT_EQ(Data(Whole(Framing::kNdjson, line + "\n", 20)), std::vector<std::string>{line});
  EXPECT_EQ(Data(Whole(Framing::kNdjson, line + "\r\n", 20)), std::vector<std::string>{line});
  for (const std::string& body :
       std::vector<std::string>{line + "y\n", line + "y\r\n", "{}\n" + line + "y"}) {
    const RefResult r = Whole(Framing::kNdjson, body, 20);
    EXPECT_TRUE(r.failed) << body;
    CheckSplitsAndReference(Framing::kNdjson, body, {}, 20);
  }
  // Past the cap the error comes as soon as the held bytes pass it, not at the line's end.
  Recorder sink;
  auto framer = framing::MakeFramer(Framing::kNdjson, &sink, {.max_frame_bytes = 20});
  EXPECT_TRUE(framer->Feed(std::string(21, 'x')));  // may still be 20 + CR
  EXPECT_FALSE(framer->Feed("x"));
  EXPECT_EQ(framer->error().code, ErrorCode::kFrameTooLarge);
  EXPECT_FALSE(framer->Feed("\n"));  // ignored after a failure
  EXPECT_TRUE(sink.result.payloads.empty());
}

TEST(Ndjson, InvalidUtf8IsRepairedLikeSse) {
  const RefResult r = Whole(Framing::kNdjson, "{\"t\":\"a\xff\"}\n");
  EXPECT_EQ(Data(r), std::vector<std::string>{"{\"t\":\"a\xEF\xBF\xBD\"}"});
}

TEST(Ndjson, ALineInsideOneReadIsNotCopied) {
  std::vector<bool> borrowed;
  Frame(Framing::kNdjson, "{\"a\":1}\n{\"b\":2}\n", {12, 4}, kDefaultMax, &borrowed);
  EXPECT_EQ(borrowed, (std::vector<bool>{true, false}));
}

// ---- AWS event-stream --------------------------------------------------------------------------

TEST(EventStream, EveryHeaderTypeIsSkippedAndTheKnownOnesRead) {
  const std::string message = EncodeEventStream({{"t", 0, ""},
                                                 {"f", 1, ""},
                                                 {"b", 2, "\x7f"},
                                                 {"s", 3, std::string("\x01\x02", 2)},
                                                 {"i", 4, std::string("\0\0\0\x05", 4)},
                                                 {"l", 5, std::string(8, '\x09')},
                                                 {"bytes", 6, std::string("\0\x01\x02", 3)},
                                                 {":event-type", 7, "contentBlockDelta"},
                                                 {"ts", 8, std::string(8, '\x01')},
                                                 {"uuid", 9, std::string(16, '\xAB')},
                                                 {":message-type", 7, "event"},
                                                 {":exception-type", 6, "not a string: ignored"}},
                                                R"({"delta":{"text":"hi"}})");
  const RefResult r = Whole(Framing::kAwsEventStream, message);
  ASSERT_EQ(r.payloads.size(), 1u);
  EXPECT_EQ(r.payloads[0],
            (RefPayload{"contentBlockDelta", R"({"delta":{"text":"hi"}})", "event"}));
  CheckSplitsAndReference(Framing::kAwsEventStream, message + message, {message.size()});
}

TEST(EventStream, ExceptionsAndErrorsReachTheDialect) {
  const std::string body = EventStreamEvent("messageStart", R"({"role":"assistant"})") +
                           EncodeEventStream({{":message-type", 7, "exception"},
                                              {":exception-type", 7, "throttlingException"},
                                              {":content-type", 7, "application/json"}},
                                             R"({"message":"Too many requests"})") +
                           EncodeEventStream({{":message-type", 7, "error"},
                                              {":error-code", 7, "InternalFailure"},
                                              {":error-message", 7, "An internal error occurred"}},
                                             "") +
                           EncodeEventStream({}, "no headers");
  const RefResult r = Whole(Framing::kAwsEventStream, body);
  ASSERT_EQ(r.payloads.size(), 4u);
  EXPECT_EQ(r.payloads[1],
            (RefPayload{"throttlingException", R"({"message":"Too many requests"})", "exception"}));
  EXPECT_EQ(r.payloads[2], (RefPayload{"InternalFailure", "An internal error occurred", "error"}));
  EXPECT_EQ(r.payloads[3], (RefPayload{"", "no headers", ""}));
  CheckSplitsAndReference(Framing::kAwsEventStream, body, {});
}

// Flips one byte of the second message of a good body and expects kBadFrame after the first.
void ExpectBadFrame(const std::string& broken, const std::string& label) {
  const RefResult r = Whole(Framing::kAwsEventStream, broken);
  EXPECT_TRUE(r.failed) << label;
  EXPECT_EQ(r.payloads.size(), 1u) << label;
  Recorder sink;
  auto framer = framing::MakeFramer(Framing::kAwsEventStream, &sink, {});
  framer->Feed(broken);
  EXPECT_EQ(framer->error().code, ErrorCode::kBadFrame) << label << framer->error().message;
  CheckSplitsAndReference(Framing::kAwsEventStream, broken, {});
}

TEST(EventStream, BothCrcsAreChecked) {
  const std::string first = EventStreamEvent("messageStart", "{}");
  const std::string second = EventStreamEvent("contentBlockDelta", R"({"delta":{"text":"x"}})");
  ASSERT_TRUE(!Whole(Framing::kAwsEventStream, first + second).failed);
  for (const size_t at : {size_t{8}, size_t{11}}) {  // the prelude CRC itself
    std::string broken = first + second;
    broken[first.size() + at] ^= 0x01;
    ExpectBadFrame(broken, "prelude crc byte " + std::to_string(at));
  }
  {
    std::string broken = first + second;
    broken[first.size() + 5] ^= 0x01;  // the headers length: the prelude CRC catches it
    ExpectBadFrame(broken, "headers length");
  }
  for (const size_t from_end : {size_t{1}, size_t{4}, size_t{6}}) {  // CRC, CRC, payload
    std::string broken = first + second;
    broken[broken.size() - from_end] ^= 0x20;
    ExpectBadFrame(broken, "message byte -" + std::to_string(from_end));
  }
}

// Every byte of a message long enough for the folding CRC, flipped, ends the stream after the
// message before it, whole or split where the held-message path takes over.
TEST(EventStream, EveryCorruptedByteOfALongMessageIsABadFrame) {
  const std::string first = EventStreamEvent("messageStart", "{}");
  const std::string second =
      EventStreamEvent("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":")" +
                                                std::string(150, 'w') + R"("}})");
  ASSERT_GT(second.size(), 200u);
  const std::string good = first + second;
  ASSERT_EQ(Whole(Framing::kAwsEventStream, good).payloads.size(), 2u);
  for (size_t i = first.size(); i < good.size(); ++i) {
    for (const char flip : {'\x01', '\x80'}) {
      std::string broken = good;
      broken[i] ^= flip;
      const std::string label = "byte " + std::to_string(i) + " ^ " + std::to_string(int{flip});
      for (const std::vector<size_t>& sizes :
           {std::vector<size_t>{broken.size()},
            std::vector<size_t>{first.size() + 5, broken.size() - first.size() - 5},
            std::vector<size_t>{first.size() + 100, broken.size() - first.size() - 100}}) {
        const RefResult r = Frame(Framing::kAwsEventStream, broken, sizes);
        ASSERT_TRUE(r.failed) << label;
        ASSERT_EQ(r.payloads.size(), 1u) << label;
      }
    }
  }
}

// A prelude with a correct CRC around impossible lengths.
std::string Prelude(uint32_t total, uint32_t headers) {
  std::string p;
  for (const uint32_t v : {total, headers}) {
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<char>(v >> s));
  }
  const uint32_t crc = testing::BitwiseCrc32(p);
  for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<char>(crc >> s));
  return p;
}

TEST(EventStream, ImpossibleLengthsAndBadHeadersAreBadFrames) {
  const std::string first = EventStreamEvent("messageStart", "{}");
  ExpectBadFrame(first + Prelude(15, 0) + std::string(40, 'x'), "total < 16");
  ExpectBadFrame(first + Prelude(20, 5) + std::string(40, 'x'), "headers past the message");
  ExpectBadFrame(first + EncodeEventStream({{"x", 10, ""}}, "{}"), "header type 10");
  ExpectBadFrame(first + EncodeEventStream({{"", 7, "v"}}, "{}"), "empty header name");
  // A string header whose length runs past the headers.
  std::string bad_length = EncodeEventStream({{"n", 2, "v"}}, "");  // type byte, 1 byte value
  bad_length[12 + 2] = 7;  // now a string whose u16 length would be read from 1 byte
  // Its CRCs no longer match: re-encode as the reference would, by hand.
  std::string body = Prelude(16 + 4, 4) + bad_length.substr(12, 4);
  const uint32_t crc = testing::BitwiseCrc32(body);
  for (int s = 24; s >= 0; s -= 8) body.push_back(static_cast<char>(crc >> s));
  ExpectBadFrame(first + body, "string length past the headers");
}

// The framer compares each header block with the last one instead of parsing it again: blocks of
// the same size whose bytes differ must still be read for what they say, whatever came before.
TEST(EventStream, HeaderBlocksOfTheSameSizeAreReadForWhatTheySay) {
  const std::string event = EncodeEventStream(
      {{":event-type", 7, "contentBlockDelta"}, {":message-type", 7, "event"}}, "{}");
  // The same size: an error message (its code and message headers absent: both empty).
  const std::string error = EncodeEventStream(
      {{":event-type", 7, "contentBlockDelta"}, {":message-type", 7, "error"}}, "{}");
  const std::string other_type = EncodeEventStream(
      {{":event-type", 7, "contentBlockStop!"}, {":message-type", 7, "event"}}, "{}");
  const std::string body = event + event + other_type + event + error + event;
  const RefResult r = Whole(Framing::kAwsEventStream, body);
  ASSERT_EQ(r.payloads.size(), 6u);
  EXPECT_EQ(r.payloads[1], (RefPayload{"contentBlockDelta", "{}", "event"}));
  EXPECT_EQ(r.payloads[2], (RefPayload{"contentBlockStop!", "{}", "event"}));
  EXPECT_EQ(r.payloads[3], (RefPayload{"contentBlockDelta", "{}", "event"}));
  EXPECT_EQ(r.payloads[4], (RefPayload{"", "", "error"}));
  EXPECT_EQ(r.payloads[5], (RefPayload{"contentBlockDelta", "{}", "event"}));
  CheckSplitsAndReference(Framing::kAwsEventStream, body, {});
  // A block of the same size that no longer parses (a type the spec does not define).
  const std::string good = EncodeEventStream({{":event-type", 7, "abc"}}, "{}");
  const std::string bad = EncodeEventStream({{":event-type", 10,
                                              std::string("\0\x03"
                                                          "abc",
                                                          5)}},
                                            "{}");
  ASSERT_EQ(good.size(), bad.size());
  const RefResult broken = Whole(Framing::kAwsEventStream, good + good + bad + good);
  EXPECT_TRUE(broken.failed);
  EXPECT_EQ(broken.payloads.size(), 2u);
  CheckSplitsAndReference(Framing::kAwsEventStream, good + good + bad + good, {});
}

// A corrupted message after good ones with the very same headers is still refused, at every byte.
TEST(EventStream, ACorruptedMessageAfterIdenticalOnesIsABadFrame) {
  const std::string delta = EventStreamEvent("contentBlockDelta", R"({"delta":{"text":"x"}})");
  const std::string good = delta + delta + delta;
  ASSERT_EQ(Whole(Framing::kAwsEventStream, good).payloads.size(), 3u);
  for (size_t i = 2 * delta.size(); i < good.size(); ++i) {
    std::string broken = good;
    broken[i] ^= 0x04;
    const RefResult r = Whole(Framing::kAwsEventStream, broken);
    ASSERT_TRUE(r.failed) << "byte " << i;
    ASSERT_EQ(r.payloads.size(), 2u) << "byte " << i;
  }
}

TEST(EventStream, TruncatedMessagesAreReportedAtFinish) {
  const std::string body = EventStreamEvent("a", "{}") + EventStreamEvent("b", "{}");
  for (const size_t cut : {size_t{1}, size_t{5}, size_t{12}, body.size() - 1}) {
    const std::string cut_body = body.substr(0, body.size() - cut);
    const RefResult r = Whole(Framing::kAwsEventStream, cut_body);
    EXPECT_TRUE(r.truncated) << cut;
    EXPECT_FALSE(r.failed) << cut;
    CheckSplitsAndReference(Framing::kAwsEventStream, cut_body, {});
  }
}

TEST(EventStream, MessagesPastTheCapFailBeforeTheyAreBuffered) {
  const std::string small = EventStreamEvent("a", "{}");
  const std::string big = EventStreamEvent("b", std::string(200, 'x'));
  const RefResult r = Whole(Framing::kAwsEventStream, small + big, big.size() - 1);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.payloads.size(), 1u);
  EXPECT_FALSE(Whole(Framing::kAwsEventStream, small + big, big.size()).failed);
  CheckSplitsAndReference(Framing::kAwsEventStream, small + big, {}, big.size() - 1);
  Recorder sink;
  auto framer = framing::MakeFramer(Framing::kAwsEventStream, &sink, {.max_frame_bytes = 100});
  EXPECT_FALSE(framer->Feed(big.substr(0, 12)));  // the prelude alone says it is too large
  EXPECT_EQ(framer->error().code, ErrorCode::kFrameTooLarge);
}

TEST(EventStream, AMessageInsideOneReadIsNotCopied) {
  const std::string a = EventStreamEvent("a", "{}");
  std::vector<bool> borrowed;
  Frame(Framing::kAwsEventStream, a + a + a, {a.size() * 2 - 1, a.size() + 1}, kDefaultMax,
        &borrowed);
  EXPECT_EQ(borrowed, (std::vector<bool>{true, false, true}));
}

// ---- streamed JSON array -----------------------------------------------------------------------

TEST(JsonArray, StringsWithBracketsCommasAndEscapedQuotes) {
  const std::string e1 = R"({"a":"]},{[\"","b":[1,[2,{"c":"\\"}]]})";
  const std::string e2 = "[\n  {\"x\": \"\\\\\\\"]\"},\n  []\n]";
  const std::string body = " \r\n[" + e1 + "\n ,\r\n\t" + e2 + "  ,{}\n]\n ";
  const RefResult r = Whole(Framing::kJsonArray, body);
  EXPECT_EQ(Data(r), (std::vector<std::string>{e1, e2, "{}"}));
  EXPECT_FALSE(r.truncated);
  CheckSplitsAndReference(Framing::kJsonArray, body, {});
  EXPECT_TRUE(Whole(Framing::kJsonArray, "[]").payloads.empty());
  EXPECT_FALSE(Whole(Framing::kJsonArray, "[ ]").truncated);
}

// Elements longer than the 64-byte blocks the framer classifies at once, with what changes the
// scan (quotes, escaped quotes and backslashes, brackets inside and outside strings) and what
// the UTF-8 check must still see (valid and invalid non-ASCII bytes) at every position relative
// to a block boundary: the element's start moves one byte at a time through 64 positions, and
// each body is compared with the reference and across splits.
void CheckLongElementsAtEveryBlockOffset();

// Both block classifications where x86-64 has two (AVX2 when the CPU has it, and SSE2).
TEST(JsonArray, LongElementsAtEveryBlockOffset) {
  for (const bool avx2 : {true, false}) {
    SCOPED_TRACE(avx2 ? "AVX2 where the CPU has it" : "SSE2");
    framing::JsonArrayFramer::UseAvx2(avx2);
    CheckLongElementsAtEveryBlockOffset();
  }
  framing::JsonArrayFramer::UseAvx2(true);
}

void CheckLongElementsAtEveryBlockOffset() {
  const std::vector<std::string> ascii = {R"("text": "plain words")",
                                          R"("q": "brackets ] } [ { in a string")",
                                          R"("nest": [[{"a": [1, 2, {"b": "}]"}]}], {}])"};
  const std::vector<std::string> escapes = {
      R"("q": "a \"quoted\" ] } word")", R"("b": "back\\slash")", R"("e": "\\\\")", R"("z": "\\")"};
  const std::string mixed = "\"u\": \"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"";
  const std::string bad = "\"bad\": \"x\xFFy\xC3\"";
  // Blocks without a backslash are the fast path, which also narrows the UTF-8 check to the
  // non-ASCII bytes it saw: an invalid byte that is the element's only non-ASCII byte, last (a
  // lead byte cut short) or first (a lone continuation byte), must still be repaired.
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {},
           {mixed},
           {mixed, bad},
           {"\"cut\": \"ok\xE2\x82\""},
           {"\"lone\": \"\x80ok\""},
           {mixed, bad, escapes[0], escapes[1], escapes[2], escapes[3]},
           {escapes[0], escapes[1], escapes[2], escapes[3]}}) {
    std::vector<std::string> pieces = ascii;
    pieces.insert(pieces.end(), extra.begin(), extra.end());
    for (size_t shift = 0; shift < 64; ++shift) {
      std::string body = "[" + std::string(shift, ' ');
      for (size_t i = 0; i < pieces.size(); ++i) {
        std::string element = "{\n  ";
        for (size_t k = 0; k < pieces.size(); ++k) {
          element += pieces[(i + k) % pieces.size()];
          element += k + 1 < pieces.size() ? ",\n  " : "\n}";
        }
        body += element + (i + 1 < pieces.size() ? ",\r\n" : "\n]");
      }
      const std::string label = "pieces " + std::to_string(pieces.size()) + " ending " +
                                pieces.back().substr(0, 6) + ", shift " + std::to_string(shift);
      const RefResult r = Whole(Framing::kJsonArray, body);
      ASSERT_EQ(r.payloads.size(), pieces.size()) << label;
      ASSERT_FALSE(r.failed || r.truncated) << label;
      ExpectSame(r, testing::ReferenceFrame(Framing::kJsonArray, body, kDefaultMax), label);
      // Reads that end inside every block of the first elements, and the standard splits for a
      // few shifts (they are byte by byte, too).
      for (size_t cut = 1; cut < 200; cut += 7) {
        ExpectSame(Frame(Framing::kJsonArray, body, {cut, body.size() - cut}), r,
                   label + " cut " + std::to_string(cut));
      }
      if (shift % 21 == 0) CheckSplitsAndReference(Framing::kJsonArray, body, {});
    }
  }
}

TEST(JsonArray, TruncationAndBrokenStructure) {
  for (const std::string& body :
       std::vector<std::string>{"", "  ", "[", "[{}", "[{},", "[{\"a\":\"]", "[{}, {\"a\":[1"}) {
    const RefResult r = Whole(Framing::kJsonArray, body);
    EXPECT_TRUE(r.truncated) << body;
    EXPECT_FALSE(r.failed) << body;
    CheckSplitsAndReference(Framing::kJsonArray, body, {});
  }
  for (const std::string body :
       {"{}", "[1]", "[\"a\"]", "[{} {}]", "[{},]", "[,{}]", "[{}]x", "[{}]]", "x[{}]"}) {
    const RefResult r = Whole(Framing::kJsonArray, body);
    EXPECT_TRUE(r.failed) << body;
    Recorder sink;
    auto framer = framing::MakeFramer(Framing::kJsonArray, &sink, {});
    framer->Feed(body);
    EXPECT_EQ(framer->error().code, ErrorCode::kBadFrame) << body;
    CheckSplitsAndReference(Framing::kJsonArray, body, {});
  }
}

TEST(JsonArray, ElementLimitHeldOrNot) {
  const std::string body = "[{\"a\":\"123456\"},{\"a\":\"1234567\"}]";  // 14 and 15 bytes
  const RefResult r = Whole(Framing::kJsonArray, body, 14);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.payloads.size(), 1u);
  CheckSplitsAndReference(Framing::kJsonArray, body, {}, 14);
  EXPECT_FALSE(Whole(Framing::kJsonArray, body, 15).failed);
}

TEST(JsonArray, AnElementInsideOneReadIsNotCopied) {
  std::vector<bool> borrowed;
  Frame(Framing::kJsonArray, "[{\"a\":1},{\"b\":2}]", {11, 6}, kDefaultMax, &borrowed);
  EXPECT_EQ(borrowed, (std::vector<bool>{true, false}));
}

// Work is linear: 1-byte reads of a 1 MiB element would take minutes if each read rescanned the
// held bytes (a quadratic rescan of 2^20 bytes is ~5e11 steps).
TEST(JsonArray, ByteByByteIsLinear) {
  std::string body = "[{\"s\":\"";
  body += std::string(1 << 20, 'a');
  body += "\"}]";
  Recorder sink;
  auto framer = framing::MakeFramer(Framing::kJsonArray, &sink, {});
  for (const char c : body) framer->Feed(std::string_view(&c, 1));
  EXPECT_EQ(sink.result.payloads.size(), 1u);
}

// ---- through a Stream --------------------------------------------------------------------------

std::vector<std::string> RawEvents(Framing framing, std::string_view body, size_t read,
                                   std::string* last_error) {
  StreamOptions options;
  options.framing = framing;
  options.raw_events = true;
  Stream stream(options);
  std::vector<std::string> raw;
  auto take = [&](std::span<const Event> events) {
    for (const Event& e : events) {
      if (e.kind == EventKind::kRaw) raw.push_back(std::string(e.name) + "|" + std::string(e.text));
      if (e.kind == EventKind::kError) *last_error = std::string(ErrorCodeName(e.error->code));
    }
  };
  for (size_t at = 0; at < body.size(); at += read) take(stream.Feed(body.substr(at, read), 0));
  take(stream.Finish(1));
  EXPECT_EQ(stream.bytes_fed(), body.size());
  return raw;
}

TEST(FramingStream, TheStreamHandsTheFramersPayloadsToTheDialect) {
  const std::string body = EventStreamEvent("messageStart", R"({"role":"assistant"})") +
                           EventStreamEvent("messageStop", R"({"stopReason":"end_turn"})");
  for (const size_t read : {size_t{1}, size_t{7}, body.size()}) {
    std::string error;
    EXPECT_EQ(RawEvents(Framing::kAwsEventStream, body, read, &error),
              (std::vector<std::string>{R"(messageStart|{"role":"assistant"})",
                                        R"(messageStop|{"stopReason":"end_turn"})"}));
    EXPECT_EQ(error, "truncated");  // no dialect reads Bedrock yet: no terminal signal
  }
  std::string error;
  EXPECT_EQ(RawEvents(Framing::kNdjson, "{\"a\":1}\n{\"b\":2}", 3, &error),
            (std::vector<std::string>{"message|{\"a\":1}", "message|{\"b\":2}"}));
  std::string broken = body;
  broken[broken.size() - 1] ^= 1;
  RawEvents(Framing::kAwsEventStream, broken, 5, &error);
  EXPECT_EQ(error, "bad_frame");
  RawEvents(Framing::kJsonArray, "[{}] x", 5, &error);
  EXPECT_EQ(error, "bad_frame");
}

TEST(FramingStream, ResetStartsANewBody) {
  StreamOptions options;
  options.framing = Framing::kJsonArray;
  options.raw_events = true;
  Stream stream(options);
  stream.Feed("[{\"a\":", 0);
  stream.Reset();
  size_t raw = 0;
  for (const Event& e : stream.Feed("[{\"b\":1}]", 0)) raw += e.kind == EventKind::kRaw;
  EXPECT_EQ(raw, 1u);
  EXPECT_EQ(stream.bytes_fed(), 9u);
}

}  // namespace
}  // namespace llmstream
