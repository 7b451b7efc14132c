// Every recorded stream, fed in every standard split (whole, byte by byte, with empty reads,
// fixed and random sizes), must produce exactly the same events and the same result.
#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

class FixtureSplits : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureSplits, SameEventsInEverySplit) {
  const std::string body = ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const StreamOptions options = OptionsForFixture(GetParam());
  const RunResult reference = RunStream(options, body, {"whole", {body.size()}});
  ASSERT_FALSE(reference.events.empty());
  for (const Split& split : StandardSplits(body.size())) {
    const RunResult run = RunStream(options, body, split);
    ASSERT_EQ(run.events.size(), reference.events.size()) << "split " << split.name;
    for (size_t i = 0; i < run.events.size(); ++i) {
      ASSERT_EQ(run.events[i], reference.events[i])
          << "split " << split.name << " event " << i << ": " << Describe(run.events[i]) << " vs "
          << Describe(reference.events[i]);
    }
    EXPECT_EQ(run.completion.text(), reference.completion.text()) << split.name;
  }
}

TEST_P(FixtureSplits, ChunkTemplatesChangeNothing) {
  const std::string body = ReadFixture(GetParam());
  StreamOptions fast = OptionsForFixture(GetParam());
  StreamOptions slow = fast;
  slow.chunk_templates = false;
  for (const Split& split : {Split{"whole", {body.size()}}, StandardSplits(body.size())[5]}) {
    const RunResult a = RunStream(fast, body, split);
    const RunResult b = RunStream(slow, body, split);
    ASSERT_EQ(a.events.size(), b.events.size()) << split.name;
    for (size_t i = 0; i < a.events.size(); ++i) {
      ASSERT_EQ(a.events[i], b.events[i])
          << split.name << " event " << i << ": " << Describe(a.events[i]) << " vs "
          << Describe(b.events[i]);
    }
  }
}

// A usage's cost comes right after it, in the same batch, whatever the dialect emitted after the
// usage (Anthropic's message_delta: usage then finish; Responses: usage then finish and done):
// the npm package folds the pair into one usage chunk, so a cost anywhere else reaches JS users
// as a usage chunk that says 0.
TEST_P(FixtureSplits, CostComesRightAfterItsUsage) {
  const std::string body = ReadFixture(GetParam());
  const StreamOptions options = OptionsForFixture(GetParam());
  for (const Split& split : StandardSplits(body.size())) {
    Stream stream(options);
    size_t costs = 0;
    auto check = [&](std::span<const Event> batch) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].kind != EventKind::kCost) continue;
        ++costs;
        ASSERT_GT(i, 0u) << split.name << ": a cost opens a batch";
        EXPECT_EQ(batch[i - 1].kind, EventKind::kUsage)
            << split.name << ": the cost follows " << EventKindName(batch[i - 1].kind);
      }
    };
    size_t at = 0;
    int64_t now = 0;
    for (size_t n : split.sizes) {
      check(stream.Feed(std::string_view(body).substr(at, n), now++));
      at += n;
    }
    check(stream.Finish(now));
    // Not vacuous: a priced stream has its costs.
    EXPECT_EQ(costs > 0, stream.result().cost.known()) << split.name;
  }
}

TEST_P(FixtureSplits, NeverSilentAboutTheEnd) {
  const std::string body = ReadFixture(GetParam());
  const RunResult run = RunStream(OptionsForFixture(GetParam()), body, {"whole", {body.size()}});
  ASSERT_FALSE(run.events.empty());
  const EventKind last = run.events.back().kind;
  // A stream ends with done, or with an error that says why it did not finish.
  EXPECT_TRUE(last == EventKind::kDone || last == EventKind::kError) << Describe(run.events.back());
  EXPECT_EQ(run.completion.finished, last == EventKind::kDone);
  EXPECT_EQ(static_cast<bool>(run.completion.error), last == EventKind::kError);
}

TEST_P(FixtureSplits, CutAnywhereKeepsThePartialResult) {
  const std::string body = ReadFixture(GetParam());
  const StreamOptions options = OptionsForFixture(GetParam());
  const RunResult whole = RunStream(options, body, {"whole", {body.size()}});
  for (size_t cut : {body.size() / 3, body.size() / 2, body.size() - 2}) {
    const RunResult run = RunStream(options, body.substr(0, cut), {"whole", {cut}});
    // Whatever arrived before the cut is kept: the text is a prefix of the full text.
    EXPECT_EQ(whole.completion.text().substr(0, run.completion.text().size()),
              run.completion.text())
        << "cut at " << cut;
    if (!run.completion.finished) {
      EXPECT_TRUE(run.completion.error) << "cut at " << cut << " ended silently";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, FixtureSplits, ::testing::ValuesIn(FixtureFiles()),
                         FixtureTestName);

}  // namespace
}  // namespace llmstream::testing
