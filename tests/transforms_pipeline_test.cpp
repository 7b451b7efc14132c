// Pipeline: transforms composed in order; pieces flow stage to stage; time reaches every stage.
#include <gtest/gtest.h>

#include "llmstream/transforms.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

using Pieces = std::vector<std::string>;

TEST(Pipeline, EmptyPassesTextThrough) {
  Pipeline pipeline;
  TextChunks out;
  pipeline.Push("abc", 0, &out);
  pipeline.Push("", 0, &out);
  pipeline.Flush(0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"abc"});
  EXPECT_EQ(pipeline.WakeAtMs(), -1);
  EXPECT_EQ(pipeline.size(), 0u);
}

TEST(Pipeline, FilterThenWords) {
  Pipeline pipeline;
  pipeline.Emplace<ContentFilter>(std::vector<std::string>{"secret"}, "[x]");
  pipeline.Emplace<WordStream>();
  const Fed fed = FeedSplit(pipeline, "the secret word", {"bytes", std::vector<size_t>(15, 1)});
  EXPECT_EQ(fed.pieces, (Pieces{"the", " [x]", " word"}));
}

TEST(Pipeline, WordsThenBatchesOfWords) {
  Pipeline pipeline;
  pipeline.Emplace<WordStream>();
  Batcher& batcher =
      pipeline.Emplace<Batcher>(BatcherOptions{.max_items = 3, .max_interval_ms = 0});
  TextChunks out;
  pipeline.Push("one two three four five six seven", 0, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "one two three");
  EXPECT_EQ(out.items(0), 3u);  // counted in words, the stage's input
  EXPECT_EQ(out[1], " four five six");
  out.Clear();
  pipeline.Flush(0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{" seven"});
  EXPECT_EQ(batcher.batches(), 3u);
}

TEST(Pipeline, TimeReachesEveryStage) {
  Pipeline pipeline;
  pipeline.Emplace<WordStream>();
  pipeline.Emplace<TypingEffect>(10.0);
  TextChunks out;
  pipeline.Push("ab cd", 0, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"a"});  // "ab" is a word; typed from 0
  EXPECT_EQ(pipeline.WakeAtMs(), 100);
  out.Clear();
  pipeline.Tick(100, &out);
  EXPECT_EQ(PiecesOf(out), Pieces{"b"});
  EXPECT_EQ(pipeline.WakeAtMs(), -1);  // " cd" still waits in WordStream for its end
  EXPECT_EQ(pipeline.held_bytes(), 3u);
  out.Clear();
  pipeline.Push(" ", 150, &out);  // " cd" complete: typed from its slot on (200)
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(pipeline.WakeAtMs(), 200);
  out.Clear();
  pipeline.Flush(150, &out);
  EXPECT_EQ(out.text(), " cd ");
}

TEST(Pipeline, ALaterStageReleasesOnPushEvenWithoutNewInput) {
  Pipeline pipeline;
  pipeline.Emplace<WordStream>();
  pipeline.Emplace<TypingEffect>(10.0);
  TextChunks out;
  pipeline.Push("abc ", 0, &out);
  out.Clear();
  pipeline.Push("x", 250, &out);  // WordStream emits nothing, TypingEffect owes b and c
  EXPECT_EQ(PiecesOf(out), (Pieces{"b", "c"}));
}

TEST(Pipeline, MarkdownLastOverFilteredText) {
  const std::string text = "# Secret plans\n\nThe **secret** is [here](https://x.test/secret).\n";
  Pipeline pipeline;
  pipeline.Emplace<ContentFilter>(std::vector<std::string>{"secret"}, "s*****", true);
  SafeMarkdown& markdown = pipeline.Emplace<SafeMarkdown>();
  const Fed fed = FeedSplit(pipeline, text, StandardSplits(text.size())[1]);
  EXPECT_EQ(fed.text, markdown.Html());
  SafeMarkdown direct;
  TextChunks out;
  direct.Push("# s***** plans\n\nThe **s******* is [here](https://x.test/s*****).\n", 0, &out);
  direct.Flush(0, &out);
  EXPECT_EQ(markdown.Html(), direct.Html());
}

TEST(Pipeline, Nests) {
  auto inner = std::make_unique<Pipeline>();
  inner->Emplace<ContentFilter>(std::vector<std::string>{"b"}, "B");
  Pipeline outer;
  outer.Add(std::move(inner));
  outer.Add(nullptr);
  outer.Emplace<FixedChunker>(FixedChunkerOptions{2});
  EXPECT_EQ(outer.size(), 2u);
  EXPECT_EQ(FeedWhole(outer, "abcbd").pieces, (Pieces{"aB", "cB", "d"}));
}

TEST(Pipeline, ResetResetsEveryStage) {
  Pipeline pipeline;
  WordStream& words = pipeline.Emplace<WordStream>();
  pipeline.Emplace<TypingEffect>(1.0);
  TextChunks out;
  pipeline.Push("some words here", 0, &out);
  EXPECT_GT(pipeline.held_bytes(), 0u);
  pipeline.Reset();
  EXPECT_EQ(pipeline.held_bytes(), 0u);
  EXPECT_EQ(words.words(), 0u);
  EXPECT_EQ(pipeline.WakeAtMs(), -1);
}

// A long pipeline of every split-invariant stage: same text and pieces for every split.
TEST(Pipeline, SplitInvariant) {
  auto make = [] {
    auto p = std::make_unique<Pipeline>();
    p->Emplace<ContentFilter>(std::vector<std::string>{"the", "é", "\xF0\x9F\x8E\x89"}, "_", true);
    p->Emplace<WordStream>(WordStreamOptions{true, 9});
    p->Emplace<FixedChunker>(FixedChunkerOptions{4});
    return p;
  };
  ExpectSplitInvariant(make, /*same_pieces=*/true);
  // With timed stages the concatenation still is.
  auto timed = [] {
    auto p = std::make_unique<Pipeline>();
    p->Emplace<WordStream>();
    p->Emplace<Batcher>(BatcherOptions{4, 0, 30});
    p->Emplace<AdaptiveSmoother>();
    p->Emplace<TypingEffect>(500.0);
    return p;
  };
  ExpectSplitInvariant(timed, false, /*step=*/4);
}

// Driven at its wake times, a timed pipeline delivers everything without being flushed.
TEST(Pipeline, DrivenByWakeTimesDeliversEverything) {
  for (const TextSample& sample : TransformSamples()) {
    Pipeline pipeline;
    pipeline.Emplace<Batcher>(BatcherOptions{8, 0, 50});
    pipeline.Emplace<AdaptiveSmoother>(AdaptiveSmootherOptions{200, 10});
    pipeline.Emplace<TypingEffect>(2000.0);
    std::vector<Arrival> arrivals;
    for (size_t at = 0, i = 0; at < sample.text.size(); at += 13, ++i) {
      arrivals.push_back({static_cast<int64_t>(i) * 20, sample.text.substr(at, 13)});
    }
    const Fed fed = Drive(pipeline, arrivals, /*flush=*/false);
    // Everything but a possibly incomplete last character came out by itself.
    EXPECT_LE(sample.text.size() - fed.text.size(), 3u) << sample.name;
    EXPECT_EQ(sample.text.substr(0, fed.text.size()), fed.text) << sample.name;
  }
}

}  // namespace
}  // namespace llmstream::testing
