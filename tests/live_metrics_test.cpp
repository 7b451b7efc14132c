// LiveMetrics: snapshots at most every interval while output arrives, none while idle, one
// final snapshot once the stream ended, and WakeAtMs saying when the next one is due.
#include "llmstream/live_metrics.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "llmstream/error.h"

namespace llmstream {
namespace {

Event Of(EventKind kind, std::string_view text = "") {
  Event event;
  event.kind = kind;
  event.text = text;
  return event;
}

TEST(LiveMetrics, NothingBeforeOutput) {
  LiveMetrics live({.interval_ms = 100});
  live.recorder().OnRequestStart(0);
  live.OnEvent(Of(EventKind::kMetadata), 5);
  live.OnEvent(Of(EventKind::kText, ""), 6);  // empty deltas are no output
  EXPECT_EQ(live.WakeAtMs(), -1);
  EXPECT_FALSE(live.Poll(1000).has_value());
  EXPECT_EQ(live.snapshots(), 0u);
}

TEST(LiveMetrics, FirstOutputIsDueAtOnceThenAtMostEveryInterval) {
  LiveMetrics live({.interval_ms = 100});
  live.recorder().OnRequestStart(0);
  live.OnEvent(Of(EventKind::kText, "a"), 10);
  EXPECT_EQ(live.WakeAtMs(), 10);
  auto first = live.Poll(10);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->output_chunks, 1u);
  EXPECT_FALSE(first->ended);

  live.OnEvent(Of(EventKind::kText, "b"), 30);
  EXPECT_EQ(live.WakeAtMs(), 110);  // the interval since the last snapshot
  EXPECT_FALSE(live.Poll(109).has_value());
  live.OnEvent(Of(EventKind::kText, "c"), 60);
  auto second = live.Poll(110);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->output_chunks, 3u);
  EXPECT_EQ(live.snapshots(), 2u);
}

TEST(LiveMetrics, IdleStreamGetsNoSnapshots) {
  LiveMetrics live({.interval_ms = 50});
  live.recorder().OnRequestStart(0);
  live.OnEvent(Of(EventKind::kText, "a"), 1);
  ASSERT_TRUE(live.Poll(1).has_value());
  live.OnEvent(Of(EventKind::kKeepAlive, ": ping"), 200);
  EXPECT_EQ(live.WakeAtMs(), -1);
  EXPECT_FALSE(live.Poll(500).has_value());
  // Output after a long pause is due at once: the interval has long passed.
  live.OnEvent(Of(EventKind::kReasoning, "hm"), 700);
  EXPECT_EQ(live.WakeAtMs(), 700);
  auto snapshot = live.Poll(700);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->reasoning_chunks, 1u);
  EXPECT_GT(snapshot->inter_token.max, 600);
}

TEST(LiveMetrics, OneFinalSnapshotAfterDoneWhateverTheInterval) {
  LiveMetrics live({.interval_ms = 1000});
  live.recorder().OnRequestStart(0);
  live.OnEvent(Of(EventKind::kText, "a"), 10);
  ASSERT_TRUE(live.Poll(10).has_value());
  live.OnEvent(Of(EventKind::kText, "b"), 20);
  live.OnEvent(Of(EventKind::kDone, "stop"), 25);
  EXPECT_EQ(live.WakeAtMs(), 25);
  auto final_snapshot = live.Poll(25);
  ASSERT_TRUE(final_snapshot.has_value());
  EXPECT_TRUE(final_snapshot->ended);
  EXPECT_EQ(final_snapshot->output_chunks, 2u);
  EXPECT_DOUBLE_EQ(final_snapshot->total_ms, 25);
  EXPECT_TRUE(live.final_delivered());
  EXPECT_EQ(live.WakeAtMs(), -1);
  EXPECT_FALSE(live.Poll(5000).has_value());
}

TEST(LiveMetrics, ErrorEndsToo) {
  LiveMetrics live;
  live.recorder().OnRequestStart(0);
  Error error;
  error.code = ErrorCode::kNetwork;
  Event event = Of(EventKind::kError);
  event.error = &error;
  live.OnEvent(event, 40);
  auto snapshot = live.Poll(41);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_TRUE(snapshot->ended);
  EXPECT_EQ(snapshot->error_code, ErrorCode::kNetwork);
  EXPECT_FALSE(live.Poll(42).has_value());
}

TEST(LiveMetrics, SnapshotsNeverCloserThanTheInterval) {
  LiveMetrics live({.interval_ms = 30});
  live.recorder().OnRequestStart(0);
  std::vector<double> taken;
  for (int t = 1; t <= 300; ++t) {  // one output chunk per ms, polled every ms
    live.OnEvent(Of(EventKind::kText, "x"), t);
    if (live.Poll(t)) taken.push_back(t);
  }
  ASSERT_GE(taken.size(), 9u);
  for (size_t i = 1; i < taken.size(); ++i) EXPECT_GE(taken[i] - taken[i - 1], 30);
  EXPECT_LE(taken.size(), 11u);
}

TEST(LiveMetrics, ZeroIntervalSnapshotsEveryPollAfterOutput) {
  LiveMetrics live({.interval_ms = 0});
  live.recorder().OnRequestStart(0);
  live.OnEvent(Of(EventKind::kText, "a"), 1);
  EXPECT_TRUE(live.Poll(1).has_value());
  EXPECT_FALSE(live.Poll(1).has_value());  // nothing new
  live.OnEvent(Of(EventKind::kText, "b"), 1);
  EXPECT_TRUE(live.Poll(1).has_value());
}

}  // namespace
}  // namespace llmstream
