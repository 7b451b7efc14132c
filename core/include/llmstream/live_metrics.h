// LiveMetrics: periodic snapshots of a MetricsRecorder while a stream runs, for live displays
// (the npm package's `metricsIntervalMs` chunks, a CLI status line), sans-I/O like the rest of
// the core: the caller passes the time in and asks WakeAtMs() when to poll again.
//
//   LiveMetrics live({.interval_ms = 250});
//   live.recorder().OnRequestStart(now);  ...  live.OnEvent(event, now);
//   if (auto snapshot = live.Poll(now)) show(*snapshot);     // also when WakeAtMs() comes
//
// Rules. A live snapshot is due when output arrived since the previous snapshot and interval_ms
// passed since that snapshot (the first one: as soon as there is output), so snapshots come at
// most every interval_ms and only while output arrives (an idle or stalled stream produces
// none). Once the stream ended (a kDone or kError event), Poll returns one final snapshot
// (summary.ended), whatever the interval, and nothing after it.
#pragma once

#include <cstdint>
#include <optional>

#include "llmstream/event.h"
#include "llmstream/metrics.h"

namespace llmstream {

struct LiveMetricsOptions {
  double interval_ms = 250;  // <= 0: a snapshot at every poll that follows new output
  MetricsOptions metrics{};
};

class LiveMetrics {
 public:
  explicit LiveMetrics(LiveMetricsOptions options = {});

  // The recorder: feed OnRequestStart / OnResponse / OnBytes to it directly.
  MetricsRecorder& recorder() { return recorder_; }
  const MetricsRecorder& recorder() const { return recorder_; }

  // Every event, in order (forwarded to the recorder).
  void OnEvent(const Event& event, double now_ms);

  // The snapshot due by now_ms, if any (see the rules above).
  std::optional<MetricsSummary> Poll(double now_ms);

  // When Poll will next return a snapshot without new events: the interval's end when output
  // is waiting for one, the time the stream ended when the final one is pending, -1 when only
  // new events can make one due (and after the final snapshot).
  double WakeAtMs() const;

  uint64_t snapshots() const { return snapshots_; }
  bool final_delivered() const { return final_delivered_; }

 private:
  LiveMetricsOptions options_;
  MetricsRecorder recorder_;
  uint64_t seen_output_ = 0;          // output chunks covered by the last snapshot
  std::optional<double> last_ms_;     // when the last snapshot was taken
  std::optional<double> pending_ms_;  // first output not covered by a snapshot yet
  std::optional<double> ended_ms_;
  bool final_delivered_ = false;
  uint64_t snapshots_ = 0;
};

}  // namespace llmstream
