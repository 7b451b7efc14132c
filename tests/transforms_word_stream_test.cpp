// WordStream: whole words, the whitespace before each word going with it, split-invariant.
#include <gtest/gtest.h>

#include "llmstream/transforms/word_stream.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

using Pieces = std::vector<std::string>;

TEST(WordStream, WholeWordsWithTheWhitespaceBeforeThem) {
  WordStream words;
  const Fed fed = FeedWhole(words, "Hello world  foo\nbar");
  EXPECT_EQ(fed.pieces, (Pieces{"Hello", " world", "  foo", "\nbar"}));
  EXPECT_EQ(words.words(), 4u);
}

TEST(WordStream, AWordComesOutWhenTheSpaceAfterItArrives) {
  WordStream words;
  TextChunks out;
  words.Push("Hel", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(words.held_bytes(), 3u);
  words.Push("lo", 0, &out);
  EXPECT_TRUE(out.empty());
  words.Push(" w", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"Hello"});
  EXPECT_EQ(words.words(), 1u);
  out.Clear();
  words.Push("orld  ", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{" world"});
  out.Clear();
  words.Flush(0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"  "});  // trailing whitespace: not a word
  EXPECT_EQ(words.words(), 2u);
  EXPECT_EQ(words.held_bytes(), 0u);
}

TEST(WordStream, LeadingWhitespaceGoesWithTheFirstWord) {
  WordStream words;
  EXPECT_EQ(FeedWhole(words, "  \thi there").pieces, (Pieces{"  \thi", " there"}));
}

TEST(WordStream, UnicodeSpacesSeparateNonBreakingOnesDoNot) {
  WordStream words;
  // U+3000 ideographic space and U+2003 em space separate; U+00A0 does not.
  EXPECT_EQ(FeedWhole(words,
                      "a\xE3\x80\x80"
                      "b\xE2\x80\x83"
                      "c\xC2\xA0"
                      "d e")
                .pieces,
            (Pieces{"a",
                    "\xE3\x80\x80"
                    "b",
                    "\xE2\x80\x83"
                    "c\xC2\xA0"
                    "d",
                    " e"}));
}

TEST(WordStream, CjkCharactersAreWordsOfTheirOwn) {
  WordStream words;
  TextChunks out;
  words.Push("日本", 0, &out);  // each complete character comes out at once
  EXPECT_EQ(PiecesOf(out), (Pieces{"日", "本"}));
  out.Clear();
  words.Push("語 and", 0, &out);
  words.Flush(0, &out);
  EXPECT_EQ(PiecesOf(out), (Pieces{"語", " and"}));
  EXPECT_EQ(words.words(), 4u);

  WordStream joined({.split_cjk = false});
  EXPECT_EQ(FeedWhole(joined, "日本語 and").pieces, (Pieces{"日本語", " and"}));
}

TEST(WordStream, AWordBeforeACjkCharacterEndsThere) {
  WordStream words;
  EXPECT_EQ(FeedWhole(words, "abc漢字 x").pieces, (Pieces{"abc", "漢", "字", " x"}));
}

TEST(WordStream, MaxWordCharsCutsLongTokens) {
  WordStream words({.max_word_chars = 3});
  EXPECT_EQ(FeedWhole(words, "abcdefgh ééééé").pieces, (Pieces{"abc", "def", "gh", " ééé", "éé"}));
}

TEST(WordStream, NeverCutsACharacterSplitAcrossDeltas) {
  WordStream words;
  TextChunks out;
  words.Push("caf\xC3", 0, &out);
  words.Push("\xA9 ok", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"café"});
  // A split multi-byte space (U+3000) is recognized once complete.
  WordStream spaced;
  out.Clear();
  spaced.Push("a\xE3\x80", 0, &out);
  EXPECT_TRUE(out.empty());
  spaced.Push(
      "\x80"
      "b",
      0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"a"});
}

TEST(WordStream, FlushCountsAnIncompleteCharacterAsAWord) {
  WordStream words;
  EXPECT_EQ(FeedWhole(words, "x \xE2\x82").pieces, (Pieces{"x", " \xE2\x82"}));
  EXPECT_EQ(words.words(), 2u);
}

TEST(WordStream, TheGuideWordCountMatches) {
  // The guide counts "Tell me about AI streaming" as 5 words (wordCount + 1 at the end).
  WordStream words;
  FeedWhole(words, "Tell me about AI streaming");
  EXPECT_EQ(words.words(), 5u);
}

TEST(WordStream, ConcatenationIsTheInput) {
  for (const TextSample& sample : TransformSamples()) {
    WordStream words;
    EXPECT_EQ(FeedWhole(words, sample.text).text, sample.text) << sample.name;
  }
}

TEST(WordStream, EveryPieceIsOneWordWithItsLeadingWhitespace) {
  for (const TextSample& sample : TransformSamples()) {
    WordStream words({.split_cjk = false});
    const Fed fed = FeedWhole(words, sample.text);
    for (size_t i = 0; i + 1 < fed.pieces.size(); ++i) {
      const std::string& p = fed.pieces[i];
      ASSERT_FALSE(p.empty()) << sample.name;
      // No ASCII whitespace after the first non-whitespace byte.
      const size_t word = p.find_first_not_of(" \t\r\n\f\v");
      ASSERT_NE(word, std::string::npos) << sample.name << " piece " << i;
      ASSERT_EQ(p.find_first_of(" \t\r\n\f\v", word), std::string::npos)
          << sample.name << " piece " << i << ": [" << p << "]";
    }
  }
}

TEST(WordStream, SplitInvariant) {
  ExpectSplitInvariant([] { return std::make_unique<WordStream>(); }, /*same_pieces=*/true);
  ExpectSplitInvariant(
      [] {
        return std::make_unique<WordStream>(WordStreamOptions{false, 7});
      },
      true);
}

TEST(WordStream, ResetStartsOver) {
  WordStream words;
  TextChunks out;
  words.Push("one two thr", 0, &out);
  words.Reset();
  EXPECT_EQ(words.held_bytes(), 0u);
  EXPECT_EQ(words.words(), 0u);
  EXPECT_EQ(FeedWhole(words, "ee").pieces, Pieces{"ee"});
}

}  // namespace
}  // namespace llmstream::testing
