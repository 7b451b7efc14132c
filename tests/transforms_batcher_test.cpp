// Batcher: deltas grouped by count, size and age (the guide's StreamBuffer), sans-I/O.
#include <gtest/gtest.h>

#include "llmstream/transforms/batcher.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

using Pieces = std::vector<std::string>;

TEST(Batcher, EmitsWhenMaxItemsIsReached) {
  Batcher batcher({.max_items = 3, .max_bytes = 0, .max_interval_ms = 0});
  TextChunks out;
  batcher.Push("a", 0, &out);
  batcher.Push("b", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(batcher.open_items(), 2u);
  batcher.Push("c", 0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "abc");
  EXPECT_EQ(out.items(0), 3u);  // the guide's batch.items.length
  EXPECT_EQ(batcher.batches(), 1u);
}

TEST(Batcher, EmitsWhenMaxBytesIsReached) {
  Batcher batcher({.max_items = 0, .max_bytes = 5, .max_interval_ms = 0});
  TextChunks out;
  batcher.Push("abc", 0, &out);
  EXPECT_TRUE(out.empty());
  batcher.Push("defg", 0, &out);  // deltas are never cut: 7 bytes
  EXPECT_EQ(PiecesOf(out), Pieces{"abcdefg"});
  EXPECT_EQ(out.items(0), 2u);
}

TEST(Batcher, EmitsWhenTheIntervalElapsed) {
  Batcher batcher({.max_items = 10, .max_bytes = 0, .max_interval_ms = 100});
  TextChunks out;
  EXPECT_EQ(batcher.WakeAtMs(), -1);
  batcher.Push("a", 0, &out);
  batcher.Push("b", 50, &out);
  EXPECT_EQ(batcher.WakeAtMs(), 100);  // from the batch's first delta
  batcher.Tick(99, &out);
  EXPECT_TRUE(out.empty());
  batcher.Tick(100, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"ab"});
  EXPECT_EQ(out.items(0), 2u);
  EXPECT_EQ(batcher.WakeAtMs(), -1);
}

TEST(Batcher, AnOverdueBatchGoesOutBeforeTheNextDelta) {
  Batcher batcher({.max_items = 10, .max_bytes = 0, .max_interval_ms = 100});
  TextChunks out;
  batcher.Push("a", 0, &out);
  batcher.Push("b", 250, &out);  // the caller missed the wake at 100
  EXPECT_EQ(PiecesOf(out), Pieces{"a"});
  EXPECT_EQ(batcher.WakeAtMs(), 350);
}

TEST(Batcher, FlushEmitsTheRest) {
  Batcher batcher({.max_items = 10, .max_bytes = 0, .max_interval_ms = 0});
  TextChunks out;
  batcher.Flush(0, &out);
  EXPECT_TRUE(out.empty());
  batcher.Push("x", 0, &out);
  batcher.Push("y", 0, &out);
  batcher.Flush(0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"xy"});
}

TEST(Batcher, EmptyDeltasAreItems) {
  Batcher batcher({.max_items = 2, .max_bytes = 0, .max_interval_ms = 0});
  TextChunks out;
  batcher.Push("", 0, &out);
  batcher.Push("", 0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "");
  EXPECT_EQ(out.items(0), 2u);
}

TEST(Batcher, ABatchNeverEndsInsideACharacter) {
  Batcher batcher({.max_items = 0, .max_bytes = 2, .max_interval_ms = 100});
  TextChunks out;
  batcher.Push("a\xC3", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"a"});
  EXPECT_EQ(batcher.held_bytes(), 1u);
  EXPECT_EQ(batcher.WakeAtMs(), 100);  // the carried byte opens the next batch
  out.Clear();
  batcher.Push("\xA9", 10, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"é"});
}

// The guide's usage: StreamBuffer(5, 200) over a stream of chunks.
TEST(Batcher, TheGuideStreamBuffer) {
  Batcher batcher({.max_items = 5, .max_bytes = 0, .max_interval_ms = 200});
  std::vector<Arrival> arrivals;
  for (int i = 0; i < 12; ++i) arrivals.push_back({i * 30, std::to_string(i) + " "});
  arrivals.push_back({1000, "late"});
  const Fed fed = Drive(batcher, arrivals);
  // 0..4 and 5..9 by count, 10 and 11 by the interval (opened at 300, due 500), then "late" by
  // the interval too.
  EXPECT_EQ(fed.pieces, (Pieces{"0 1 2 3 4 ", "5 6 7 8 9 ", "10 11 ", "late"}));
  EXPECT_EQ(fed.times, (std::vector<int64_t>{120, 270, 500, 1200}));
}

TEST(Batcher, ItemsAddUpToTheDeltas) {
  for (const TextSample& sample : TransformSamples()) {
    const std::vector<Split> splits = StandardSplits(sample.text.size());
    const Split& split = splits[3];  // fixed-2
    Batcher batcher({.max_items = 4, .max_bytes = 7, .max_interval_ms = 30});
    TextChunks out;
    uint64_t items = 0;
    std::string text;
    int64_t now = 0;
    size_t at = 0;
    for (size_t n : split.sizes) {
      out.Clear();
      batcher.Tick(now, &out);
      batcher.Push(std::string_view(sample.text).substr(at, n), now, &out);
      for (size_t i = 0; i < out.size(); ++i) items += out.items(i);
      text += out.text();
      at += n;
      now += 9;
    }
    out.Clear();
    batcher.Flush(now, &out);
    for (size_t i = 0; i < out.size(); ++i) items += out.items(i);
    text += out.text();
    EXPECT_EQ(items, split.sizes.size()) << sample.name;
    EXPECT_EQ(text, sample.text) << sample.name;
  }
}

TEST(Batcher, ConcatenationIsSplitInvariant) {
  ExpectSplitInvariant(
      [] {
        return std::make_unique<Batcher>(BatcherOptions{3, 16, 20});
      },
      false, /*step=*/5);
}

}  // namespace
}  // namespace llmstream::testing
