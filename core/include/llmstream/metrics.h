// Streaming metrics: a sans-I/O recorder that a platform feeds with what it sees of one
// completion (request start, response headers, body bytes, events) plus the caller's timestamps,
// and that summarizes latency, throughput, stalls, usage and cost at any moment (live) or once the
// stream ended (final). The CLI prints it; the wasm build, the npm package and the playground use
// the same code so that every face reports the same numbers.
//
//   MetricsRecorder metrics;
//   metrics.OnRequestStart(now());                 // each attempt's request is sent
//   metrics.OnResponse(200, now());                // its status and headers arrived
//   metrics.OnBytes(read.size(), now());           // each body read
//   for (const Event& e : events) metrics.OnEvent(e, now());
//   MetricsSummary summary = metrics.Summary(now());
//   std::string json = ToJson(summary);
//
// Time. Every `now_ms` is milliseconds on one monotonic clock of the caller's choice (the same for
// every call). It is a double so that sub-millisecond clocks (std::chrono::steady_clock,
// performance.now()) keep their precision; the int64 milliseconds of Stream / Session convert
// implicitly. A timestamp earlier than the previous one counts as equal to it (gaps never go
// negative). Nothing here reads a clock.
//
// Definitions (the seed guide calls every text chunk a "token"; we are more precise):
//  - Output chunk: one output delta event with non-empty text: kText, kRefusal, kReasoning with
//    part kText or kSummary (not signatures nor redacted data, which are opaque blobs), or
//    kToolCallDelta. Providers put one or a few tokens in each delta, so chunks approximate
//    tokens; real token counts come from usage (kUsage) when the provider reports it.
//  - Time to first token: first output chunk minus the first OnRequestStart (what the user waits,
//    retries included). Time to headers: the last response's OnResponse minus the start of the
//    attempt it answers (server + network latency of the attempt that produced the stream).
//  - Inter-token latency (ITL): the gaps between consecutive output chunks (n chunks, n - 1
//    gaps), whatever their kind. Mean and standard deviation are population statistics, exactly
//    as the seed guide's calculateConsistency; the coefficient of variation is stddev / mean in
//    percent. A stall is a gap longer than MetricsOptions::stall_threshold_ms.
//  - Generation time: first output chunk to last output chunk. chunks_per_second =
//    (n - 1) / generation time. tokens_per_second = chunks_per_second * output_tokens / n with
//    the usage the provider reported (average tokens per chunk times chunks per second, so one
//    token per chunk gives the same figure), else chunks_per_second. Both are 0 with fewer than
//    two chunks. output_tokens includes reasoning tokens, also hidden ones.
//
// Memory is bounded whatever the stream length: see GapDistribution.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/usage.h"

namespace llmstream {

// A distribution of gaps (durations in ms) in bounded memory. Count, mean, population standard
// deviation (Welford), min and max are always exact. Percentiles are exact (linear interpolation
// between the closest ranks, like numpy's default and Excel's PERCENTILE.INC) while at most
// `exact_limit` gaps were added. Past that, every gap moves into a fixed logarithmic histogram
// (DDSketch buckets: relative accuracy 0.99 %, about 1300 buckets covering 1 µs .. 28 h, 10 KiB)
// and a percentile is the value of the order statistic of rank round(p / 100 * (count - 1))
// within 1 % relative error (absolute error below 1 µs for gaps under 1 µs; gaps above 28 h
// share the last bucket), clamped to [min, max]. exact_limit = 0 uses the histogram from the
// start. Memory never exceeds exact_limit doubles or the histogram, whichever is larger.
class GapDistribution {
 public:
  static constexpr size_t kDefaultExactLimit = 4096;

  explicit GapDistribution(size_t exact_limit = kDefaultExactLimit);

  void Add(double gap_ms);  // negative and NaN gaps count as 0

  uint64_t count() const { return count_; }
  double mean() const { return mean_; }
  double stddev() const;  // population (divides by count); 0 when empty
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }
  // p in [0, 100] (clamped); 0 when empty.
  double Percentile(double p) const;
  // True while percentiles are exact (no switch to the histogram yet).
  bool exact() const { return buckets_.empty(); }
  // Heap bytes held (capacity, not size): bounded, see above.
  size_t MemoryBytes() const;

 private:
  void SwitchToHistogram();
  void AddToHistogram(double gap_ms);

  size_t exact_limit_;
  uint64_t count_ = 0;
  double mean_ = 0;
  double m2_ = 0;  // Welford: sum of squared deviations from the running mean
  double min_ = 0;
  double max_ = 0;
  std::vector<double> exact_;      // every gap, in arrival order, until the switch
  std::vector<uint64_t> buckets_;  // the histogram after the switch; [0] holds gaps below 1 µs
};

struct MetricsOptions {
  // A gap between consecutive output chunks longer than this counts as a stall.
  double stall_threshold_ms = 1000;
  // Gaps kept exactly before percentiles switch to the histogram (GapDistribution).
  size_t exact_gap_limit = GapDistribution::kDefaultExactLimit;
};

// Inter-token latency: the gaps between consecutive output chunks, in ms.
struct LatencyStats {
  uint64_t count = 0;  // gaps (= output chunks - 1, or 0)
  double mean = 0;
  double stddev = 0;                    // population
  double coefficient_of_variation = 0;  // stddev / mean * 100; 0 when the mean is 0
  double min = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
  bool exact = true;  // false: percentiles from the histogram, within 1 %
};

// A snapshot of the metrics. Durations are milliseconds; a time that has not happened (yet) is
// nullopt. See the top of this file for the definitions.
struct MetricsSummary {
  std::optional<double> time_to_headers_ms;
  std::optional<double> time_to_first_byte_ms;   // first non-empty body read, from request start
  std::optional<double> time_to_first_token_ms;  // first output chunk of any kind
  std::optional<double> time_to_first_text_ms;   // first kText chunk
  std::optional<double> time_to_first_reasoning_ms;
  // Request start to the end of the stream (kDone / kError), or to `now` while it runs.
  double total_ms = 0;
  bool ended = false;
  // While running: now minus the last output chunk (or the request start before any); 0 once
  // ended. Lets a live view show a stall as it happens.
  double idle_ms = 0;

  uint64_t output_chunks = 0;
  uint64_t text_chunks = 0;
  uint64_t reasoning_chunks = 0;
  uint64_t refusal_chunks = 0;
  uint64_t tool_call_chunks = 0;
  uint64_t events = 0;  // every event passed to OnEvent
  uint64_t bytes = 0;   // body bytes passed to OnBytes, all attempts

  double generation_ms = 0;  // first to last output chunk
  double chunks_per_second = 0;
  double tokens_per_second = 0;
  bool tokens_from_usage = false;  // tokens_per_second / output_tokens come from reported usage
  int64_t output_tokens = 0;       // reported usage output_tokens, else output_chunks

  LatencyStats inter_token;
  double stall_threshold_ms = 0;
  uint64_t stalls = 0;
  double longest_stall_ms = 0;  // 0 when there was no stall

  std::optional<Usage> usage;  // the last kUsage snapshot (usage->estimated when estimated)
  std::optional<Cost> cost;    // the last kCost

  int status = 0;    // the last HTTP status (0 when none, e.g. a replay)
  int attempts = 0;  // requests sent: OnRequestStart calls, at least retries + 1
  int retries = 0;   // kRetry events
  uint64_t errors = 0;
  uint64_t warnings = 0;
  ErrorCode error_code = ErrorCode::kNone;  // the last kError's code
  int error_http_status = 0;
};

// Collects metrics of one completion. Cheap per call (no allocation per event in steady state),
// not thread-safe: feed it from the thread that sees the events.
class MetricsRecorder {
 public:
  explicit MetricsRecorder(MetricsOptions options = {});

  // An attempt's request is sent. The first call starts the clock for total / first-token times;
  // each later one (a retry) starts a new attempt for time_to_headers.
  void OnRequestStart(double now_ms);
  // The response status and headers of the current attempt arrived.
  void OnResponse(int status, double now_ms);
  // A body read of n bytes (any attempt, error bodies included).
  void OnBytes(size_t n, double now_ms);
  // Every event the stream produced, in order.
  void OnEvent(const Event& event, double now_ms);

  // The metrics as of `now_ms` (used only while the stream has not ended).
  MetricsSummary Summary(double now_ms) const;

  const MetricsOptions& options() const { return options_; }
  // Cheap reads for callers deciding when to take a Summary (LiveMetrics): output chunks so far,
  // and whether a kDone / kError ended the stream.
  uint64_t output_chunks() const {
    return text_chunks_ + reasoning_chunks_ + refusal_chunks_ + tool_call_chunks_;
  }
  bool ended() const { return end_ms_.has_value(); }
  // Heap bytes held: bounded, whatever the number of events.
  size_t MemoryBytes() const { return gaps_.MemoryBytes(); }

 private:
  void Touch(double now_ms);  // starts the clock if nothing did, keeps time monotonic
  void OnOutputChunk(EventKind kind, double now_ms);

  MetricsOptions options_;
  std::optional<double> start_ms_;
  std::optional<double> last_ms_;  // the latest timestamp seen (monotonic guard)
  double attempt_start_ms_ = 0;
  int request_starts_ = 0;
  std::optional<double> headers_ms_;  // time to headers of the last response
  std::optional<double> first_byte_ms_;
  std::optional<double> first_output_ms_;
  std::optional<double> first_text_ms_;
  std::optional<double> first_reasoning_ms_;
  std::optional<double> last_output_ms_;
  std::optional<double> end_ms_;
  uint64_t text_chunks_ = 0;
  uint64_t reasoning_chunks_ = 0;
  uint64_t refusal_chunks_ = 0;
  uint64_t tool_call_chunks_ = 0;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
  GapDistribution gaps_;
  uint64_t stalls_ = 0;
  double longest_stall_ms_ = 0;
  std::optional<Usage> usage_;
  std::optional<Cost> cost_;
  int status_ = 0;
  int retries_ = 0;
  uint64_t errors_ = 0;
  uint64_t warnings_ = 0;
  ErrorCode error_code_ = ErrorCode::kNone;
  int error_http_status_ = 0;
};

// The summary as one JSON object. The seed guide's benchmark result keys come first, with the
// same meaning where it has one: firstTokenLatency (ms), averageInterTokenLatency (ms),
// totalTokens (output tokens: reported usage, else output chunks), tokensPerSecond, consistency
// {mean, standardDeviation, coefficientOfVariation} (of the inter-token gaps). Then ours, all
// durations in ms, unknown times as null: timeToHeaders, timeToFirstByte, timeToFirstToken,
// timeToFirstText, timeToFirstReasoning, totalTime, ended, idle, outputChunks, textChunks,
// reasoningChunks, refusalChunks, toolCallChunks, events, bytes, generationTime,
// chunksPerSecond, tokensFromUsage, interTokenLatency {count, mean, standardDeviation,
// coefficientOfVariation, min, p50, p95, p99, max, exact}, stalls {count, longest, threshold},
// usage {inputTokens, outputTokens, totalTokens, cachedTokens, cacheWriteTokens,
// reasoningTokens, reportedCostUsd, estimated} or null, cost {totalUsd, inputUsd, cachedInputUsd,
// cacheWriteUsd, outputUsd, source ("provider", "price_table", "estimated"), estimated,
// priceDate} or null, status, attempts, retries, errors, warnings, error {code, httpStatus} or
// null. Non-finite numbers are written as null.
std::string ToJson(const MetricsSummary& summary);

// "provider", "price_table", "estimated" or "none".
std::string_view CostSourceName(CostSource source);

}  // namespace llmstream
