// Tests for PartialJson: fragments split anywhere, snapshots that always parse and only grow.
#include "llmstream/partial_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support/fixtures.h"
#include "support/json_grows.h"
#include "support/json_walk.h"

namespace llmstream {
namespace {

using OrderedJson = nlohmann::ordered_json;

std::string SnapshotOf(std::string_view text) {
  PartialJson partial;
  partial.Append(text);
  return partial.Snapshot();
}

using testing::GrowsInto;

// The tool-call arguments found in expected.json (strings as streamed, and Anthropic inputs
// re-serialized compact and pretty).
std::vector<std::string> FixtureToolArguments() {
  nlohmann::json expected =
      nlohmann::json::parse(testing::ReadFixture("expected.json"), nullptr, false);
  std::vector<std::string> out;
  std::vector<const nlohmann::json*> pending = {&expected};
  while (!pending.empty()) {
    const nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (it.key() == "arguments" && it->is_string()) {
          out.push_back(it->get<std::string>());
        } else if (it.key() == "input" && it->is_object()) {
          out.push_back(it->dump());
          out.push_back(it->dump(2));
        }
        pending.push_back(&*it);
      }
    } else if (node->is_array()) {
      for (const auto& child : *node) pending.push_back(&child);
    }
  }
  return out;
}

std::vector<std::string> SampleTexts() {
  std::vector<std::string> samples = FixtureToolArguments();
  const char* extra[] = {
      R"({"city":"Edinburgh","country":"UK","units":"c"})",
      R"({"a":1231,"b":2331})",
      R"( { "query" : "USD EUR \"exchange\" rate\n\tline" , "n" : -12.5e+3 , "ok" : true , )"
      R"("none" : null , "off" : false , )"
      R"("list" : [ 1 , [ ] , { } , [ "x" , { "y" : [ 0 ] } ] ] } )",
      R"({"esc":"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00","raw":"é€😀🌡️"})",
      R"([1,-0,0.5,1e5,1E-5,-12.34e+56,0,100,true,false,null,"",[],{},[[]],{"":{}}])",
      R"({"nested":{"deeper":{"deepest":[{"k":"v"},{"k":"w"}]}},"after":"x"})",
      R"("just a string with \u00e9scapes")",
      R"([])",
      R"({})",
      R"(true)",
      R"(null)",
  };
  for (const char* text : extra) samples.emplace_back(text);
  return samples;
}

// Feeds every prefix of `text` and checks the snapshot rules; returns the snapshots.
std::vector<std::string> CheckEveryPrefix(const std::string& text) {
  nlohmann::json full = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(full.is_discarded()) << text;
  std::vector<std::string> snapshots;
  OrderedJson previous;
  bool have_previous = false;
  for (size_t k = 0; k <= text.size(); ++k) {
    PartialJson partial;
    partial.Append(std::string_view(text).substr(0, k));
    EXPECT_FALSE(partial.failed()) << text.substr(0, k);
    std::string snapshot = partial.Snapshot();
    snapshots.push_back(snapshot);
    if (snapshot.empty()) {
      EXPECT_FALSE(have_previous) << "snapshot vanished at " << k << ": " << text;
      continue;
    }
    OrderedJson value = OrderedJson::parse(snapshot, nullptr, false);
    if (value.is_discarded()) {
      ADD_FAILURE() << "prefix [" << text.substr(0, k) << "] gave invalid snapshot [" << snapshot
                    << "]";
      continue;
    }
    if (have_previous && !GrowsInto(previous, value)) {
      ADD_FAILURE() << "not monotone at " << k << ": [" << previous.dump() << "] -> ["
                    << value.dump() << "] for " << text;
    }
    previous = value;
    have_previous = true;
  }
  PartialJson whole;
  whole.Append(text);
  EXPECT_TRUE(whole.complete()) << text;
  EXPECT_EQ(nlohmann::json::parse(whole.Snapshot(), nullptr, false), full) << text;
  return snapshots;
}

TEST(PartialJsonTest, NothingYetGivesAnEmptySnapshot) {
  PartialJson partial;
  EXPECT_EQ(partial.Snapshot(), "");
  EXPECT_FALSE(partial.complete());
  EXPECT_FALSE(partial.failed());
  partial.Append(" \n\t\r ");
  EXPECT_EQ(partial.Snapshot(), "");
  EXPECT_FALSE(partial.complete());
  EXPECT_EQ(partial.text(), " \n\t\r ");
}

TEST(PartialJsonTest, SnapshotRulesByExample) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      // open strings are closed, after their last complete character
      {R"({"city":"Edinb)", R"({"city":"Edinb"})"},
      {R"({"city":")", R"({"city":""})"},
      {R"(["x\)", R"(["x"])"},
      {R"(["x\u00)", R"(["x"])"},
      {R"(["x\u00e9)", R"(["x\u00e9"])"},
      {R"(["x\ud83d)", R"(["x"])"},
      {R"(["x\ud83d\)", R"(["x"])"},
      {R"(["x\ud83d\ude0)", R"(["x"])"},
      {R"(["x\ud83d\ude00)", R"(["x\ud83d\ude00"])"},
      {"[\"a\xc3", "[\"a\"]"},
      {"[\"a\xf0\x9f\x98", "[\"a\"]"},
      {"[\"a\xf0\x9f\x98\x80", "[\"a\xf0\x9f\x98\x80\"]"},
      // dangling keys, colons, commas are dropped
      {R"({"a":1,"b)", R"({"a":1})"},
      {R"({"a":1,"b")", R"({"a":1})"},
      {R"({"a":1,"b":)", R"({"a":1})"},
      {R"({"a":1,)", R"({"a":1})"},
      {R"({"a":1 , )", R"({"a":1})"},
      {R"({)", R"({})"},
      {R"({ )", R"({})"},
      {R"({")", R"({})"},
      // incomplete literals and numbers are dropped; a number needs a delimiter
      {R"({"a":tr)", R"({})"},
      {R"({"a":true)", R"({"a":true})"},
      {R"([nul)", R"([])"},
      {R"([12)", R"([])"},
      {R"([12,)", R"([12])"},
      {R"([12 )", R"([12])"},
      {R"([1,-)", R"([1])"},
      {R"([1,2.)", R"([1])"},
      {R"([1,2e)", R"([1])"},
      {R"([1,2e+)", R"([1])"},
      {R"([1,2e+5)", R"([1])"},
      {R"([1,2e+5])", R"([1,2e+5])"},
      // open containers are kept, closed innermost first
      {R"({"a":[1,{"b":)", R"({"a":[1,{}]})"},
      {R"({"a":[1,{"b":[)", R"({"a":[1,{"b":[]}]})"},
      {R"([[[)", R"([[[]]])"},
      {R"([{"a":"x"},{)", R"([{"a":"x"},{}])"},
      // top-level scalars
      {R"("ab)", R"("ab")"},
      {R"(")", R"("")"},
      {R"(tru)", ""},
      {R"(true)", "true"},
      {R"(  null  )", "null"},
      {R"(12)", "12"},
      {R"(-)", ""},
      {R"(12.)", ""},
      {R"(12.5)", "12.5"},
      // complete texts come back without surrounding whitespace
      {" {\"a\" : [ 1 ] } \n", "{\"a\" : [ 1 ] }"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(SnapshotOf(text), expected) << text;
  }
}

TEST(PartialJsonTest, CompleteMeansTheTextParses) {
  for (std::string_view text : {"{}", " [1] ", "\"s\"", "12", "-0", "1e5", "true", "null"}) {
    PartialJson partial;
    partial.Append(text);
    EXPECT_TRUE(partial.complete()) << text;
    EXPECT_FALSE(partial.failed()) << text;
  }
  for (std::string_view text : {"{", "[1", "\"s", "12.", "-", "tru", "{\"a\":", "", "  "}) {
    PartialJson partial;
    partial.Append(text);
    EXPECT_FALSE(partial.complete()) << text;
    EXPECT_FALSE(partial.failed()) << text;
  }
}

TEST(PartialJsonTest, EveryPrefixSnapshotParsesGrowsAndEndsAtTheFullValue) {
  std::vector<std::string> samples = SampleTexts();
  ASSERT_GE(samples.size(), 20u);
  for (const std::string& text : samples) CheckEveryPrefix(text);
}

TEST(PartialJsonTest, EverySplitGivesTheSameSnapshotsAsOneAppend) {
  for (const std::string& text : SampleTexts()) {
    std::vector<std::string> expected;  // snapshot of each prefix fed at once
    for (size_t k = 0; k <= text.size(); ++k) expected.push_back(SnapshotOf(text.substr(0, k)));
    // Two fragments, cut at every byte.
    for (size_t cut = 0; cut <= text.size(); ++cut) {
      PartialJson partial;
      partial.Append(std::string_view(text).substr(0, cut));
      ASSERT_EQ(partial.Snapshot(), expected[cut]) << text << " cut " << cut;
      partial.Append(std::string_view(text).substr(cut));
      ASSERT_TRUE(partial.complete()) << text << " cut " << cut;
      ASSERT_EQ(partial.Snapshot(), expected.back()) << text << " cut " << cut;
      ASSERT_EQ(partial.text(), text);
    }
    // One byte at a time, with empty fragments in between.
    PartialJson bytewise;
    for (size_t k = 0; k < text.size(); ++k) {
      bytewise.Append(std::string_view(text).substr(k, 1));
      bytewise.Append("");
      ASSERT_EQ(bytewise.Snapshot(), expected[k + 1]) << text << " at " << k;
    }
    // Random fragment sizes.
    std::mt19937 rng(static_cast<uint32_t>(text.size()));
    for (int round = 0; round < 5; ++round) {
      PartialJson partial;
      size_t at = 0;
      while (at < text.size()) {
        size_t n = std::min<size_t>(1 + rng() % 9, text.size() - at);
        partial.Append(std::string_view(text).substr(at, n));
        at += n;
        ASSERT_EQ(partial.Snapshot(), expected[at]) << text << " at " << at;
      }
      EXPECT_TRUE(partial.complete());
    }
  }
}

TEST(PartialJsonTest, FixturePayloadsAsFragmentedTexts) {
  // Whole provider events are good large JSON texts with every value type.
  std::vector<std::string> files = testing::FixtureFiles();
  int checked = 0;
  for (const std::string& file : files) {
    std::string body = testing::ReadFixture(file);
    size_t at = body.find("data: {");
    if (at == std::string::npos) continue;
    size_t end = body.find('\n', at);
    std::string payload = body.substr(at + 6, end - at - 6);
    if (payload.size() > 800) continue;
    CheckEveryPrefix(payload);
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(PartialJsonTest, InvalidTextsFailAtTheRightByteAndKeepAValidSnapshot) {
  const std::pair<std::string_view, size_t> cases[] = {
      {R"({"a":1,})", 7},
      {R"([1,])", 3},
      {R"({"a" 1})", 5},
      {R"({a:1})", 1},
      {R"([01])", 2},
      {R"([1.e5])", 3},
      {R"(["\x"])", 3},
      {R"(["\ud800x"])", 8},
      {R"(["\udc00"])", 7},
      {R"(["\ud800\u0041"])", 13},
      {"[\"a\nb\"]", 3},
      {R"({} x)", 3},
      {R"([tru])", 4},
      {R"([1}])", 2},
      {R"(})", 0},
      {"[\"\xc3\x28\"]", 3},
      {"[\"\xed\xa0\x80\"]", 3},
      {"[\"\xc0\xaf\"]", 2},
      {"[\"\xf5\x80\x80\x80\"]", 2},
      {R"([1 2])", 3},
      {R"([1e400])", 1},
      {R"({"a":-1E+999,"b":1})", 5},
  };
  for (const auto& [text, offset] : cases) {
    PartialJson partial;
    partial.Append(text);
    EXPECT_TRUE(partial.failed()) << text;
    EXPECT_FALSE(partial.complete()) << text;
    EXPECT_EQ(partial.error_offset(), offset) << text;
    EXPECT_FALSE(partial.error_message().empty());
    EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded()) << text;
    std::string snapshot = partial.Snapshot();
    if (!snapshot.empty()) {
      EXPECT_FALSE(nlohmann::json::parse(snapshot, nullptr, false).is_discarded())
          << text << " -> " << snapshot;
    }
    partial.Append("more");
    EXPECT_EQ(partial.text(), std::string(text) + "more");
    EXPECT_TRUE(partial.failed());
  }
}

TEST(PartialJsonTest, ByteOrderMarkAndTrailingNulAreErrorsUnlikeNlohmann) {
  for (std::string text : {std::string("\xef\xbb\xbf{}"), std::string("{}\0", 3)}) {
    PartialJson partial;
    partial.Append(text);
    EXPECT_TRUE(partial.failed());
    EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
  }
}

TEST(PartialJsonTest, TopLevelNumberOverflowIsNeverComplete) {
  PartialJson partial;
  partial.Append("1e30");
  EXPECT_TRUE(partial.complete());
  EXPECT_EQ(partial.Snapshot(), "1e30");
  partial.Append("9");
  EXPECT_FALSE(partial.complete());
  EXPECT_FALSE(partial.failed());  // overflow is reported once the number has ended
  EXPECT_EQ(partial.Snapshot(), "");
  partial.Append(" ");
  EXPECT_TRUE(partial.failed());
}

TEST(PartialJsonTest, ResetStartsOver) {
  PartialJson partial;
  partial.Append("{\"a\":[1,");
  partial.Append("x");
  ASSERT_TRUE(partial.failed());
  partial.Reset();
  EXPECT_FALSE(partial.failed());
  EXPECT_EQ(partial.text(), "");
  EXPECT_EQ(partial.Snapshot(), "");
  partial.Append("[\"ok\"]");
  EXPECT_TRUE(partial.complete());
  EXPECT_EQ(partial.Snapshot(), "[\"ok\"]");
}

TEST(PartialJsonTest, DeepNestingNeedsNoRecursion) {
  PartialJson partial;
  for (int i = 0; i < 20000; ++i) partial.Append(i % 2 ? "[" : "{\"k\":");
  std::string snapshot = partial.Snapshot();
  EXPECT_EQ(snapshot.size(), partial.text().size() + 20000);
  EXPECT_FALSE(nlohmann::json::parse(snapshot, nullptr, false).is_discarded());
}

TEST(PartialJsonTest, LongInputsFedByteByByteStayLinear) {
  // 2 MB in 1-byte fragments: a quadratic implementation would take minutes.
  std::string text = "[";
  while (text.size() < 2000000) text += "{\"k\":\"some text\\n\",\"n\":[1,2.5,true,null]},";
  text += "0]";
  PartialJson partial;
  for (char c : text) partial.Append(std::string_view(&c, 1));
  EXPECT_TRUE(partial.complete());
  EXPECT_EQ(partial.Snapshot(), text);
}

TEST(PartialJsonTest, AgreesWithNlohmannOnMutatedTexts) {
  std::vector<std::string> samples = SampleTexts();
  std::mt19937 rng(99);
  const std::string alphabet = "{}[]:,\"\\ -+.eE019tfnulrsu";
  for (int round = 0; round < 5000; ++round) {
    std::string text = samples[rng() % samples.size()];
    for (int e = 0; e < 2 && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      if (rng() % 2) {
        text[at] = alphabet[rng() % alphabet.size()];
      } else {
        text.erase(at, 1);
      }
    }
    if (!testing::IsValidUtf8(text)) continue;
    nlohmann::json expected = nlohmann::json::parse(text, nullptr, false);
    PartialJson partial;
    size_t at = 0;
    while (at < text.size()) {
      size_t n = std::min<size_t>(1 + rng() % 5, text.size() - at);
      partial.Append(std::string_view(text).substr(at, n));
      at += n;
      std::string snapshot = partial.Snapshot();
      if (!snapshot.empty()) {
        ASSERT_FALSE(nlohmann::json::parse(snapshot, nullptr, false).is_discarded())
            << text << " @" << at << " -> " << snapshot;
      }
    }
    ASSERT_EQ(partial.complete(), !expected.is_discarded()) << text;
    if (partial.complete()) {
      ASSERT_EQ(nlohmann::json::parse(partial.Snapshot(), nullptr, false), expected) << text;
    }
  }
}

}  // namespace
}  // namespace llmstream
