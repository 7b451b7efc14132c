// Progress: done vs an estimate (the guide's withProgress), with rate and ETA from timestamps.
#include <gtest/gtest.h>

#include "llmstream/transforms/progress.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

Event Text(std::string_view text) {
  Event e;
  e.kind = EventKind::kText;
  e.text = text;
  return e;
}

TEST(Progress, CountsChunksLikeTheGuide) {
  // The guide: tokenCount++ per text chunk, progress = min(100, count / estimated * 100).
  Progress progress({.estimate = 4, .unit = ProgressUnit::kChunks});
  progress.OnEvent(Text("Hello"), 0);
  progress.OnEvent(Text(" world"), 10);
  ProgressSnapshot p = progress.Snapshot(10);
  EXPECT_EQ(p.done, 2);
  EXPECT_DOUBLE_EQ(p.fraction, 0.5);
  EXPECT_DOUBLE_EQ(p.percent, 50);
  EXPECT_EQ(p.chunks, 2u);
  EXPECT_EQ(p.chars, 11u);
  for (int i = 0; i < 4; ++i) progress.OnEvent(Text("x"), 20);
  p = progress.Snapshot(20);
  EXPECT_DOUBLE_EQ(p.fraction, 1);  // capped
  EXPECT_TRUE(p.over_estimate);
  EXPECT_EQ(p.eta_ms, 0);
}

TEST(Progress, EmptyDeltasDoNotCount) {
  Progress progress({.estimate = 10, .unit = ProgressUnit::kChunks});
  progress.OnEvent(Text(""), 0);
  EXPECT_EQ(progress.Snapshot(0).chunks, 0u);
}

TEST(Progress, RateAndEtaFromTimestamps) {
  Progress progress({.estimate = 100, .unit = ProgressUnit::kChars});
  ProgressSnapshot p = progress.Snapshot(0);
  EXPECT_EQ(p.eta_ms, -1);  // no rate yet
  progress.OnEvent(Text("0123456789"), 1000);
  EXPECT_EQ(progress.Snapshot(1000).eta_ms, -1);  // one instant: no rate
  progress.OnEvent(Text("0123456789"), 2000);
  p = progress.Snapshot(2000);
  EXPECT_EQ(p.done, 20);
  EXPECT_EQ(p.elapsed_ms, 1000);
  EXPECT_DOUBLE_EQ(p.rate_per_second, 20);
  EXPECT_EQ(p.eta_ms, 4000);  // 80 more at 20 a second
  // Waiting lowers the rate (the live view keeps moving).
  p = progress.Snapshot(4000);
  EXPECT_DOUBLE_EQ(p.rate_per_second, 20.0 / 3);
  EXPECT_EQ(p.eta_ms, 12000);
}

TEST(Progress, TokensAreEstimatedThenReported) {
  Progress progress({.estimate = 10});    // tokens
  progress.OnEvent(Text("12345678"), 0);  // 8 chars: 2 tokens
  ProgressSnapshot p = progress.Snapshot(0);
  EXPECT_EQ(p.done, 2);
  EXPECT_FALSE(p.tokens_reported);
  progress.OnEvent(Text("9"), 1);  // ceil(9 / 4)
  EXPECT_EQ(progress.done(), 3);
  Usage usage;
  usage.output_tokens = 5;
  Event e;
  e.kind = EventKind::kUsage;
  e.usage = &usage;
  progress.OnEvent(e, 2);
  p = progress.Snapshot(2);
  EXPECT_EQ(p.done, 5);
  EXPECT_TRUE(p.tokens_reported);
  EXPECT_DOUBLE_EQ(p.fraction, 0.5);
  // Estimated usage (Session's) is not a report.
  Usage estimated;
  estimated.output_tokens = 9;
  estimated.estimated = true;
  e.usage = &estimated;
  progress.OnEvent(e, 3);
  EXPECT_EQ(progress.done(), 5);
}

TEST(Progress, DoneCompletesTheBarErrorLeavesIt) {
  Progress ok({.estimate = 100, .unit = ProgressUnit::kChunks});
  ok.OnEvent(Text("a"), 0);
  Event done;
  done.kind = EventKind::kDone;
  ok.OnEvent(done, 5);
  ProgressSnapshot p = ok.Snapshot(100);
  EXPECT_TRUE(p.ended);
  EXPECT_TRUE(p.complete);
  EXPECT_DOUBLE_EQ(p.fraction, 1);
  EXPECT_EQ(p.eta_ms, -1);
  EXPECT_EQ(p.elapsed_ms, 5);  // frozen at the end
  ok.OnEvent(Text("after the end"), 200);
  EXPECT_EQ(ok.Snapshot(200).chunks, 1u);

  Progress failed({.estimate = 100, .unit = ProgressUnit::kChunks});
  failed.OnEvent(Text("a"), 0);
  Error error{ErrorCode::kNetwork, "reset", "", 0, std::nullopt};
  Event err;
  err.kind = EventKind::kError;
  err.error = &error;
  failed.OnEvent(err, 5);
  p = failed.Snapshot(5);
  EXPECT_TRUE(p.ended);
  EXPECT_FALSE(p.complete);
  EXPECT_DOUBLE_EQ(p.fraction, 0.01);
}

TEST(Progress, WhatCounts) {
  Progress all({.estimate = 100, .unit = ProgressUnit::kChunks});
  Progress text_only({.estimate = 100,
                      .unit = ProgressUnit::kChunks,
                      .include_reasoning = false,
                      .include_tool_calls = false});
  Event reasoning;
  reasoning.kind = EventKind::kReasoning;
  reasoning.text = "thinking";
  Event signature = reasoning;
  signature.part = static_cast<uint8_t>(ReasoningPart::kSignature);
  Event args;
  args.kind = EventKind::kToolCallDelta;
  args.text = "{\"a\":";
  Event keep_alive;
  keep_alive.kind = EventKind::kKeepAlive;
  keep_alive.text = ": ping";
  Event refusal;
  refusal.kind = EventKind::kRefusal;
  refusal.text = "no";
  for (const Event* e : {&reasoning, &signature, &args, &keep_alive, &refusal}) {
    all.OnEvent(*e, 0);
    text_only.OnEvent(*e, 0);
  }
  EXPECT_EQ(all.Snapshot(0).chunks, 3u);        // reasoning text, arguments, refusal
  EXPECT_EQ(text_only.Snapshot(0).chunks, 1u);  // refusal
}

TEST(Progress, AddTextAndUnknownEstimate) {
  Progress progress({.estimate = 0, .unit = ProgressUnit::kChars});
  progress.AddText("héllo", 0);
  progress.AddText("!", 1000);
  const ProgressSnapshot p = progress.Snapshot(1000);
  EXPECT_EQ(p.done, 6);
  EXPECT_EQ(p.fraction, 0);
  EXPECT_EQ(p.eta_ms, -1);
  EXPECT_FALSE(p.over_estimate);
  progress.Reset();
  EXPECT_EQ(progress.Snapshot(0).chars, 0u);
}

// Over every fixture's events: the counts agree with the assembled completion.
TEST(Progress, OverFixtureStreams) {
  for (const std::string& file : FixtureFiles()) {
    const std::vector<StoredEvent> events = FixtureEvents(file);
    Progress progress({.estimate = 50,
                       .unit = ProgressUnit::kChars,
                       .include_reasoning = false,
                       .include_tool_calls = false});
    Progress tokens({.estimate = 50});
    bool any_done = false;
    int64_t now = 0;
    for (const StoredEvent& stored : events) {
      const Event e = stored.view();
      progress.OnEvent(e, now);
      tokens.OnEvent(e, now);
      now += 10;
      any_done = any_done || e.kind == EventKind::kDone;
    }
    const std::string body = ReadFixture(file);
    const RunResult run = RunStream(OptionsForFixture(file), body, {"whole", {body.size()}});
    uint64_t expected_chars = 0;
    for (const Choice& c : run.completion.choices) {
      expected_chars += CodePointsOf(c.text).size() + CodePointsOf(c.refusal).size();
    }
    const ProgressSnapshot p = progress.Snapshot(now);
    EXPECT_EQ(p.chars, expected_chars) << file;
    EXPECT_EQ(p.complete, any_done) << file;
    if (any_done) {
      EXPECT_DOUBLE_EQ(p.fraction, 1) << file;
    }
    const ProgressSnapshot t = tokens.Snapshot(now);
    if (run.completion.usage.output_tokens && !run.completion.usage.estimated) {
      EXPECT_TRUE(t.tokens_reported) << file;
      EXPECT_EQ(t.done, double(*run.completion.usage.output_tokens)) << file;
    }
  }
}

}  // namespace
}  // namespace llmstream::testing
