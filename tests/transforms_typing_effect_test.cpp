// TypingEffect: N characters per second, sans-I/O (WakeAtMs), never cutting a character.
#include <gtest/gtest.h>

#include <cmath>

#include "llmstream/transforms/typing_effect.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

using Pieces = std::vector<std::string>;

TEST(TypingEffect, ReleasesOneCharacterPerSlot) {
  TypingEffect typing(10.0);  // one every 100 ms
  TextChunks out;
  typing.Push("abc", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"a"});  // the first one at once
  EXPECT_EQ(typing.WakeAtMs(), 100);
  out.Clear();
  typing.Tick(99, &out);
  EXPECT_TRUE(out.empty());
  typing.Tick(100, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"b"});
  EXPECT_EQ(typing.WakeAtMs(), 200);
  out.Clear();
  typing.Tick(250, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"c"});
  EXPECT_EQ(typing.WakeAtMs(), -1);
  EXPECT_EQ(typing.released_chars(), 3u);
}

TEST(TypingEffect, ALateTickReleasesEverythingDue) {
  TypingEffect typing(10.0);
  TextChunks out;
  typing.Push("abcdef", 0, &out);
  out.Clear();
  typing.Tick(350, &out);  // b, c, d were due at 100, 200, 300
  EXPECT_EQ(PiecesOf(out), (Pieces{"b", "c", "d"}));
  EXPECT_EQ(typing.WakeAtMs(), 400);
}

TEST(TypingEffect, NoCatchUpBurstAfterWaitingForText) {
  TypingEffect typing(10.0);
  TextChunks out;
  typing.Push("a", 0, &out);
  out.Clear();
  typing.Push("bc", 1000, &out);  // idle since 0: b at once, c a slot later
  EXPECT_EQ(PiecesOf(out), Pieces{"b"});
  EXPECT_EQ(typing.WakeAtMs(), 1100);
}

TEST(TypingEffect, TheRateHoldsAcrossDeltas) {
  TypingEffect typing(10.0);
  TextChunks out;
  typing.Push("a", 0, &out);
  out.Clear();
  typing.Push("b", 50, &out);  // the next slot is at 100
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(typing.WakeAtMs(), 100);
}

TEST(TypingEffect, NoDriftFromRounding) {
  TypingEffect typing(30.0);  // 33.33 ms a character
  TextChunks out;
  typing.Push(std::string(300, 'x'), 0, &out);
  typing.Tick(9966, &out);
  EXPECT_EQ(out.size(), 299u);
  typing.Tick(9967, &out);  // ceil(299 * 1000 / 30)
  EXPECT_EQ(out.size(), 300u);
}

TEST(TypingEffect, NeverCutsACharacter) {
  TypingEffect typing(10.0);
  TextChunks out;
  typing.Push("\xC3", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(typing.WakeAtMs(), -1);  // waiting for bytes, not for time
  typing.Push("\xA9x\xF0\x9F", 10, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"é"});
  out.Clear();
  typing.Tick(110, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"x"});
  EXPECT_EQ(typing.WakeAtMs(), -1);
  out.Clear();
  typing.Push("\x98\x80", 500, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"😀"});
}

TEST(TypingEffect, FlushReleasesEverythingAtOnce) {
  TypingEffect typing(1.0);
  TextChunks out;
  typing.Push("slow text\xE2\x82", 0, &out);
  out.Clear();
  typing.Flush(5, &out);
  EXPECT_EQ(out.text(), "low text\xE2\x82");
  EXPECT_EQ(typing.held_bytes(), 0u);
  EXPECT_EQ(typing.WakeAtMs(), -1);
}

TEST(TypingEffect, OnePiecePerCallWhenAsked) {
  TypingEffect typing({.chars_per_second = 10, .piece_per_char = false});
  TextChunks out;
  typing.Push("abcd", 0, &out);
  out.Clear();
  typing.Tick(200, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"bc"});
}

TEST(TypingEffect, NoRateMeansNoDelay) {
  for (double cps : {0.0, -5.0, double(INFINITY), double(NAN)}) {
    TypingEffect typing(cps);
    TextChunks out;
    typing.Push("abc", 0, &out);
    EXPECT_EQ(out.text(), "abc") << cps;
    EXPECT_EQ(typing.WakeAtMs(), -1);
  }
}

TEST(TypingEffect, EarlierTimesCountAsTheLatest) {
  TypingEffect typing(10.0);
  TextChunks out;
  typing.Push("abc", 1000, &out);
  out.Clear();
  typing.Tick(500, &out);  // the clock went back: nothing new
  EXPECT_TRUE(out.empty());
  typing.Tick(1100, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"b"});
}

// Driven at its wake times with bursty input, the output keeps the rate exactly: piece k (one
// code point) no earlier than the anchor plus k slots, and the text and pieces do not depend on
// how the input was chunked.
TEST(TypingEffect, KeepsTheRateUnderBurstyInput) {
  for (const TextSample& sample : TransformSamples()) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      Rng rng(seed);
      std::vector<Arrival> arrivals;
      int64_t t = 0;
      for (size_t at = 0; at < sample.text.size();) {
        const size_t n =
            std::min<size_t>(static_cast<size_t>(rng.Range(1, 40)), sample.text.size() - at);
        arrivals.push_back({t, sample.text.substr(at, n)});
        at += n;
        t += rng.Range(0, 300);
      }
      TypingEffect typing(50.0);  // 20 ms a character
      const Fed fed = Drive(typing, arrivals, /*flush=*/false);
      ASSERT_EQ(fed.text, sample.text.substr(0, fed.text.size())) << sample.name;
      ASSERT_EQ(fed.pieces, CodePointsOf(fed.text)) << sample.name;
      for (size_t i = 1; i < fed.times.size(); ++i) {
        ASSERT_GE(fed.times[i] - fed.times[i - 1], 19) << sample.name << " piece " << i;
      }
      TextChunks rest;
      typing.Flush(t, &rest);
      ASSERT_EQ(fed.text + std::string(rest.text()), sample.text) << sample.name;
    }
  }
}

TEST(TypingEffect, SplitInvariant) {
  ExpectSplitInvariant([] { return std::make_unique<TypingEffect>(40.0); }, true, /*step=*/7);
}

}  // namespace
}  // namespace llmstream::testing
