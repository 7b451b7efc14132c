// Tests for the hot-path JSON pieces: Arena, escape helpers and the validating pull Reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "json/arena.h"
#include "json/escape.h"
#include "json/reader.h"
#include "support/fixtures.h"
#include "support/json_walk.h"

namespace llmstream {
namespace {

using json::Arena;
using json::Reader;
using json::ValueType;
using testing::WalkJson;
using testing::WalkOutcome;
using testing::WalkStyle;
using namespace std::string_view_literals;

constexpr WalkStyle kAllStyles[] = {WalkStyle::kGetters, WalkStyle::kRaw, WalkStyle::kProbing};

// Every data payload of every fixture stream (events joined per the SSE rules; [DONE] skipped).
std::vector<std::string> FixturePayloads() {
  std::vector<std::string> payloads;
  for (const std::string& file : testing::FixtureFiles()) {
    std::string body = testing::ReadFixture(file);
    std::string data;
    bool has_data = false;
    size_t at = 0;
    while (at <= body.size()) {
      size_t newline = body.find('\n', at);
      if (newline == std::string::npos) newline = body.size();
      std::string_view line(body.data() + at, newline - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        if (has_data && data != "[DONE]") payloads.push_back(data);
        data.clear();
        has_data = false;
      } else if (line.substr(0, 5) == "data:") {
        std::string_view value = line.substr(5);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (has_data) data += '\n';
        data += value;
        has_data = true;
      }
      at = newline + 1;
    }
    if (has_data && data != "[DONE]") payloads.push_back(data);
  }
  return payloads;
}

// Checks that the Reader (every walk style), a bare Skip and nlohmann agree on `text`.
void ExpectAgreesWithNlohmann(const std::string& text) {
  nlohmann::json expected = nlohmann::json::parse(text, nullptr, false);
  for (WalkStyle style : kAllStyles) {
    testing::WalkResult walked = WalkJson(text, style);
    ASSERT_NE(walked.outcome, WalkOutcome::kTooDeep) << text;
    EXPECT_EQ(walked.outcome == WalkOutcome::kAccepted, !expected.is_discarded())
        << "text: " << text << "\nreader error: " << walked.error << " at " << walked.error_offset;
    if (walked.outcome == WalkOutcome::kAccepted && !expected.is_discarded()) {
      EXPECT_EQ(walked.value, expected) << text;
    }
  }
}

bool Valid(std::string_view text) {
  Arena arena;
  Reader reader(text, &arena);
  return reader.Skip() && reader.Finish();
}

// ------------------------------------------------------------------------------------------
// Arena

TEST(ArenaTest, AllocationsAreDistinctAndStable) {
  Arena arena;
  std::vector<std::pair<char*, size_t>> blocks;
  for (size_t i = 0; i < 3000; ++i) {
    size_t size = (i * 37) % 300;
    char* p = arena.Allocate(size);
    ASSERT_NE(p, nullptr);
    std::memset(p, static_cast<int>(i & 0x7F), size);
    blocks.emplace_back(p, size);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (size_t k = 0; k < blocks[i].second; ++k) {
      ASSERT_EQ(blocks[i].first[k], static_cast<char>(i & 0x7F)) << i;
    }
  }
}

TEST(ArenaTest, ZeroSizeAllocationIsNotNull) {
  Arena arena;
  EXPECT_NE(arena.Allocate(0), nullptr);
  EXPECT_NE(arena.Allocate(0), nullptr);
}

TEST(ArenaTest, CopyKeepsBytesAndSurvivesLaterBlocks) {
  Arena arena;
  std::string_view first = arena.Copy("hello");
  std::string big(100000, 'x');
  std::string_view copied_big = arena.Copy(big);
  for (int i = 0; i < 100; ++i) arena.Copy(std::string(1000, 'y'));
  EXPECT_EQ(first, "hello");
  EXPECT_EQ(copied_big, big);
  EXPECT_TRUE(arena.Copy("").empty());
}

TEST(ArenaTest, BigRequestKeepsCurrentBlockTail) {
  Arena arena;
  char* a = arena.Allocate(10);
  arena.Allocate(Arena::kBlockSize);  // its own block
  char* b = arena.Allocate(10);
  EXPECT_EQ(b, a + 10);  // still bumping through the first block
}

TEST(ArenaTest, ResetKeepsFirstBlockAndDoesNotAllocateInSteadyState) {
  Arena arena;
  arena.Allocate(100);
  size_t reserved = arena.bytes_reserved();
  EXPECT_EQ(reserved, Arena::kBlockSize);
  for (int round = 0; round < 10; ++round) {
    arena.Reset();
    EXPECT_EQ(arena.bytes_used(), 0u);
    for (int i = 0; i < 100; ++i) arena.Copy("some token text");
    EXPECT_EQ(arena.bytes_reserved(), reserved);
  }
}

TEST(ArenaTest, ResetCoalescesABusyBatchIntoOneBlock) {
  Arena arena;
  for (int i = 0; i < 10; ++i) arena.Allocate(3000);  // two regular blocks
  arena.Allocate(50000);                              // plus a dedicated one
  EXPECT_EQ(arena.bytes_used(), 80000u);
  arena.Reset();
  size_t reserved = arena.bytes_reserved();
  EXPECT_GE(reserved, 80000u);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 10; ++i) arena.Allocate(3000);
    arena.Allocate(50000);
    EXPECT_EQ(arena.bytes_reserved(), reserved);  // the same batch fits without allocating
    arena.Reset();
  }
}

// ------------------------------------------------------------------------------------------
// Escape helpers

TEST(JsonEscapeTest, UnescapeWithoutEscapesReturnsTheInput) {
  Arena arena;
  std::string input = "plain text é";
  std::string_view out;
  ASSERT_TRUE(json::Unescape(input, &arena, &out));
  EXPECT_EQ(out.data(), input.data());
  EXPECT_EQ(arena.bytes_used(), 0u);
}

TEST(JsonEscapeTest, UnescapeDecodesEveryEscape) {
  Arena arena;
  std::string_view out;
  ASSERT_TRUE(json::Unescape(R"(a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u20AC\ud83d\ude00\u0000z)",
                             &arena, &out));
  EXPECT_EQ(out,
            "a\"b\\c/d\be\ff\ng\rh\tiA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
            "\0z"sv);
}

TEST(JsonEscapeTest, UnescapeRejectsInvalidBodies) {
  Arena arena;
  std::string_view out = "untouched";
  for (std::string_view bad :
       {R"(\)", R"(\x)", R"(\u12)", R"(\u12G4)", R"(\ud800)", R"(\ud800x)", R"(\ud800\u0041)",
        R"(\ud800\ud800)", R"(\udc00)", R"(\udfff\ud800)", R"(a"b)", "a\nb", "tab\there"}) {
    EXPECT_FALSE(json::Unescape(bad, &arena, &out)) << bad;
  }
  EXPECT_EQ(out, "untouched");
  EXPECT_FALSE(json::Unescape(R"(\n)", nullptr, &out));  // escapes need an arena
}

TEST(JsonEscapeTest, AppendEscapedRoundTripsThroughNlohmann) {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "é€😀";
  all.push_back('\0');
  for (size_t length = 0; length <= all.size(); ++length) {
    std::string input = all.substr(all.size() - length);
    if (!testing::IsValidUtf8(input)) continue;  // cut inside a multi-byte character
    std::string escaped = "\"";
    json::AppendEscaped(&escaped, input);
    escaped += '"';
    nlohmann::json parsed = nlohmann::json::parse(escaped, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << escaped;
    EXPECT_EQ(parsed.get<std::string>(), input);
  }
  std::string out = "x";
  json::AppendEscaped(&out, std::string_view("\"\\\n\x01\x1f", 5));
  EXPECT_EQ(out, R"(x\"\\\n\u0001\u001f)");
}

TEST(JsonEscapeTest, FindStringSpecialMatchesNaiveScanAtEveryOffset) {
  // Cover the SIMD body, the SWAR words and the padded tail with a special byte at every spot.
  for (char special : {'"', '\\', '\x00', '\x1f', '\n'}) {
    for (size_t length = 0; length < 70; ++length) {
      for (size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        for (size_t k = 0; k < length; k += 7) text[k] = static_cast<char>(0x80 | k);  // UTF-8-ish
        if (at < length) text[at] = special;
        const char* begin = text.data();
        const char* found = json::internal::FindStringSpecial(begin, begin + length);
        ASSERT_EQ(found - begin, static_cast<std::ptrdiff_t>(at)) << length << " " << at;
      }
    }
  }
}

// ------------------------------------------------------------------------------------------
// Reader: the API

TEST(JsonReaderTest, ReadsAnOpenAIChunk) {
  const std::string chunk =
      R"({"id":"chatcmpl-BlA","object":"chat.completion.chunk","created":1750647643,)"
      R"("model":"gpt-4o-2024-08-06","service_tier":"default",)"
      R"("system_fingerprint":"fp_07871e2ad8",)"
      R"("choices":[{"index":0,"delta":{"content":" world"},)"
      R"("logprobs":null,"finish_reason":null}],)"
      R"("usage":null,"obfuscation":"Cdj5o7"})";
  Arena arena;
  Reader reader(chunk, &arena);
  ASSERT_TRUE(reader.BeginObject());
  std::string_view key, content, model;
  int64_t created = 0, index = -1;
  while (reader.NextField(&key)) {
    if (key == "created") {
      ASSERT_TRUE(reader.GetInt(&created));
    } else if (key == "model") {
      ASSERT_TRUE(reader.GetString(&model));
    } else if (key == "choices") {
      ASSERT_TRUE(reader.BeginArray());
      while (reader.NextElement()) {
        ASSERT_TRUE(reader.BeginObject());
        while (reader.NextField(&key)) {
          if (key == "index") {
            ASSERT_TRUE(reader.GetInt(&index));
          } else if (key == "delta") {
            ASSERT_TRUE(reader.BeginObject());
            while (reader.NextField(&key)) {
              if (key == "content") {
                ASSERT_TRUE(reader.GetString(&content));
              } else {
                ASSERT_TRUE(reader.Skip());
              }
            }
          } else {
            ASSERT_TRUE(reader.Skip());
          }
        }
      }
    } else {
      ASSERT_TRUE(reader.Skip());
    }
  }
  EXPECT_TRUE(reader.Finish()) << reader.error_message();
  EXPECT_EQ(created, 1750647643);
  EXPECT_EQ(model, "gpt-4o-2024-08-06");
  EXPECT_EQ(index, 0);
  EXPECT_EQ(content, " world");
  EXPECT_EQ(arena.bytes_used(), 0u);  // nothing was escaped: all views into the input
}

TEST(JsonReaderTest, ReadsAPaddedAnthropicEventInAnyKeyOrder) {
  const std::string event =
      R"({"delta":{"text":"ent","type":"text_delta"},"index":0,"type":"content_block_delta"}   )";
  Arena arena;
  Reader reader(event, &arena);
  ASSERT_TRUE(reader.BeginObject());
  std::string_view key, text, type;
  while (reader.NextField(&key)) {
    if (key == "type") {
      ASSERT_TRUE(reader.GetString(&type));
    } else if (key == "delta") {
      ASSERT_TRUE(reader.BeginObject());
      while (reader.NextField(&key)) {
        if (key == "text") {
          ASSERT_TRUE(reader.GetString(&text));
        } else {
          ASSERT_TRUE(reader.Skip());
        }
      }
    } else {
      ASSERT_TRUE(reader.Skip());
    }
  }
  EXPECT_TRUE(reader.Finish());
  EXPECT_EQ(type, "content_block_delta");
  EXPECT_EQ(text, "ent");
}

TEST(JsonReaderTest, PeekClassifiesWithoutConsuming) {
  Arena arena;
  const std::pair<std::string_view, ValueType> cases[] = {
      {" null", ValueType::kNull}, {"true", ValueType::kBool},   {"false", ValueType::kBool},
      {"-1", ValueType::kNumber},  {"7", ValueType::kNumber},    {"\"s\"", ValueType::kString},
      {"[]", ValueType::kArray},   {"{}", ValueType::kObject},   {"x", ValueType::kInvalid},
      {"", ValueType::kInvalid},   {"   ", ValueType::kInvalid}, {"]", ValueType::kInvalid}};
  for (const auto& [text, type] : cases) {
    Reader reader(text, &arena);
    EXPECT_EQ(reader.Peek(), type) << text;
    EXPECT_EQ(reader.Peek(), type) << text;
    EXPECT_FALSE(reader.failed());
    EXPECT_EQ(Valid(text), type != ValueType::kInvalid) << text;
  }
}

TEST(JsonReaderTest, StringViewsPointIntoInputUnlessEscaped) {
  Arena arena;
  std::string text = R"(["plain", "esc\naped", "\u00e9"])";
  Reader reader(text, &arena);
  ASSERT_TRUE(reader.BeginArray());
  std::string_view a, b, c;
  ASSERT_TRUE(reader.NextElement());
  ASSERT_TRUE(reader.GetString(&a));
  ASSERT_TRUE(reader.NextElement());
  ASSERT_TRUE(reader.GetString(&b));
  ASSERT_TRUE(reader.NextElement());
  ASSERT_TRUE(reader.GetString(&c));
  EXPECT_FALSE(reader.NextElement());
  EXPECT_TRUE(reader.Finish());
  EXPECT_EQ(a, "plain");
  EXPECT_EQ(a.data(), text.data() + 2);
  EXPECT_EQ(b, "esc\naped");
  EXPECT_EQ(c, "\xC3\xA9");
  EXPECT_GT(arena.bytes_used(), 0u);
}

TEST(JsonReaderTest, EscapedKeysAreUnescaped) {
  Arena arena;
  Reader reader(R"({"a\"b\u0063":1})", &arena);
  ASSERT_TRUE(reader.BeginObject());
  std::string_view key;
  ASSERT_TRUE(reader.NextField(&key));
  EXPECT_EQ(key, "a\"bc");
  ASSERT_TRUE(reader.Skip());
  EXPECT_FALSE(reader.NextField(&key));
  EXPECT_TRUE(reader.Finish());
}

TEST(JsonReaderTest, GetRawStringKeepsEscapesButValidatesThem) {
  Arena arena;
  {
    Reader reader(R"("a\nb\u00e9")", &arena);
    std::string_view raw;
    ASSERT_TRUE(reader.GetRawString(&raw));
    EXPECT_EQ(raw, R"(a\nb\u00e9)");
    EXPECT_TRUE(reader.Finish());
  }
  for (std::string_view bad : {R"("\q")", R"("\ud800")", "\"a\tb\"", R"("abc)"}) {
    Reader reader(bad, &arena);
    std::string_view raw;
    EXPECT_FALSE(reader.GetRawString(&raw)) << bad;
    EXPECT_TRUE(reader.failed()) << bad;
  }
}

TEST(JsonReaderTest, SurrogatePairsBecomeOneCodePoint) {
  Arena arena;
  Reader reader(R"("\ud83d\ude00 \uD834\uDD1E \uDBFF\uDFFF")", &arena);
  std::string_view out;
  ASSERT_TRUE(reader.GetString(&out));
  EXPECT_EQ(out, "\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF");
  EXPECT_TRUE(reader.Finish());
}

TEST(JsonReaderTest, LoneSurrogatesAreErrorsLikeNlohmann) {
  for (std::string text :
       {R"("\ud800")", R"("\udbff x")", R"("\ud800\n")", R"("\ud800\u0041")", R"("\ud800\ud800")",
        R"("\udc00")", R"("\udfff\ud800")", R"(["\ud83d"])", R"({"\ud83d":1})", R"({"k":"\ude00"})",
        R"("\ud83d\u")", R"("\ud83d\ude0")"}) {
    EXPECT_FALSE(Valid(text)) << text;
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, AllEscapesMatchNlohmann) {
  for (std::string text :
       {R"("\"\\\/\b\f\n\r\t")", R"("\u0000\u001f\u007f\u0080\u07ff\u0800\uffff")",
        R"("\uD83D\uDE00")", R"("x\u00E9y")", R"("\a")", R"("\U0041")", R"("\u00g0")", R"("\)",
        R"("\u)", "\"\x7f\xc3\xa9\"", "\"a\x01\"", "\"a\x1f\"", "\"\t\""}) {
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, IntegersAreRangeChecked) {
  struct Case {
    std::string_view text;
    bool is_int;
    int64_t value;
  };
  const Case cases[] = {
      {"0", true, 0},
      {"-0", true, 0},
      {"42", true, 42},
      {"-42", true, -42},
      {"9223372036854775807", true, std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", true, std::numeric_limits<int64_t>::min()},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"1.0", false, 0},
      {"1e3", false, 0},
      {"1E+3", false, 0},
      {"-0.0", false, 0},
  };
  for (const Case& c : cases) {
    Arena arena;
    Reader reader(c.text, &arena);
    int64_t value = 12345;
    EXPECT_EQ(reader.GetInt(&value), c.is_int) << c.text;
    EXPECT_FALSE(reader.failed()) << c.text;
    if (c.is_int) {
      EXPECT_EQ(value, c.value) << c.text;
    } else {
      EXPECT_EQ(value, 12345) << c.text;
      double real;
      EXPECT_TRUE(reader.GetDouble(&real)) << c.text;  // not consumed: still readable
    }
    EXPECT_TRUE(reader.Finish()) << c.text;
  }
}

TEST(JsonReaderTest, DoublesAreCorrectlyRounded) {
  std::mt19937_64 rng(7);
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "-0.0",
                                    "0.1",
                                    "1e-400",
                                    "-1e-400",
                                    "4.9e-324",
                                    "2.2250738585072014e-308",
                                    "1.7976931348623157e308",
                                    "123.456e-7",
                                    "0.30000000000000004",
                                    "9007199254740993",
                                    "1e22",
                                    "1e23",
                                    "-2.5E+10",
                                    "0.000001234",
                                    "1.00000000000000011102230246251565404236316680908203125",
                                    "-0.0003083",
                                    "7e-10",
                                    "9223372036854775808",
                                    "123456789012345678901234567890"};
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    if (!std::isfinite(d)) continue;
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), i % 2 ? "%.17g" : "%.6g", d);
    texts.push_back(buffer);
    texts.push_back(std::to_string(static_cast<int64_t>(bits >> (i % 60))) + "." +
                    std::to_string(i));
  }
  Arena arena;
  for (const std::string& text : texts) {
    Reader reader(text, &arena);
    double value;
    ASSERT_TRUE(reader.GetDouble(&value)) << text;
    ASSERT_TRUE(reader.Finish()) << text;
    double expected = std::strtod(text.c_str(), nullptr);
    EXPECT_EQ(std::memcmp(&value, &expected, sizeof(double)), 0)
        << text << " gave " << value << " expected " << expected;
  }
  Reader negative_zero("-0.0", &arena);
  double zero = 1;
  ASSERT_TRUE(negative_zero.GetDouble(&zero));
  EXPECT_TRUE(std::signbit(zero));
}

TEST(JsonReaderTest, DoubleOverflowIsAMismatchNotAnError) {
  for (std::string_view text : {"1e400", "-1e400", "1.7976931348623159e308", "1e99999999999"}) {
    Arena arena;
    Reader reader(text, &arena);
    double value = 5;
    EXPECT_FALSE(reader.GetDouble(&value)) << text;
    EXPECT_FALSE(reader.failed()) << text;
    EXPECT_EQ(value, 5);
    EXPECT_TRUE(reader.Skip()) << text;  // grammatically valid JSON
    EXPECT_TRUE(reader.Finish()) << text;
    // nlohmann rejects these: the walk (which builds values) must agree.
    ExpectAgreesWithNlohmann(std::string(text));
  }
}

TEST(JsonReaderTest, MalformedNumbersAreErrors) {
  for (std::string text :
       {"01",   "-01",       "00",       "1.",        ".5",  "+1",    "-",    "1e",   "1e+",
        "1.e5", "0x10",      "Infinity", "-Infinity", "NaN", "1.5.2", "--1",  "1ee5", "[01]",
        "[1.]", "{\"a\":-}", "- 1",      "1 2",       "0.",  "-.5",   "1e5.5"}) {
    EXPECT_FALSE(Valid(text)) << text;
    ExpectAgreesWithNlohmann(text);
    Arena arena;
    Reader reader(text, &arena);
    int64_t value;
    double real;
    // Whatever the getters say, the text as a whole must not be accepted.
    bool got = reader.GetInt(&value) || (!reader.failed() && reader.GetDouble(&real));
    EXPECT_FALSE(got && reader.Finish()) << text;
  }
}

TEST(JsonReaderTest, NumbersMatchNlohmann) {
  for (std::string text : {"0",
                           "-0",
                           "1",
                           "-1",
                           "0.5",
                           "-0.5",
                           "1e5",
                           "1E5",
                           "1e-5",
                           "1e+5",
                           "12.34e-2",
                           "9223372036854775807",
                           "9223372036854775808",
                           "-9223372036854775808",
                           "-9223372036854775809",
                           "18446744073709551615",
                           "18446744073709551616",
                           "1e308",
                           "1e309",
                           "[1,2.5,-3e2,0,-0]",
                           "{\"n\":123456789012}"}) {
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, Literals) {
  Arena arena;
  for (std::string_view text : {"true", "false", " true ", "\nfalse\t"}) {
    Reader reader(text, &arena);
    bool value = text.find('t') != std::string_view::npos ? false : true;
    ASSERT_TRUE(reader.GetBool(&value)) << text;
    EXPECT_EQ(value, text.find("true") != std::string_view::npos);
    EXPECT_TRUE(reader.Finish());
  }
  Reader null_reader("null", &arena);
  EXPECT_TRUE(null_reader.GetNull());
  EXPECT_TRUE(null_reader.Finish());
  for (std::string text : {"tru", "nul", "fals", "True", "NULL", "nulll", "truefalse", "t", "n",
                           "f", "[tru]", "{\"a\":nul}", "nil", "undefined"}) {
    EXPECT_FALSE(Valid(text)) << text;
    ExpectAgreesWithNlohmann(text);
  }
  Reader bad_bool("tru", &arena);
  bool value;
  EXPECT_FALSE(bad_bool.GetBool(&value));
  EXPECT_TRUE(bad_bool.failed());
}

TEST(JsonReaderTest, TypeMismatchConsumesNothingAndDoesNotFail) {
  Arena arena;
  Reader reader(R"({"a":"text","b":12,"c":[1],"d":{"x":null},"e":true,"f":null})", &arena);
  ASSERT_TRUE(reader.BeginObject());
  std::string_view key;
  int fields = 0;
  while (reader.NextField(&key)) {
    ++fields;
    std::string_view s;
    int64_t i;
    double d;
    bool b;
    ValueType type = reader.Peek();
    if (type != ValueType::kString) {
      EXPECT_FALSE(reader.GetString(&s));
    }
    if (type != ValueType::kNumber) {
      EXPECT_FALSE(reader.GetInt(&i) || reader.GetDouble(&d));
    }
    if (type != ValueType::kBool) {
      EXPECT_FALSE(reader.GetBool(&b));
    }
    if (type != ValueType::kNull) {
      EXPECT_FALSE(reader.GetNull());
    }
    if (type != ValueType::kObject) {
      EXPECT_FALSE(reader.BeginObject());
    }
    if (type != ValueType::kArray) {
      EXPECT_FALSE(reader.BeginArray());
    }
    EXPECT_FALSE(reader.failed()) << key;
    EXPECT_EQ(reader.Peek(), type);
    ASSERT_TRUE(reader.Skip()) << key;
  }
  EXPECT_EQ(fields, 6);
  EXPECT_TRUE(reader.Finish());
}

TEST(JsonReaderTest, SkipRawReturnsTheExactValueText) {
  Arena arena;
  std::string text = R"({ "a" : { "b" : [1, "x\"y", {"c":null}] } , "n": -1.5e3 ,"s":"v" })";
  Reader reader(text, &arena);
  ASSERT_TRUE(reader.BeginObject());
  std::string_view key, raw;
  std::vector<std::string> raws;
  while (reader.NextField(&key)) {
    ASSERT_TRUE(reader.SkipRaw(&raw));
    raws.emplace_back(raw);
  }
  EXPECT_TRUE(reader.Finish());
  EXPECT_EQ(raws,
            (std::vector<std::string>{R"({ "b" : [1, "x\"y", {"c":null}] })", "-1.5e3", R"("v")"}));
  Reader whole("  [1, 2]  ", &arena);
  ASSERT_TRUE(whole.SkipRaw(&raw));
  EXPECT_EQ(raw, "[1, 2]");
  EXPECT_TRUE(whole.Finish());
}

TEST(JsonReaderTest, EmptyContainersAndWhitespaceEverywhere) {
  for (std::string text : {"{}", "[]", "[[],{},[[]],{\"a\":{}}]", " \t\r\n{ \t\r\n} \t\r\n",
                           "[ 1 , 2 ]", "{ \"a\" : 1 , \"b\" : [ ] }", "\"\""}) {
    EXPECT_TRUE(Valid(text)) << text;
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, TrailingWhitespaceIsFineGarbageIsNot) {
  EXPECT_TRUE(Valid("{}   \n\t\r "));
  EXPECT_TRUE(Valid("1 "));
  for (const std::string& text :
       std::vector<std::string>{"{} x", "{}}", "[]]", "1 2", "\"a\" \"b\"", "null,", "{},{}",
                                "true false", "[] []", "{}\x0b", "{}\f"}) {
    EXPECT_FALSE(Valid(text)) << text;
    ExpectAgreesWithNlohmann(text);
  }
  // nlohmann stops at a NUL byte and accepts "{}\0..."; we do not (a documented difference).
  EXPECT_FALSE(Valid(std::string("{}\0", 3)));
  EXPECT_FALSE(nlohmann::json::parse(std::string("{}\0x", 4), nullptr, false).is_discarded());
  // The error points at the first stray byte.
  Arena arena;
  Reader reader("{}  x", &arena);
  ASSERT_TRUE(reader.Skip());
  EXPECT_FALSE(reader.Finish());
  EXPECT_EQ(reader.error_offset(), 4u);
}

TEST(JsonReaderTest, EveryInvalidTokenClassIsRejected) {
  const std::string cases[] = {
      // empty / whitespace only
      "",
      " ",
      "\n",
      // structure
      "{",
      "[",
      "}",
      "]",
      "{]",
      "[}",
      "[1",
      "[1,",
      "[1,]",
      "[,1]",
      "[1 2]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{\"a\":}",
      "{\"a\"}",
      "{a:1}",
      "{1:1}",
      "{\"a\":1 \"b\":2}",
      "{,}",
      "[,]",
      "{\"a\":1,,\"b\":2}",
      "[1,,2]",
      ":",
      ",",
      "{\"a\"::1}",
      "[\"a\":1]",
      "{'a':1}",
      // strings
      "\"abc",
      "\"\\\"",
      "'abc'",
      "\"a\nb\"",
      "\"a\rb\"",
      "\"\x01\"",
      // escapes
      "\"\\x41\"",
      "\"\\u\"",
      "\"\\u004\"",
      "\"\\uXYZW\"",
      "\"\\ \"",
      "\"\\0\"",
      // literals / identifiers
      "nan",
      "inf",
      "True",
      "nulls",
      "t rue",
      // bytes that never start a token, outside strings
      "\xc3\xa9",
      "[\xc3\xa9]",
      "\x7f",
      "@",
      "#",
      "/",
      "/* c */ 1",
      "// c\n1",
      "\\",
      "\xef\xbb\xbf{}",
      // numbers
      "+",
      "-",
      "0.",
      ".0",
      "1e",
      "-e5",
      "0x1",
      "1_000",
      "1,000",
  };
  for (const std::string& text : cases) {
    EXPECT_FALSE(Valid(text)) << "[" << text << "]";
    if (text.rfind("\xef\xbb\xbf", 0) == 0) continue;  // nlohmann skips a BOM (a documented diff)
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, ErrorsAreStickyAndKeepTheFirstMessage) {
  Arena arena;
  Reader reader(R"({"a":[1,}, "b":2})", &arena);
  EXPECT_FALSE(reader.Skip());
  ASSERT_TRUE(reader.failed());
  EXPECT_EQ(reader.error_offset(), 8u);
  std::string first(reader.error_message());
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(reader.Peek(), ValueType::kInvalid);
  EXPECT_FALSE(reader.BeginObject());
  EXPECT_FALSE(reader.Skip());
  EXPECT_FALSE(reader.Finish());
  EXPECT_EQ(reader.error_message(), first);
  EXPECT_EQ(reader.error_offset(), 8u);
}

TEST(JsonReaderTest, CallsOutOfTurnFailTheReader) {
  Arena arena;
  std::string_view key;
  {
    Reader reader("{}", &arena);
    EXPECT_FALSE(reader.NextField(&key));  // not inside an object yet
    EXPECT_TRUE(reader.failed());
  }
  {
    Reader reader("{\"a\":1}", &arena);
    EXPECT_FALSE(reader.Finish());  // value not consumed
    EXPECT_TRUE(reader.failed());
  }
  {
    Reader reader("[1]", &arena);
    ASSERT_TRUE(reader.BeginArray());
    EXPECT_FALSE(reader.NextField(&key));  // an array, not an object
    EXPECT_TRUE(reader.failed());
  }
  {
    Reader reader("[1]", &arena);
    ASSERT_TRUE(reader.BeginArray());
    EXPECT_FALSE(reader.Skip());  // must call NextElement first
    EXPECT_TRUE(reader.failed());
  }
  {
    Reader reader("\"a\"", &arena);
    std::string_view s;
    ASSERT_TRUE(reader.GetString(&s));
    EXPECT_FALSE(reader.GetString(&s));  // consumed already
    EXPECT_TRUE(reader.failed());
  }
}

TEST(JsonReaderTest, NestingUpToTheLimitWorksBeyondFails) {
  auto nested = [](size_t depth, bool objects) {
    std::string text;
    for (size_t i = 0; i < depth; ++i) text += objects ? "{\"k\":" : "[";
    text += "1";
    for (size_t i = 0; i < depth; ++i) text += objects ? "}" : "]";
    return text;
  };
  for (bool objects : {false, true}) {
    EXPECT_TRUE(Valid(nested(Reader::kMaxDepth, objects)));
    ExpectAgreesWithNlohmann(nested(Reader::kMaxDepth, objects));
    Arena arena;
    std::string too_deep = nested(Reader::kMaxDepth + 1, objects);
    Reader reader(too_deep, &arena);
    EXPECT_FALSE(reader.Skip());
    EXPECT_EQ(reader.error_message(), Reader::kTooDeepError);
    EXPECT_EQ(WalkJson(too_deep).outcome, WalkOutcome::kTooDeep);
  }
  // Far deeper input never overflows the stack (everything is iterative).
  std::string huge(1000000, '[');
  EXPECT_FALSE(Valid(huge));
  Arena arena;
  Reader reader(huge, &arena);
  size_t opened = 0;
  while (reader.BeginArray() && reader.NextElement()) ++opened;
  EXPECT_EQ(opened, Reader::kMaxDepth);
  EXPECT_EQ(reader.error_message(), Reader::kTooDeepError);
}

TEST(JsonReaderTest, SkipInsideBegunContainersNestsOnTopOfThem) {
  // Skip uses the depth above the containers the caller opened: the limit is shared.
  std::string text;
  for (int i = 0; i < 500; ++i) text += "[";
  for (int i = 0; i < 500; ++i) text += "]";
  Arena arena;
  std::string whole = "[[[" + text + "]]]";
  Reader ok(whole, &arena);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(ok.BeginArray());
    ASSERT_TRUE(ok.NextElement());
  }
  EXPECT_TRUE(ok.Skip());  // 3 + 500 levels
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(ok.NextElement());
  EXPECT_TRUE(ok.Finish());
  std::string deeper = "[[[[[[[[[[[[[" + text + "]]]]]]]]]]]]]";  // 13 + 500 > 512
  Reader too_deep(deeper, &arena);
  for (int i = 0; i < 13; ++i) {
    ASSERT_TRUE(too_deep.BeginArray());
    ASSERT_TRUE(too_deep.NextElement());
  }
  EXPECT_FALSE(too_deep.Skip());
  EXPECT_EQ(too_deep.error_message(), Reader::kTooDeepError);
}

TEST(JsonReaderTest, StringsAtEveryLengthAndEscapePosition) {
  // Strings ending exactly at the end of the input exercise the scanner's tail path.
  Arena arena;
  for (size_t length = 0; length < 50; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      std::string body(length, 'x');
      std::string expected = body;
      if (at < length) {
        body.replace(at, 1, "\\n");
        expected[at] = '\n';
      }
      std::string text = "\"" + body + "\"";
      Reader reader(text, &arena);
      std::string_view out;
      ASSERT_TRUE(reader.GetString(&out)) << text;
      EXPECT_EQ(out, expected);
      EXPECT_TRUE(reader.Finish());
      Reader unterminated(std::string_view(text).substr(0, text.size() - 1), &arena);
      EXPECT_FALSE(unterminated.GetString(&out));
      EXPECT_TRUE(unterminated.failed());
    }
  }
}

TEST(JsonReaderTest, UnicodeTextPassesThrough) {
  for (std::string text : {"\"é€😀\"", "{\"ключ\":\"значение\",\"emoji\":\"🌡️\"}",
                           "\"\xe2\x80\xa8\"", "[\"\xf4\x8f\xbf\xbf\"]"}) {
    EXPECT_TRUE(Valid(text));
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(JsonReaderTest, EscapedStringWithoutArenaFails) {
  Reader reader("\"a\\nb\"", nullptr);
  std::string_view out;
  EXPECT_FALSE(reader.GetString(&out));
  EXPECT_TRUE(reader.failed());
  Reader plain("\"ab\"", nullptr);
  EXPECT_TRUE(plain.GetString(&out));
  EXPECT_TRUE(plain.Finish());
  Reader skip("[\"a\\nb\"]", nullptr);  // Skip needs no arena
  EXPECT_TRUE(skip.Skip());
}

TEST(JsonReaderTest, ByteOrderMarkIsRejected) {
  // RFC 8259 lets parsers ignore a BOM; nlohmann does, we do not (no provider sends one).
  EXPECT_FALSE(Valid("\xef\xbb\xbf{}"));
  EXPECT_FALSE(nlohmann::json::parse("\xef\xbb\xbf{}", nullptr, false).is_discarded());
}

// ------------------------------------------------------------------------------------------
// Reader vs nlohmann on real and mutated provider payloads

TEST(JsonReaderTest, CorpusMatchesNlohmannForEveryFixturePayload) {
  std::vector<std::string> payloads = FixturePayloads();
  ASSERT_GT(payloads.size(), 500u);
  for (const std::string& payload : payloads) {
    nlohmann::json expected = nlohmann::json::parse(payload, nullptr, false);
    ASSERT_FALSE(expected.is_discarded()) << payload;
    for (WalkStyle style : kAllStyles) {
      testing::WalkResult walked = WalkJson(payload, style);
      ASSERT_EQ(walked.outcome, WalkOutcome::kAccepted)
          << payload << "\n"
          << walked.error << " at " << walked.error_offset;
      ASSERT_EQ(walked.value, expected) << payload;
    }
    EXPECT_TRUE(Valid(payload)) << payload;
  }
}

TEST(JsonReaderTest, MutatedCorpusMatchesNlohmann) {
  // A small deterministic fuzz pass over the fixtures (the libFuzzer target goes further).
  std::vector<std::string> payloads = FixturePayloads();
  std::mt19937 rng(2024);
  const std::string alphabet = "{}[]:,\"\\ \n-+.eE0123456789tfnulrsa/bu";
  size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 8000; ++round) {
    std::string text = payloads[rng() % payloads.size()];
    if (text.size() > 400) text.resize(rng() % 400);
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 3);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
    }
    if (!testing::IsValidUtf8(text)) continue;
    nlohmann::json expected = nlohmann::json::parse(text, nullptr, false);
    testing::WalkResult walked = WalkJson(text, kAllStyles[round % 3]);
    ASSERT_EQ(walked.outcome == WalkOutcome::kAccepted, !expected.is_discarded())
        << text << "\n"
        << walked.error << " at " << walked.error_offset;
    if (!expected.is_discarded()) {
      ASSERT_EQ(walked.value, expected) << text;
      ++accepted;
    } else {
      ++rejected;
    }
    if (walked.error != "number overflows a double") {
      ASSERT_EQ(Valid(text), !expected.is_discarded()) << text;
    }
  }
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(rejected, 500u);
}

}  // namespace
}  // namespace llmstream
