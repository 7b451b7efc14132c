#include "llmstream/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "support/fixtures.h"

namespace llmstream {
namespace {

Event TextEvent(std::string_view text = "x") {
  Event event;
  event.kind = EventKind::kText;
  event.text = text;
  return event;
}

Event KindEvent(EventKind kind, std::string_view text = "") {
  Event event;
  event.kind = kind;
  event.text = text;
  return event;
}

// The seed guide's calculateConsistency, transcribed: population variance, CV in percent.
struct Consistency {
  double mean, standard_deviation, coefficient_of_variation;
};
Consistency SeedConsistency(const std::vector<double>& intervals) {
  double sum = 0;
  for (double v : intervals) sum += v;
  const double mean = sum / static_cast<double>(intervals.size());
  double variance = 0;
  for (double v : intervals) variance += std::pow(v - mean, 2);
  variance /= static_cast<double>(intervals.size());
  return {mean, std::sqrt(variance), std::sqrt(variance) / mean * 100};
}

// Request at 0, headers at 50, first bytes at 60, text chunks at 100, 110, 130, 160, 200 (gaps
// 10, 20, 30, 40), usage of 10 output tokens, done at 210.
MetricsRecorder HandComputedStream() {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnResponse(200, 50);
  metrics.OnBytes(120, 60);
  for (double t : {100.0, 110.0, 130.0, 160.0, 200.0}) {
    metrics.OnBytes(40, t);
    metrics.OnEvent(TextEvent(), t);
  }
  Usage usage;
  usage.input_tokens = 7;
  usage.output_tokens = 10;
  Event usage_event = KindEvent(EventKind::kUsage);
  usage_event.usage = &usage;
  metrics.OnEvent(usage_event, 205);
  metrics.OnEvent(KindEvent(EventKind::kDone, "stop"), 210);
  return metrics;
}

TEST(Metrics, HandComputedLatencies) {
  const MetricsSummary s = HandComputedStream().Summary(1000);
  EXPECT_EQ(s.time_to_headers_ms, 50);
  EXPECT_EQ(s.time_to_first_byte_ms, 60);
  EXPECT_EQ(s.time_to_first_token_ms, 100);
  EXPECT_EQ(s.time_to_first_text_ms, 100);
  EXPECT_FALSE(s.time_to_first_reasoning_ms);
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.total_ms, 210);  // the end, not `now`
  EXPECT_EQ(s.idle_ms, 0);
  EXPECT_EQ(s.output_chunks, 5u);
  EXPECT_EQ(s.text_chunks, 5u);
  EXPECT_EQ(s.events, 7u);
  EXPECT_EQ(s.bytes, 320u);
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.generation_ms, 100);
  EXPECT_DOUBLE_EQ(s.chunks_per_second, 40);  // 4 gaps in 0.1 s
  EXPECT_TRUE(s.tokens_from_usage);
  EXPECT_EQ(s.output_tokens, 10);
  EXPECT_DOUBLE_EQ(s.tokens_per_second, 80);  // 2 tokens per chunk
}

TEST(Metrics, MeanStddevAndCoefficientOfVariationByHand) {
  const LatencyStats itl = HandComputedStream().Summary(1000).inter_token;
  // gaps 10 20 30 40: mean 25, population variance (225 + 25 + 25 + 225) / 4 = 125
  EXPECT_EQ(itl.count, 4u);
  EXPECT_DOUBLE_EQ(itl.mean, 25);
  EXPECT_DOUBLE_EQ(itl.stddev, std::sqrt(125.0));
  EXPECT_DOUBLE_EQ(itl.coefficient_of_variation, std::sqrt(125.0) / 25 * 100);
  EXPECT_NEAR(itl.coefficient_of_variation, 44.72135955, 1e-8);
  EXPECT_EQ(itl.min, 10);
  EXPECT_EQ(itl.max, 40);
  EXPECT_TRUE(itl.exact);
}

TEST(Metrics, PercentilesInterpolateBetweenRanks) {
  const LatencyStats itl = HandComputedStream().Summary(1000).inter_token;
  EXPECT_DOUBLE_EQ(itl.p50, 25);    // position 1.5: 20 + 0.5 * 10
  EXPECT_DOUBLE_EQ(itl.p95, 38.5);  // position 2.85: 30 + 0.85 * 10
  EXPECT_DOUBLE_EQ(itl.p99, 39.7);  // position 2.97
}

TEST(Metrics, PercentilesOfUnorderedGaps) {
  GapDistribution gaps;
  for (double g : {5.0, 1.0, 4.0, 2.0, 3.0}) gaps.Add(g);
  EXPECT_EQ(gaps.Percentile(0), 1);
  EXPECT_EQ(gaps.Percentile(50), 3);
  EXPECT_EQ(gaps.Percentile(100), 5);
  EXPECT_DOUBLE_EQ(gaps.Percentile(90), 4.6);
  EXPECT_EQ(gaps.Percentile(-3), 1);   // clamped
  EXPECT_EQ(gaps.Percentile(250), 5);  // clamped
}

TEST(Metrics, ConsistencyMatchesTheSeedGuide) {
  // Irregular gaps, some zero (several chunks in one read), some long.
  std::vector<double> gaps;
  uint32_t state = 12345;
  for (int i = 0; i < 500; ++i) {
    state = state * 1664525u + 1013904223u;
    gaps.push_back(static_cast<double>(state >> 20) / 37.0 * ((i % 7 == 0) ? 0 : 1));
  }
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  double t = 10;
  metrics.OnEvent(TextEvent(), t);
  for (double gap : gaps) {
    t += gap;
    metrics.OnEvent(TextEvent(), t);
  }
  const LatencyStats itl = metrics.Summary(t).inter_token;
  const Consistency seed = SeedConsistency(gaps);
  // Accumulating t loses a little precision against the raw gaps.
  EXPECT_NEAR(itl.mean, seed.mean, 1e-9 * seed.mean);
  EXPECT_NEAR(itl.stddev, seed.standard_deviation, 1e-7 * seed.standard_deviation);
  EXPECT_NEAR(itl.coefficient_of_variation, seed.coefficient_of_variation, 1e-6);
}

TEST(Metrics, EmptyStream) {
  MetricsRecorder metrics;
  const MetricsSummary s = metrics.Summary(123);
  EXPECT_FALSE(s.time_to_first_token_ms);
  EXPECT_FALSE(s.time_to_headers_ms);
  EXPECT_EQ(s.total_ms, 0);
  EXPECT_EQ(s.output_chunks, 0u);
  EXPECT_EQ(s.inter_token.count, 0u);
  EXPECT_EQ(s.inter_token.p99, 0);
  EXPECT_EQ(s.inter_token.coefficient_of_variation, 0);
  EXPECT_EQ(s.tokens_per_second, 0);
  EXPECT_EQ(s.attempts, 0);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_TRUE(json["firstTokenLatency"].is_null());
  EXPECT_EQ(json["totalTokens"], 0);
  EXPECT_EQ(json["consistency"]["coefficientOfVariation"], 0);
  EXPECT_TRUE(json["usage"].is_null());
  EXPECT_TRUE(json["error"].is_null());
}

TEST(Metrics, DoneWithoutOutput) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(10);
  metrics.OnEvent(KindEvent(EventKind::kDone), 30);
  const MetricsSummary s = metrics.Summary(99);
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.total_ms, 20);
  EXPECT_FALSE(s.time_to_first_token_ms);
  EXPECT_EQ(s.generation_ms, 0);
}

TEST(Metrics, SingleToken) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnEvent(TextEvent("Hello"), 42.5);
  metrics.OnEvent(KindEvent(EventKind::kDone), 43);
  const MetricsSummary s = metrics.Summary(50);
  EXPECT_EQ(s.time_to_first_token_ms, 42.5);
  EXPECT_EQ(s.output_chunks, 1u);
  EXPECT_EQ(s.inter_token.count, 0u);
  EXPECT_EQ(s.inter_token.mean, 0);
  EXPECT_EQ(s.inter_token.p50, 0);
  EXPECT_EQ(s.chunks_per_second, 0);
  EXPECT_EQ(s.tokens_per_second, 0);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_EQ(json["firstTokenLatency"], 42.5);
  EXPECT_EQ(json["totalTokens"], 1);
  EXPECT_EQ(json["tokensPerSecond"], 0);
}

TEST(Metrics, StallsAreGapsAboveTheThreshold) {
  MetricsRecorder metrics;  // default threshold 1000 ms
  metrics.OnRequestStart(0);
  double t = 5000;  // a slow first token is latency, not a stall
  for (double gap : {0.0, 10.0, 1500.0, 20.0, 1000.0, 3000.0, 5.0}) {
    t += gap;
    metrics.OnEvent(TextEvent(), t);
  }
  MetricsSummary s = metrics.Summary(t);
  EXPECT_EQ(s.stall_threshold_ms, 1000);
  EXPECT_EQ(s.stalls, 2u);  // 1500 and 3000; exactly 1000 is not above the threshold
  EXPECT_EQ(s.longest_stall_ms, 3000);

  MetricsRecorder strict({.stall_threshold_ms = 15});
  t = 0;
  for (double gap : {0.0, 10.0, 20.0, 16.0, 5.0}) {
    t += gap;
    strict.OnEvent(TextEvent(), t);
  }
  s = strict.Summary(t);
  EXPECT_EQ(s.stalls, 2u);
  EXPECT_EQ(s.longest_stall_ms, 20);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_EQ(json["stalls"]["count"], 2);
  EXPECT_EQ(json["stalls"]["longest"], 20);
  EXPECT_EQ(json["stalls"]["threshold"], 15);
}

TEST(Metrics, LiveSummaryWhileRunning) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(1000);
  metrics.OnEvent(TextEvent(), 1100);
  metrics.OnEvent(TextEvent(), 1150);
  MetricsSummary s = metrics.Summary(1400);
  EXPECT_FALSE(s.ended);
  EXPECT_EQ(s.total_ms, 400);
  EXPECT_EQ(s.idle_ms, 250);
  // An earlier `now` than the latest input does not make time run backwards.
  s = metrics.Summary(1120);
  EXPECT_EQ(s.total_ms, 150);
  EXPECT_EQ(s.idle_ms, 0);
}

TEST(Metrics, TimestampsThatGoBackwardsCountAsEqual) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnEvent(TextEvent(), 100);
  metrics.OnEvent(TextEvent(), 90);
  const LatencyStats itl = metrics.Summary(100).inter_token;
  EXPECT_EQ(itl.count, 1u);
  EXPECT_EQ(itl.max, 0);
}

TEST(Metrics, WhatCountsAsAnOutputChunk) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  Event thinking = KindEvent(EventKind::kReasoning, "hmm");
  thinking.part = static_cast<uint8_t>(ReasoningPart::kText);
  Event summary = KindEvent(EventKind::kReasoning, "sum");
  summary.part = static_cast<uint8_t>(ReasoningPart::kSummary);
  Event signature = KindEvent(EventKind::kReasoning, "c2lnbmF0dXJl");
  signature.part = static_cast<uint8_t>(ReasoningPart::kSignature);
  Event redacted = KindEvent(EventKind::kReasoning, "opaque");
  redacted.part = static_cast<uint8_t>(ReasoningPart::kRedacted);
  metrics.OnEvent(thinking, 10);
  metrics.OnEvent(summary, 11);
  metrics.OnEvent(signature, 12);      // opaque: not a chunk
  metrics.OnEvent(redacted, 13);       // opaque: not a chunk
  metrics.OnEvent(TextEvent(""), 14);  // empty: not a chunk
  metrics.OnEvent(TextEvent("a"), 20);
  metrics.OnEvent(KindEvent(EventKind::kRefusal, "no"), 21);
  metrics.OnEvent(KindEvent(EventKind::kToolCallStart), 22);  // not a delta
  metrics.OnEvent(KindEvent(EventKind::kToolCallDelta, "{\"a\""), 23);
  metrics.OnEvent(KindEvent(EventKind::kToolCallEnd, "{\"a\":1}"), 24);  // the whole, not a delta
  metrics.OnEvent(KindEvent(EventKind::kKeepAlive, "ping"), 25);
  metrics.OnEvent(KindEvent(EventKind::kMetadata, "m"), 26);
  metrics.OnEvent(KindEvent(EventKind::kWarning, "w"), 27);
  const MetricsSummary s = metrics.Summary(30);
  EXPECT_EQ(s.reasoning_chunks, 2u);
  EXPECT_EQ(s.text_chunks, 1u);
  EXPECT_EQ(s.refusal_chunks, 1u);
  EXPECT_EQ(s.tool_call_chunks, 1u);
  EXPECT_EQ(s.output_chunks, 5u);
  EXPECT_EQ(s.events, 13u);
  EXPECT_EQ(s.warnings, 1u);
  EXPECT_EQ(s.time_to_first_token_ms, 10);
  EXPECT_EQ(s.time_to_first_reasoning_ms, 10);
  EXPECT_EQ(s.time_to_first_text_ms, 20);
  EXPECT_EQ(s.inter_token.count, 4u);  // 10 -> 11 -> 20 -> 21 -> 23
  EXPECT_EQ(s.inter_token.max, 9);
}

TEST(Metrics, UsageAndCostAreTheLastSnapshot) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  Usage first;
  first.input_tokens = 5;
  Usage last;
  last.input_tokens = 5;
  last.output_tokens = 3;
  last.cached_input_tokens = 2;
  Cost cost;
  cost.total_usd = 0.00125;
  cost.output_usd = 0.001;
  cost.source = CostSource::kPriceTable;
  cost.price_date = "2025-10-01";
  Event event = KindEvent(EventKind::kUsage);
  event.usage = &first;
  metrics.OnEvent(event, 1);
  event.usage = &last;
  metrics.OnEvent(event, 2);
  Event cost_event = KindEvent(EventKind::kCost);
  cost_event.cost = &cost;
  metrics.OnEvent(cost_event, 3);
  const MetricsSummary s = metrics.Summary(4);
  ASSERT_TRUE(s.usage);
  EXPECT_EQ(s.usage->output_tokens, 3);
  ASSERT_TRUE(s.cost);
  EXPECT_EQ(s.cost->total_usd, 0.00125);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_EQ(json["usage"]["promptTokens"], 5);
  EXPECT_EQ(json["usage"]["completionTokens"], 3);
  EXPECT_EQ(json["usage"]["totalTokens"], 8);
  EXPECT_EQ(json["usage"]["cachedTokens"], 2);
  EXPECT_TRUE(json["usage"]["reasoningTokens"].is_null());
  EXPECT_EQ(json["usage"]["estimated"], false);
  EXPECT_EQ(json["cost"]["totalUsd"], 0.00125);
  EXPECT_EQ(json["cost"]["source"], "price_table");
  EXPECT_EQ(json["cost"]["estimated"], false);
  EXPECT_EQ(json["cost"]["priceDate"], "2025-10-01");
  EXPECT_EQ(json["totalTokens"], 3);  // from usage, though no chunk arrived
}

TEST(Metrics, EstimatedUsageDoesNotDriveTokensPerSecond) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnEvent(TextEvent(), 10);
  metrics.OnEvent(TextEvent(), 20);
  metrics.OnEvent(TextEvent(), 30);
  Usage usage;
  usage.output_tokens = 100;
  usage.estimated = true;
  Event event = KindEvent(EventKind::kUsage);
  event.usage = &usage;
  metrics.OnEvent(event, 31);
  Cost cost;
  cost.source = CostSource::kEstimated;
  cost.total_usd = 0.5;
  Event cost_event = KindEvent(EventKind::kCost);
  cost_event.cost = &cost;
  metrics.OnEvent(cost_event, 31);
  const MetricsSummary s = metrics.Summary(40);
  EXPECT_FALSE(s.tokens_from_usage);
  EXPECT_EQ(s.output_tokens, 3);
  EXPECT_DOUBLE_EQ(s.tokens_per_second, 100);  // 2 gaps in 20 ms
  EXPECT_DOUBLE_EQ(s.tokens_per_second, s.chunks_per_second);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_EQ(json["usage"]["estimated"], true);
  EXPECT_EQ(json["cost"]["estimated"], true);
  EXPECT_EQ(json["cost"]["source"], "estimated");
  EXPECT_TRUE(json["cost"]["priceDate"].is_null());
}

TEST(Metrics, RetriesAttemptsAndErrors) {
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnResponse(429, 30);
  metrics.OnBytes(80, 31);  // the error body counts as bytes
  Error rate_limited;
  rate_limited.code = ErrorCode::kRateLimited;
  rate_limited.http_status = 429;
  Event retry = KindEvent(EventKind::kRetry, "429: retrying in 1000 ms");
  retry.error = &rate_limited;
  metrics.OnEvent(retry, 32);
  metrics.OnRequestStart(1032);
  metrics.OnResponse(200, 1052);
  metrics.OnEvent(TextEvent(), 1100);
  Error reset;
  reset.code = ErrorCode::kNetwork;
  Event error = KindEvent(EventKind::kError);
  error.error = &reset;
  metrics.OnEvent(error, 1200);
  const MetricsSummary s = metrics.Summary(5000);
  EXPECT_EQ(s.attempts, 2);
  EXPECT_EQ(s.retries, 1);
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.time_to_headers_ms, 20);        // of the attempt that produced the stream
  EXPECT_EQ(s.time_to_first_byte_ms, 31);     // from the first request
  EXPECT_EQ(s.time_to_first_token_ms, 1100);  // what the user waited, retry included
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.total_ms, 1200);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.error_code, ErrorCode::kNetwork);
  const nlohmann::json json = nlohmann::json::parse(ToJson(s));
  EXPECT_EQ(json["error"]["code"], "network");
  EXPECT_EQ(json["attempts"], 2);
  EXPECT_EQ(json["retries"], 1);
}

TEST(Metrics, RetriesWithoutRequestStartsStillCountAttempts) {
  MetricsRecorder metrics;
  Error error;
  error.code = ErrorCode::kServer;
  Event retry = KindEvent(EventKind::kRetry);
  retry.error = &error;
  metrics.OnEvent(retry, 0);
  metrics.OnEvent(retry, 1);
  EXPECT_EQ(metrics.Summary(2).attempts, 3);
}

// Gaps of a long stream: mostly 5..50 ms, some bursts of 0 ms, rare multi-second stalls.
std::vector<double> LongStreamGaps(size_t n) {
  std::vector<double> gaps;
  gaps.reserve(n);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
    double gap = 5 + 45 * u * u;
    if (i % 11 == 0) gap = 0;
    if (i % 9973 == 0) gap = 1000 + 4000 * u;
    gaps.push_back(gap);
  }
  return gaps;
}

double OrderStatistic(std::vector<double> values, double p) {
  const size_t rank = static_cast<size_t>(std::llround(p / 100 * double(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                   values.end());
  return values[rank];
}

TEST(Metrics, LongStreamMemoryIsBounded) {
  const std::vector<double> gaps = LongStreamGaps(1'000'000);
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  double t = 100;
  metrics.OnEvent(TextEvent(), t);
  size_t memory_after_100k = 0;
  for (size_t i = 0; i < gaps.size(); ++i) {
    t += gaps[i];
    metrics.OnEvent(TextEvent(), t);
    if (i == 100'000) memory_after_100k = metrics.MemoryBytes();
  }
  EXPECT_EQ(metrics.MemoryBytes(), memory_after_100k);  // flat per token
  EXPECT_LE(metrics.MemoryBytes(), 40u * 1024);
  const MetricsSummary s = metrics.Summary(t);
  EXPECT_EQ(s.output_chunks, 1'000'001u);
  EXPECT_FALSE(s.inter_token.exact);
  // Percentiles within 1 % of the exact order statistics; mean, max, stddev stay exact.
  for (auto [p, value] : {std::pair{50.0, s.inter_token.p50}, std::pair{95.0, s.inter_token.p95},
                          std::pair{99.0, s.inter_token.p99}}) {
    const double expected = OrderStatistic(gaps, p);
    EXPECT_NEAR(value, expected, 0.01 * expected) << "p" << p;
  }
  // (t accumulates rounding over a million additions: near, not equal)
  EXPECT_NEAR(s.inter_token.max, *std::max_element(gaps.begin(), gaps.end()), 1e-6);
  const Consistency seed = SeedConsistency(gaps);
  EXPECT_NEAR(s.inter_token.mean, seed.mean, 1e-6 * seed.mean);
  EXPECT_NEAR(s.inter_token.stddev, seed.standard_deviation, 1e-5 * seed.standard_deviation);
  EXPECT_EQ(s.stalls, static_cast<uint64_t>(std::count_if(gaps.begin(), gaps.end(),
                                                          [](double g) { return g > 1000; })));
}

TEST(Metrics, PercentilesStayExactUpToTheLimit) {
  GapDistribution gaps(100);
  for (int i = 1; i <= 100; ++i) gaps.Add(i);
  EXPECT_TRUE(gaps.exact());
  EXPECT_DOUBLE_EQ(gaps.Percentile(50), 50.5);
  EXPECT_LE(gaps.MemoryBytes(), 100 * sizeof(double));
  gaps.Add(101);
  EXPECT_FALSE(gaps.exact());
  EXPECT_NEAR(gaps.Percentile(50), 51, 0.51);
  EXPECT_EQ(gaps.Percentile(100), 101);  // clamped to the exact max
  EXPECT_EQ(gaps.Percentile(0), 1);      // and min
}

TEST(Metrics, HistogramRelativeErrorUnderOnePercentAcrossTheRange) {
  // One value per distribution: every percentile is that value, so any error is the bucket's.
  for (double value = 0.0011; value < 5e7; value *= 1.37) {
    GapDistribution gaps(0);
    gaps.Add(value);
    gaps.Add(value);
    gaps.Add(value * 1.0000001);
    ASSERT_FALSE(gaps.exact());
    EXPECT_NEAR(gaps.Percentile(50), value, 0.01 * value) << value;
  }
  GapDistribution tiny(0);
  tiny.Add(0);
  tiny.Add(0.0002);
  tiny.Add(0.0005);
  EXPECT_NEAR(tiny.Percentile(50), 0.0002, 0.001);  // below 1 µs: absolute error under 1 µs
}

TEST(Metrics, BadGapsCountAsZero) {
  GapDistribution gaps;
  gaps.Add(-5);
  gaps.Add(std::nan(""));
  EXPECT_EQ(gaps.count(), 2u);
  EXPECT_EQ(gaps.max(), 0);
  EXPECT_EQ(gaps.stddev(), 0);
}

TEST(Metrics, JsonHasTheSeedGuideKeys) {
  const nlohmann::json json = nlohmann::json::parse(ToJson(HandComputedStream().Summary(1000)));
  EXPECT_EQ(json["firstTokenLatency"], 100);
  EXPECT_EQ(json["averageInterTokenLatency"], 25);
  EXPECT_EQ(json["totalTokens"], 10);
  EXPECT_EQ(json["tokensPerSecond"], 80);
  EXPECT_EQ(json["consistency"]["mean"], 25);
  EXPECT_NEAR(json["consistency"]["standardDeviation"].get<double>(), std::sqrt(125.0), 1e-8);
  EXPECT_NEAR(json["consistency"]["coefficientOfVariation"].get<double>(), 44.72135955, 1e-7);
  EXPECT_EQ(json["timeToHeaders"], 50);
  EXPECT_EQ(json["timeToFirstByte"], 60);
  EXPECT_TRUE(json["timeToFirstReasoning"].is_null());
  EXPECT_EQ(json["totalTime"], 210);
  EXPECT_EQ(json["ended"], true);
  EXPECT_EQ(json["outputChunks"], 5);
  EXPECT_EQ(json["bytes"], 320);
  EXPECT_EQ(json["chunksPerSecond"], 40);
  EXPECT_EQ(json["tokensFromUsage"], true);
  EXPECT_EQ(json["interTokenLatency"]["p50"], 25);
  EXPECT_EQ(json["interTokenLatency"]["p95"], 38.5);
  EXPECT_EQ(json["interTokenLatency"]["max"], 40);
  EXPECT_EQ(json["interTokenLatency"]["exact"], true);
  EXPECT_EQ(json["status"], 200);
  EXPECT_TRUE(json["cost"].is_null());
}

TEST(Metrics, JsonWritesNonFiniteNumbersAsNull) {
  MetricsSummary s;
  s.tokens_per_second = std::numeric_limits<double>::infinity();
  s.inter_token.mean = std::nan("");
  s.total_ms = -0.0;
  const std::string text = ToJson(s);
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_TRUE(json["tokensPerSecond"].is_null());
  EXPECT_TRUE(json["averageInterTokenLatency"].is_null());
  EXPECT_EQ(text.find("-0"), std::string::npos);
}

TEST(Metrics, FixtureThroughAStream) {
  const std::string body = testing::ReadFixture("openai-chat-text-usage.sse");
  Stream stream(testing::OptionsForFixture("openai-chat-text-usage.sse"));
  MetricsRecorder metrics;
  metrics.OnRequestStart(0);
  metrics.OnResponse(200, 5);
  uint64_t text_events = 0;
  // One SSE event per 10 ms, as a server flushing each chunk would deliver it.
  double t = 10;
  size_t start = 0;
  auto handle = [&](std::span<const Event> events) {
    for (const Event& event : events) {
      if (event.kind == EventKind::kText && !event.text.empty()) ++text_events;
      metrics.OnEvent(event, t);
    }
  };
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    end = end == std::string::npos ? body.size() : end + 2;
    metrics.OnBytes(end - start, t);
    handle(stream.Feed(std::string_view(body).substr(start, end - start), int64_t(t)));
    start = end;
    t += 10;
  }
  handle(stream.Finish(int64_t(t)));
  const MetricsSummary s = metrics.Summary(t);
  ASSERT_GT(text_events, 1u);
  EXPECT_EQ(s.text_chunks, text_events);
  EXPECT_EQ(s.bytes, body.size());
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.error_code, ErrorCode::kNone);
  ASSERT_TRUE(s.usage);
  EXPECT_EQ(s.usage->output_tokens, stream.result().usage.output_tokens);
  EXPECT_TRUE(s.tokens_from_usage);
  EXPECT_EQ(s.inter_token.min, 10);
}

}  // namespace
}  // namespace llmstream
