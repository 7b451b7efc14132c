// ContentFilter: literal patterns, also across chunk boundaries, holding back as little as
// possible; split-invariant.
#include <gtest/gtest.h>

#include "llmstream/transforms/content_filter.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

// The obvious whole-text reference: at each position the longest matching rule wins.
std::string Reference(std::string_view text, std::vector<FilterRule> rules, bool ci) {
  auto fold = [&](char c) { return ci && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const FilterRule* best = nullptr;
    for (const FilterRule& rule : rules) {
      if (rule.pattern.empty() || rule.pattern.size() > text.size() - i) continue;
      bool equal = true;
      for (size_t k = 0; k < rule.pattern.size() && equal; ++k) {
        equal = fold(text[i + k]) == fold(rule.pattern[k]);
      }
      if (equal && (best == nullptr || rule.pattern.size() > best->pattern.size())) best = &rule;
    }
    if (best != nullptr) {
      out += best->replacement;
      i += best->pattern.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

TEST(ContentFilter, ReplacesAPattern) {
  ContentFilter filter({"secret"}, "[redacted]");
  EXPECT_EQ(FeedWhole(filter, "this is secret data").text, "this is [redacted] data");
  EXPECT_EQ(filter.matches(), 1u);
}

TEST(ContentFilter, MatchesAcrossChunkBoundaries) {
  // The guide's per-chunk regex misses "sec" + "ret"; this does not.
  ContentFilter filter({"secret"}, "***");
  TextChunks out;
  filter.Push("the sec", 0, &out);
  EXPECT_EQ(out.text(), "the ");  // only a possible start of a pattern is held
  EXPECT_EQ(filter.held_bytes(), 3u);
  out.Clear();
  filter.Push("ret is out", 0, &out);
  EXPECT_EQ(out.text(), "*** is out");
  EXPECT_EQ(filter.held_bytes(), 0u);
}

TEST(ContentFilter, HoldsBackLessThanTheLongestPattern) {
  ContentFilter filter({"abcdef", "xyz"}, "#");
  TextChunks out;
  filter.Push("12abcde", 0, &out);
  EXPECT_EQ(out.text(), "12");
  EXPECT_EQ(filter.held_bytes(), 5u);  // longest - 1
  out.Clear();
  filter.Push("X", 0, &out);  // cannot be "abcdef" any more
  EXPECT_EQ(out.text(), "abcdeX");
}

TEST(ContentFilter, FlushEmitsAHeldPrefixUnchanged) {
  ContentFilter filter({"secret"}, "***");
  TextChunks out;
  filter.Push("ends with secr", 0, &out);
  filter.Flush(0, &out);
  EXPECT_EQ(out.text(), "ends with secr");
  EXPECT_EQ(filter.matches(), 0u);
}

TEST(ContentFilter, CaseInsensitiveForAsciiLetters) {
  ContentFilter ci({"Secret"}, "***", /*case_insensitive=*/true);
  EXPECT_EQ(FeedWhole(ci, "SECRET secret SeCrEt").text, "*** *** ***");
  ContentFilter cs({"Secret"}, "***");
  EXPECT_EQ(FeedWhole(cs, "SECRET Secret").text, "SECRET ***");
  // Only ASCII folds: Ä and ä stay different.
  ContentFilter accents({"pässword"}, "***", true);
  EXPECT_EQ(FeedWhole(accents, "PäSSWORD PÄSSWORD").text, "*** PÄSSWORD");
}

TEST(ContentFilter, DropsWithAnEmptyReplacement) {
  ContentFilter filter({"um, "}, "");
  EXPECT_EQ(FeedWhole(filter, "So um, I think um, yes").text, "So I think yes");
}

TEST(ContentFilter, LongestMatchWinsThenLeftToRight) {
  ContentFilter longest(ContentFilterOptions{{{"abc", "1"}, {"abcdef", "2"}}, false});
  EXPECT_EQ(FeedWhole(longest, "abcdefg abcx").text, "2g 1x");
  ContentFilter leftmost(ContentFilterOptions{{{"bcd", "1"}, {"abc", "2"}}, false});
  EXPECT_EQ(FeedWhole(leftmost, "abcd").text, "2d");
  ContentFilter repeated({"aa"}, "b");
  EXPECT_EQ(FeedWhole(repeated, "aaaaa").text, "bba");
  EXPECT_EQ(repeated.matches(), 2u);
}

TEST(ContentFilter, PerRuleReplacementsLikeTheGuide) {
  // The guide's filters: [{pattern, replacement}, ...].
  ContentFilter filter(ContentFilterOptions{
      {{"streamed", "[filtered]"}, {"password", "********"}, {"", "ignored"}}, false});
  EXPECT_EQ(FeedWhole(filter, "streamed words and a password").text,
            "[filtered] words and a ********");
  EXPECT_EQ(filter.longest_pattern(), 8u);
}

TEST(ContentFilter, ReplacementsAreNotScannedAgain) {
  ContentFilter filter({"a"}, "aa");
  EXPECT_EQ(FeedWhole(filter, "banana").text, "baanaanaa");
}

TEST(ContentFilter, NeverSplitsACharacterItHolds) {
  ContentFilter filter({"zz"}, "-");
  TextChunks out;
  filter.Push("caf\xC3", 0, &out);
  EXPECT_EQ(out.text(), "caf");
  out.Clear();
  filter.Push("\xA9", 0, &out);
  EXPECT_EQ(out.text(), "é");
}

TEST(ContentFilter, MultiBytePatterns) {
  ContentFilter filter({"°F", "日本"}, "?");
  const std::string text = "61°F 日本語";
  EXPECT_EQ(FeedSplit(filter, text, {"bytes", std::vector<size_t>(text.size(), 1)}).text,
            "61? ?語");
}

// Whole-text reference == streamed output, in every split, for patterns taken from the texts
// (so they do match), case-sensitive and not, and a tight bound on what is held.
TEST(ContentFilter, SplitInvariantAndEqualToTheReference) {
  const std::vector<FilterRule> rules = {{"the", "THE"},     {"San Francisco", "[city]"},
                                         {"°F", " degrees"}, {"alfajores", ""},
                                         {"日本", "<jp>"},   {"think>", "T>"},
                                         {"**", "__"},       {"\xE2\x82", "[cut]"},
                                         {"e", "3"},         {"Uruguayan", "[UY]"},
                                         {"🎉", ":tada:"},    {"javascript:", "[js]"}};
  for (bool ci : {false, true}) {
    for (const TextSample& sample : TransformSamples()) {
      const std::string expected = Reference(sample.text, rules, ci);
      for (const Split& split : StandardSplits(sample.text.size())) {
        ContentFilter filter(ContentFilterOptions{rules, ci});
        TextChunks out;
        std::string got;
        size_t at = 0;
        for (size_t n : split.sizes) {
          out.Clear();
          filter.Push(std::string_view(sample.text).substr(at, n), 0, &out);
          got += out.text();
          at += n;
          ASSERT_LE(filter.held_bytes(), filter.longest_pattern() - 1 + 3)
              << sample.name << " " << split.name;
        }
        out.Clear();
        filter.Flush(0, &out);
        got += out.text();
        ASSERT_EQ(got, expected) << sample.name << " split " << split.name << " ci " << ci;
      }
    }
  }
}

TEST(ContentFilter, SplitInvariantHelper) {
  ExpectSplitInvariant(
      [] {
        return std::make_unique<ContentFilter>(std::vector<std::string>{"a", "the", "°"}, "#",
                                               true);
      },
      false);
}

TEST(ContentFilter, ResetDropsHeldTextAndCounts) {
  ContentFilter filter({"secret"}, "x");
  TextChunks out;
  filter.Push("secret sec", 0, &out);
  filter.Reset();
  EXPECT_EQ(filter.held_bytes(), 0u);
  EXPECT_EQ(filter.matches(), 0u);
}

}  // namespace
}  // namespace llmstream::testing
