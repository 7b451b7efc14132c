#include "llmstream/sse_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/reference_sse.h"

namespace llmstream {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

std::string Escape(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

using Record = testing::SseRecord;

struct Outcome {
  std::vector<Record> events;
  std::vector<std::string> comments;
  std::string last_event_id;
  std::optional<int64_t> retry;
  bool partial_line = false;
  bool pending_event = false;
  ErrorCode error = ErrorCode::kNone;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "events[" << o.events.size() << "]:";
  for (const Record& r : o.events) os << "\n    " << r;
  os << "\n  comments[" << o.comments.size() << "]";
  os << "\n  last_event_id:\"" << Escape(o.last_event_id) << "\" retry:";
  if (o.retry) {
    os << *o.retry;
  } else {
    os << "null";
  }
  return os << " partial_line:" << o.partial_line << " pending_event:" << o.pending_event
            << " error:" << static_cast<int>(o.error);
}

class RecordingSink : public SseSink {
 public:
  void OnEvent(const SseEvent& event) override {
    events.push_back({std::string(event.type), std::string(event.data), std::string(event.id),
                      parser != nullptr ? parser->retry_ms() : std::nullopt});
  }
  void OnComment(std::string_view text) override { comments.emplace_back(text); }
  void OnRetry(int64_t ms) override { retries.push_back(ms); }

  const SseParser* parser = nullptr;
  std::vector<Record> events;
  std::vector<std::string> comments;
  std::vector<int64_t> retries;
};

// How ParseViews hands a read over.
enum class FeedMode {
  kFeed,            // Feed(read)
  kUntilEachEvent,  // FeedUntilEvent on what is left of the read, until nothing is
};

// Feeds each read from its own heap buffer and scribbles over it after Feed returns, so a view
// the parser kept into the caller's bytes shows up as corrupted output (or an ASan report).
Outcome ParseViews(const std::vector<std::string_view>& reads, SseLimits limits = {},
                   FeedMode mode = FeedMode::kFeed) {
  RecordingSink sink;
  SseParser parser(&sink, limits);
  sink.parser = &parser;
  uint64_t fed = 0;
  for (const std::string_view read : reads) {
    std::string buffer(read);
    if (mode == FeedMode::kFeed) {
      parser.Feed(buffer);
    } else {
      std::string_view rest = buffer;
      while (!rest.empty()) {
        const size_t before = sink.events.size();
        const size_t used = parser.FeedUntilEvent(rest);
        EXPECT_LE(used, rest.size());
        if (used < rest.size()) {
          // It stopped early: right after an event, with nothing pending.
          EXPECT_EQ(sink.events.size(), before + 1);
          EXPECT_TRUE(parser.between_events());
          EXPECT_GT(used, 0u);
        }
        rest.remove_prefix(used);
      }
    }
    if (!parser.failed()) fed += read.size();
    std::memset(buffer.data(), 0xAA, buffer.size());
  }
  EXPECT_EQ(parser.bytes_fed(), parser.failed() ? parser.bytes_fed() : fed);
  const SseEnd end = parser.Finish();
  Outcome outcome;
  outcome.events = std::move(sink.events);
  outcome.comments = std::move(sink.comments);
  outcome.last_event_id = std::string(parser.last_event_id());
  outcome.retry = parser.retry_ms();
  outcome.partial_line = end.partial_line;
  outcome.pending_event = end.pending_event;
  outcome.error = parser.error().code;
  return outcome;
}

Outcome Parse(const std::vector<std::string>& reads, SseLimits limits = {}) {
  return ParseViews(std::vector<std::string_view>(reads.begin(), reads.end()), limits);
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += part;
  return out;
}

// A named way to cut a body into reads.
struct Split {
  std::string name;
  std::vector<std::string> reads;
};

std::vector<std::string> Cut(std::string_view body, const std::vector<size_t>& sizes) {
  std::vector<std::string> reads;
  size_t offset = 0;
  for (const size_t size : sizes) {
    reads.emplace_back(body.substr(offset, size));
    offset += size;
  }
  if (offset < body.size()) reads.emplace_back(body.substr(offset));
  return reads;
}

std::vector<std::string> ByteReads(std::string_view body, bool empty_between) {
  std::vector<std::string> reads;
  if (empty_between) reads.emplace_back();
  for (const char c : body) {
    reads.emplace_back(1, c);
    if (empty_between) reads.emplace_back();
  }
  return reads;
}

// Seeded random read sizes in [min_size, max_size] (0 allowed) covering the body.
std::vector<std::string> RandomReads(std::string_view body, uint32_t seed, size_t min_size,
                                     size_t max_size) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> dist(min_size, max_size);
  std::vector<size_t> sizes;
  size_t total = 0;
  while (total < body.size()) {
    const size_t size = std::min(dist(rng), body.size() - total);
    sizes.push_back(size);
    total += size;
  }
  return Cut(body, sizes);
}

// Every split the conformance cases are checked with, except the 2-read splits (done in a loop
// to avoid materializing them all).
std::vector<Split> SplitsOf(std::string_view body) {
  std::vector<Split> splits;
  splits.push_back({"whole", {std::string(body)}});
  splits.push_back({"bytes", ByteReads(body, false)});
  splits.push_back({"bytes+empty", ByteReads(body, true)});
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    splits.push_back({"random0-9/seed" + std::to_string(seed), RandomReads(body, seed, 0, 9)});
  }
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    splits.push_back(
        {"random1-200/seed" + std::to_string(seed), RandomReads(body, 100 + seed, 1, 200)});
  }
  return splits;
}

std::string FixturesDir() { return LLMSTREAM_FIXTURES_DIR; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Base64Decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The shared conformance corpus: fixtures/sse-cases.json
// ---------------------------------------------------------------------------------------------

struct SseCase {
  std::string name;
  std::vector<std::string> chunks;
  Outcome expected;  // partial_line / pending_event are not in the file: compared across splits
};

void PrintTo(const SseCase& c, std::ostream* os) { *os << c.name; }

std::optional<int64_t> OptionalInt(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  return std::nullopt;
}

std::string StringOr(const json& object, const char* key) {
  if (object.is_object() && object.contains(key) && object[key].is_string()) {
    return object[key].get<std::string>();
  }
  return {};
}

const std::vector<SseCase>& Cases() {
  static const std::vector<SseCase> kCases = [] {
    std::vector<SseCase> out;
    const json doc = json::parse(ReadFile(FixturesDir() + "/sse-cases.json"), nullptr,
                                 /*allow_exceptions=*/false);
    if (!doc.is_array()) return out;
    for (const json& item : doc) {
      SseCase c;
      c.name = StringOr(item, "name");
      if (item.contains("chunks_b64")) {
        for (const json& chunk : item["chunks_b64"]) {
          c.chunks.push_back(Base64Decode(chunk.get<std::string>()));
        }
      } else if (item.contains("chunks")) {
        for (const json& chunk : item["chunks"]) c.chunks.push_back(chunk.get<std::string>());
      }
      if (item.contains("expected")) {
        for (const json& e : item["expected"]) {
          c.expected.events.push_back({StringOr(e, "event"), StringOr(e, "data"), StringOr(e, "id"),
                                       OptionalInt(e["retry"])});
        }
      }
      if (item.contains("end_state")) {
        const json& end = item["end_state"];
        c.expected.last_event_id = StringOr(end, "last_event_id");
        c.expected.retry = OptionalInt(end["retry"]);
      }
      out.push_back(std::move(c));
    }
    return out;
  }();
  return kCases;
}

std::string TestName(const ::testing::TestParamInfo<SseCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// What the case file pins down: events (with retry at dispatch) and the end state.
Outcome Comparable(Outcome outcome) {
  outcome.comments.clear();
  outcome.partial_line = false;
  outcome.pending_event = false;
  return outcome;
}

class SseConformance : public ::testing::TestWithParam<SseCase> {};

TEST_P(SseConformance, SameResultForEverySplit) {
  const SseCase& c = GetParam();
  const Outcome given = Parse(c.chunks);
  ASSERT_EQ(Comparable(given), c.expected) << "case " << c.name << ", reads as given";

  // Every other split must match the given one exactly, comments and Finish() report included.
  const std::string body = Join(c.chunks);
  for (const Split& split : SplitsOf(body)) {
    const Outcome got = Parse(split.reads);
    ASSERT_EQ(got, given) << "case " << c.name << ", split " << split.name;
  }
  for (size_t at = 0; at <= body.size(); ++at) {
    const std::string_view view = body;
    const Outcome got = ParseViews({view.substr(0, at), view.substr(at)});
    ASSERT_EQ(got, given) << "case " << c.name << ", two reads split at " << at;
    // The same reads handed over one event at a time (Stream's template shortcut does that).
    const Outcome by_event =
        ParseViews({view.substr(0, at), view.substr(at)}, {}, FeedMode::kUntilEachEvent);
    ASSERT_EQ(by_event, given) << "case " << c.name << ", FeedUntilEvent, split at " << at;
  }
}

INSTANTIATE_TEST_SUITE_P(SseCases, SseConformance, ::testing::ValuesIn(Cases()), TestName);

TEST(SseCasesFile, HasAllCases) { EXPECT_EQ(Cases().size(), 115u); }

// ---------------------------------------------------------------------------------------------
// Recorded provider streams: fixtures/*.sse
// ---------------------------------------------------------------------------------------------

TEST(SseFixtures, EverySplitGivesTheRecordedEventCount) {
  const json expected = json::parse(ReadFile(FixturesDir() + "/expected.json"), nullptr,
                                    /*allow_exceptions=*/false);
  ASSERT_TRUE(expected.is_object());
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(FixturesDir())) {
    if (entry.path().extension() == ".sse") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 28u);
  for (const std::string& file : files) {
    const std::string body = ReadFile(FixturesDir() + "/" + file);
    const Outcome whole = Parse({body});
    EXPECT_EQ(whole.error, ErrorCode::kNone) << file;
    EXPECT_FALSE(whole.partial_line) << file;
    EXPECT_FALSE(whole.pending_event) << file;
    ASSERT_TRUE(expected.contains(file) && expected[file].contains("sse_events")) << file;
    EXPECT_EQ(whole.events.size(), expected[file]["sse_events"].get<size_t>()) << file;

    std::vector<Split> splits;
    splits.push_back({"bytes", ByteReads(body, false)});
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      splits.push_back({"random1-40/seed" + std::to_string(seed), RandomReads(body, seed, 1, 40)});
      splits.push_back(
          {"random1-16k/seed" + std::to_string(seed), RandomReads(body, seed, 1, 16384)});
    }
    splits.push_back({"random0-3", RandomReads(body, 77, 0, 3)});
    for (const Split& split : splits) {
      EXPECT_EQ(Parse(split.reads), whole) << file << ", split " << split.name;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviour tests
// ---------------------------------------------------------------------------------------------

Record Msg(std::string data, std::string id = "") {
  return {"message", std::move(data), std::move(id), std::nullopt};
}

TEST(SseParser, BomSplitAcrossReadsIsStripped) {
  const Outcome got = Parse({"\xEF", "", "\xBB", "", "\xBF", "data: a\n\n"});
  EXPECT_EQ(got.events, std::vector<Record>{Msg("a")});
}

TEST(SseParser, SecondBomAfterSplitFirstIsAFieldNameCharacter) {
  const Outcome got = Parse({"\xEF\xBB", "\xBF\xEF", "\xBB\xBF", "data: a\n\ndata: b\n\n"});
  EXPECT_EQ(got.events, std::vector<Record>{Msg("b")});
}

TEST(SseParser, BomPrefixFollowedByOtherBytesIsReplaced) {
  // EF BB then 'd': an incomplete sequence (one U+FFFD) glued to the field name -> unknown field.
  EXPECT_EQ(Parse({"\xEF\xBB", "data: a\n\ndata: b\n\n"}).events, std::vector<Record>{Msg("b")});
  // EF then LF: a line holding just U+FFFD, ignored; the next block is fine.
  EXPECT_EQ(Parse({"\xEF", "\ndata: a\n\n"}).events, std::vector<Record>{Msg("a")});
}

TEST(SseParser, UnfinishedBomAtEndIsAPartialLine) {
  const Outcome got = Parse({"\xEF\xBB"});
  EXPECT_TRUE(got.partial_line);
  EXPECT_TRUE(got.events.empty());
}

TEST(SseParser, CrLfSplitWithEmptyReadsIsOneTerminator) {
  const Outcome got = Parse({"data: a\r", "", "", "\n", "", "data: b\r", "", "\n", "\r", "", "\n"});
  EXPECT_EQ(got.events, std::vector<Record>{Msg("a\nb")});
  EXPECT_FALSE(got.pending_event);
}

TEST(SseParser, LoneCrAtEndOfReadEndsTheLineAtOnce) {
  RecordingSink sink;
  SseParser parser(&sink);
  parser.Feed("data: a\n\r");  // the CR completes the blank line: dispatch without waiting
  ASSERT_EQ(sink.events.size(), 1u);
  parser.Feed("\ndata: b\n\n");  // the LF belongs to the CR: no extra blank line
  EXPECT_EQ(sink.events.size(), 2u);
}

TEST(SseParser, InvalidUtf8IsReplacedPerMaximalSubpart) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::string, std::string>> table = {
      {"\xFF", fffd},
      {"a\xFF"
       "b",
       "a" + fffd + "b"},
      {"\xC0\x80", fffd + fffd},
      {"\xED\xA0\x80", fffd + fffd + fffd},
      {"\xE4\xBD", fffd},
      {"\xE4\xBDx", fffd + "x"},
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},
      {"\xF0\x9F\x98", fffd},
      {"\xE0\x80\x80", fffd + fffd + fffd},
      {"\x80\x80", fffd + fffd},
      {"\xC2", fffd},
      {"\xF5\x80", fffd + fffd},
      {"\xC3\xA9\xFF\xE2\x82\xAC", "\xC3\xA9" + fffd + "\xE2\x82\xAC"},
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
      {"\xEF\xBB\xBF", "\xEF\xBB\xBF"},  // a BOM inside a value is kept
  };
  for (const auto& [raw, want] : table) {
    const std::string body = "event: e" + raw + "\nid: i" + raw + "\n:c" + raw + "\ndata: " + raw +
                             "\ndata: " + raw + "\n\n";
    for (const Split& split : SplitsOf(body)) {
      const Outcome got = Parse(split.reads);
      ASSERT_EQ(got.events.size(), 1u) << Escape(raw) << " " << split.name;
      EXPECT_EQ(got.events[0].data, want + "\n" + want) << Escape(raw) << " " << split.name;
      EXPECT_EQ(got.events[0].type, "e" + want) << Escape(raw) << " " << split.name;
      EXPECT_EQ(got.events[0].id, "i" + want) << Escape(raw) << " " << split.name;
      ASSERT_EQ(got.comments.size(), 1u);
      EXPECT_EQ(got.comments[0], "c" + want) << Escape(raw) << " " << split.name;
    }
  }
}

TEST(SseParser, NulSurvivesInDataButInvalidatesId) {
  using namespace std::string_literals;
  const Outcome got = Parse({"id: 1\ndata: a\0b\n\nid: x\0\ndata: c\n\n"s});
  EXPECT_EQ(got.events, (std::vector<Record>{Msg("a\0b"s, "1"), Msg("c", "1")}));
}

TEST(SseParser, LineLimitFailsOnACompleteLine) {
  RecordingSink sink;
  SseParser parser(&sink, {.max_line_bytes = 10, .max_event_bytes = 100});
  EXPECT_TRUE(parser.Feed("data: 1234\n\n"));  // exactly 10 bytes: fine
  EXPECT_FALSE(parser.Feed("data: 12345\n\ndata: x\n\n"));
  EXPECT_EQ(parser.error().code, ErrorCode::kSseLineTooLong);
  EXPECT_NE(parser.error().message.find("10"), std::string::npos) << parser.error().message;
  EXPECT_EQ(sink.events.size(), 1u);
  EXPECT_FALSE(parser.Feed("data: y\n\n"));  // ignored until Reset
  EXPECT_EQ(sink.events.size(), 1u);
}

TEST(SseParser, LineLimitFailsWhileTheLineIsStillIncomplete) {
  SseParser parser(nullptr, {.max_line_bytes = 1000, .max_event_bytes = 100000});
  std::string chunk(100, 'x');
  int accepted = 0;
  while (parser.Feed(chunk) && accepted < 100) ++accepted;
  EXPECT_EQ(accepted, 10);  // the 11th read pushed the unterminated line past 1000 bytes
  EXPECT_EQ(parser.error().code, ErrorCode::kSseLineTooLong);
  EXPECT_NE(parser.error().message.find("1000"), std::string::npos);
}

TEST(SseParser, LineLimitCountsAHeldBackBomPrefix) {
  const SseLimits limits{.max_line_bytes = 1, .max_event_bytes = 100};
  for (const Split& split : SplitsOf("\xEF\xBBX\n")) {
    EXPECT_EQ(Parse(split.reads, limits).error, ErrorCode::kSseLineTooLong) << split.name;
  }
  EXPECT_EQ(Parse({"\xEF\xBB\xBFX\n"}, limits).error, ErrorCode::kNone);  // a BOM is not counted
}

TEST(SseParser, EventLimitCountsJoinedData) {
  const SseLimits limits{.max_line_bytes = 100, .max_event_bytes = 9};
  // "1234\n5678" is 9 bytes: accepted. One more byte is not.
  EXPECT_EQ(Parse({"data: 1234\ndata: 5678\n\n"}, limits).events,
            std::vector<Record>{Msg("1234\n5678")});
  for (const Split& split : SplitsOf("data: x\n\ndata: 1234\ndata: 56789\n\ndata: y\n\n")) {
    const Outcome got = Parse(split.reads, limits);
    EXPECT_EQ(got.error, ErrorCode::kSseEventTooLarge) << split.name;
    EXPECT_EQ(got.events, std::vector<Record>{Msg("x")}) << split.name;
  }
  SseParser parser(nullptr, limits);
  parser.Feed("data: 0123456789\n");
  EXPECT_NE(parser.error().message.find("9 bytes"), std::string::npos) << parser.error().message;
}

TEST(SseParser, FinishReportsWhatWasLost) {
  auto finish = [](std::string_view body) {
    SseParser parser(nullptr);
    parser.Feed(body);
    const SseEnd end = parser.Finish();
    return std::pair(end.partial_line, end.pending_event);
  };
  EXPECT_EQ(finish("data: a\n\n"), std::pair(false, false));
  EXPECT_EQ(finish("data: a\n\r"), std::pair(false, false));
  EXPECT_EQ(finish("data: a\n"), std::pair(false, true));
  EXPECT_EQ(finish("data: a\n\ndata: [DONE]"), std::pair(true, false));
  EXPECT_EQ(finish("data: a\ndata: b"), std::pair(true, true));
  EXPECT_EQ(finish(""), std::pair(false, false));
}

TEST(SseParser, FinishDiscardsAndKeepsCommittedState) {
  RecordingSink sink;
  SseParser parser(&sink);
  parser.Feed("id: 1\nretry: 5\ndata: a\n\nid: 2\ndata: b\n");
  parser.Finish();
  EXPECT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(parser.last_event_id(), "1");
  EXPECT_EQ(parser.retry_ms(), 5);
}

class PointerSink : public SseSink {
 public:
  void OnEvent(const SseEvent& event) override {
    pointers.push_back(event.data.data());
    datas.emplace_back(event.data);
  }
  std::vector<const char*> pointers;
  std::vector<std::string> datas;
};

TEST(SseParser, SingleLineEventDataPointsIntoTheInput) {
  PointerSink sink;
  SseParser parser(&sink);
  const std::string input = "event: x\ndata: {\"a\":1}\n\ndata: two\n\n";
  parser.Feed(input);
  ASSERT_EQ(sink.pointers.size(), 2u);
  EXPECT_EQ(sink.pointers[0], input.data() + input.find('{'));
  EXPECT_EQ(sink.pointers[1], input.data() + input.find("two"));
}

TEST(SseParser, DataLineInALaterReadIsStillZeroCopy) {
  PointerSink sink;
  SseParser parser(&sink);
  parser.Feed("event: x\nid: 1\n");
  const std::string second = "data: y\n\n";
  parser.Feed(second);
  ASSERT_EQ(sink.pointers.size(), 1u);
  EXPECT_EQ(sink.pointers[0], second.data() + 6);
}

TEST(SseParser, DataOutsideTheInputIsCopied) {
  PointerSink sink;
  SseParser parser(&sink);
  const std::string first = "data: a\ndata: b\n\ndata: strad";
  const std::string second = "dle\n\ndata: pending\n";
  const std::string third = "\n";
  parser.Feed(first);
  parser.Feed(second);
  parser.Feed(third);
  ASSERT_EQ(sink.datas, (std::vector<std::string>{"a\nb", "straddle", "pending"}));
  auto inside = [](const char* p, const std::string& s) {
    return p >= s.data() && p <= s.data() + s.size();
  };
  for (const char* p : sink.pointers) {
    EXPECT_FALSE(inside(p, first) || inside(p, second) || inside(p, third));
  }
}

// Long lines that straddle reads are adopted as the event's data (no second copy): the result
// must not depend on it, whatever follows them (a second data line, another long line, a short
// line that now uses the swapped buffer).
TEST(SseParser, LongLinesAcrossReadsGiveTheSameEvents) {
  std::string e_acute;
  for (int i = 0; i < 40000; ++i) e_acute += "\xC3\xA9";
  const std::string body = "data: " + std::string(100000, 'x') + "\ndata: second\n\n" +
                           "event: e\ndata:" + e_acute + "\n\n" + "data: short\n\n" +
                           "data: " + std::string(70000, 'y') + "\n\n";
  const Outcome whole = Parse({body});
  ASSERT_EQ(whole.events.size(), 4u);
  EXPECT_EQ(whole.events[0].data, std::string(100000, 'x') + "\nsecond");
  EXPECT_EQ(whole.events[1].type, "e");
  EXPECT_EQ(whole.events[1].data, e_acute);
  EXPECT_EQ(whole.events[2].data, "short");
  EXPECT_EQ(whole.events[3].data, std::string(70000, 'y'));
  EXPECT_EQ(Parse(ByteReads(body, false)), whole);
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    EXPECT_EQ(Parse(RandomReads(body, seed, 1, 40000)), whole) << seed;
  }
}

TEST(SseParser, ResetStartsANewStream) {
  RecordingSink sink;
  SseParser parser(&sink, {.max_line_bytes = 20, .max_event_bytes = 100});
  parser.Feed("\xEF\xBB\xBFid: 7\nretry: 9\ndata: a\n\ndata: b");
  EXPECT_FALSE(parser.Feed("0123456789012345678901234567890\n"));
  parser.Reset();
  EXPECT_FALSE(parser.error());
  EXPECT_EQ(parser.last_event_id(), "");
  EXPECT_EQ(parser.retry_ms(), std::nullopt);
  EXPECT_EQ(parser.bytes_fed(), 0u);
  EXPECT_TRUE(
      parser.Feed("\xEF\xBB\xBF"
                  "data: c\n\n"));  // a new BOM is stripped again
  EXPECT_EQ(parser.bytes_fed(), 12u);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[1], Msg("c"));
}

TEST(SseParser, CommentsAndRetryReachTheSink) {
  RecordingSink sink;
  SseParser parser(&sink);
  parser.Feed(": OPENROUTER PROCESSING\n\n:\nretry: 3000\nretry: x\n");
  EXPECT_EQ(sink.comments, (std::vector<std::string>{" OPENROUTER PROCESSING", ""}));
  EXPECT_EQ(sink.retries, std::vector<int64_t>{3000});
  EXPECT_TRUE(sink.events.empty());
}

TEST(SseParser, HugeRetryClamps) {
  SseParser parser(nullptr);
  parser.Feed("retry: 9223372036854775807\n");
  EXPECT_EQ(parser.retry_ms(), std::numeric_limits<int64_t>::max());
  parser.Feed("retry: 123456789012345678901234567890\n");
  EXPECT_EQ(parser.retry_ms(), std::numeric_limits<int64_t>::max());
  parser.Feed("retry: 9223372036854775808\nretry: 42\n");
  EXPECT_EQ(parser.retry_ms(), 42);
}

TEST(SseParser, BytesFedCountsEveryRead) {
  SseParser parser(nullptr);
  parser.Feed("data: a\r");
  parser.Feed("");
  parser.Feed("\n\n");
  EXPECT_EQ(parser.bytes_fed(), 10u);
}

// ---------------------------------------------------------------------------------------------
// Differential check against a deliberately naive reference: WHATWG decode to code points first,
// then the section 1.7 character loop. Random inputs are built from tokens that hit the edges.
// ---------------------------------------------------------------------------------------------

TEST(SseParser, MatchesANaiveReferenceOnRandomInput) {
  const std::vector<std::string> tokens = {"data",
                                           "data:",
                                           "data: ",
                                           "event:",
                                           "id:",
                                           "id: ",
                                           "retry:",
                                           "retry: ",
                                           ":",
                                           " ",
                                           "\r",
                                           "\n",
                                           "\r\n",
                                           "\n\n",
                                           "x",
                                           "12",
                                           "\xEF\xBB\xBF",
                                           "\xEF",
                                           "\xBB\xBF",
                                           "\xFF",
                                           "\xE4\xBD",
                                           "\xC0\x80",
                                           "\xED\xA0\x80",
                                           "\xC3\xA9",
                                           "\xF0\x9F\x98\x80",
                                           "\xF0\x9F",
                                           std::string(1, '\0'),
                                           "\xE2\x80\xA8"};
  std::mt19937 rng(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string body;
    const size_t count = rng() % 40;
    for (size_t i = 0; i < count; ++i) body += tokens[rng() % tokens.size()];
    testing::ReferenceSseParser reference;
    reference.Feed(body);
    reference.Finish();
    const Outcome whole = Parse({body});
    ASSERT_EQ(whole.events, reference.events) << "body \"" << Escape(body) << "\"";
    ASSERT_EQ(whole.last_event_id, reference.last_id) << "body \"" << Escape(body) << "\"";
    ASSERT_EQ(whole.retry, reference.retry) << "body \"" << Escape(body) << "\"";
    ASSERT_EQ(Parse(RandomReads(body, round, 0, 5)), whole) << "body \"" << Escape(body) << "\"";
  }
}

// The Stream relies on has_default_type() to skip copying the type: it must say true exactly for
// blocks without an `event` field (or an empty one), whose type views static storage.
TEST(SseParser, DefaultTypeIsFlaggedOnlyWithoutAnEventField) {
  class TypeSink : public SseSink {
   public:
    void OnEvent(const SseEvent& event) override {
      types.emplace_back(event.type, event.has_default_type());
    }
    std::vector<std::pair<std::string, bool>> types;
  } sink;
  SseParser parser(&sink);
  ASSERT_TRUE(
      parser.Feed("data: a\n\nevent: message\ndata: b\n\nevent: ping\ndata: c\n\n"
                  "event:\ndata: d\n\n"));
  EXPECT_EQ(sink.types,
            (std::vector<std::pair<std::string, bool>>{
                {"message", true}, {"message", false}, {"ping", false}, {"message", true}}));
}

}  // namespace
}  // namespace llmstream
