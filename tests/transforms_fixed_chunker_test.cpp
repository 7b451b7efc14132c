// FixedChunker: fixed-size pieces (code points or bytes), never cutting a character.
#include <gtest/gtest.h>

#include "llmstream/transforms/fixed_chunker.h"
#include "transforms/utf8.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

using Pieces = std::vector<std::string>;

TEST(FixedChunker, PiecesOfExactlyNCodePointsThenTheRest) {
  FixedChunker chunker({.size = 3});
  EXPECT_EQ(FeedWhole(chunker, "abcdefg").pieces, (Pieces{"abc", "def", "g"}));
  EXPECT_EQ(chunker.chunks(), 3u);
  FixedChunker utf8({.size = 2});
  EXPECT_EQ(FeedWhole(utf8, "ééé€😀").pieces, (Pieces{"éé", "é€", "😀"}));
}

TEST(FixedChunker, AFullPieceComesOutAtOnce) {
  FixedChunker chunker({.size = 4});
  TextChunks out;
  chunker.Push("ab", 0, &out);
  EXPECT_TRUE(out.empty());
  chunker.Push("cdef", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"abcd"});
  EXPECT_EQ(chunker.held_bytes(), 2u);
  out.Clear();
  chunker.Flush(0, &out);  // the guide's 'final' piece
  EXPECT_EQ(PiecesOf(out), Pieces{"ef"});
  out.Clear();
  chunker.Flush(0, &out);  // nothing left
  EXPECT_TRUE(out.empty());
}

TEST(FixedChunker, ByteModeNeverCutsACharacter) {
  FixedChunker chunker({.size = 3, .unit = ChunkUnit::kBytes});
  // a + é = 3 bytes; € = 3; 😀 = 4 (longer than the size: alone); b.
  EXPECT_EQ(FeedWhole(chunker, "aé€😀b").pieces, (Pieces{"aé", "€", "😀", "b"}));
  FixedChunker two({.size = 2, .unit = ChunkUnit::kBytes});
  // "a" then "é" would be 3 bytes: cut before it.
  EXPECT_EQ(FeedWhole(two, "aéb").pieces, (Pieces{"a", "é", "b"}));
}

TEST(FixedChunker, ZeroSizeCountsAsOne) {
  FixedChunker chunker({.size = 0});
  EXPECT_EQ(FeedWhole(chunker, "ab").pieces, (Pieces{"a", "b"}));
}

TEST(FixedChunker, EveryPieceButTheLastIsFull) {
  for (const TextSample& sample : TransformSamples()) {
    for (size_t size : {1, 5, 64}) {
      FixedChunker chunker({.size = size});
      const Fed fed = FeedWhole(chunker, sample.text);
      ASSERT_EQ(fed.text, sample.text);
      for (size_t i = 0; i + 1 < fed.pieces.size(); ++i) {
        ASSERT_EQ(transforms_internal::Utf8CountUnits(fed.pieces[i]), size)
            << sample.name << " piece " << i;
      }
      FixedChunker bytes({.size = size + 3, .unit = ChunkUnit::kBytes});
      const Fed by_bytes = FeedWhole(bytes, sample.text);
      ASSERT_EQ(by_bytes.text, sample.text);
      for (const std::string& piece : by_bytes.pieces) {
        ASSERT_TRUE(piece.size() <= size + 3 || CodePointsOf(piece).size() == 1) << sample.name;
        ASSERT_EQ(transforms_internal::Utf8CompletePrefix(piece), piece.size()) << sample.name;
      }
    }
  }
}

TEST(FixedChunker, SplitInvariant) {
  ExpectSplitInvariant([] { return std::make_unique<FixedChunker>(FixedChunkerOptions{7}); }, true);
  ExpectSplitInvariant(
      [] {
        return std::make_unique<FixedChunker>(FixedChunkerOptions{5, ChunkUnit::kBytes});
      },
      true);
}

}  // namespace
}  // namespace llmstream::testing
