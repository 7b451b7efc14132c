#include "llmstream/live_metrics.h"

#include <algorithm>

namespace llmstream {

LiveMetrics::LiveMetrics(LiveMetricsOptions options)
    : options_(options), recorder_(options.metrics) {}

void LiveMetrics::OnEvent(const Event& event, double now_ms) {
  recorder_.OnEvent(event, now_ms);
  if (recorder_.output_chunks() > seen_output_ && !pending_ms_) pending_ms_ = now_ms;
  if (recorder_.ended() && !ended_ms_) ended_ms_ = now_ms;
}

std::optional<MetricsSummary> LiveMetrics::Poll(double now_ms) {
  if (final_delivered_) return std::nullopt;
  if (ended_ms_) {
    final_delivered_ = true;
  } else {
    const double wake = WakeAtMs();
    if (wake < 0 || now_ms < wake) return std::nullopt;
  }
  seen_output_ = recorder_.output_chunks();
  pending_ms_.reset();
  last_ms_ = now_ms;
  ++snapshots_;
  return recorder_.Summary(now_ms);
}

double LiveMetrics::WakeAtMs() const {
  if (final_delivered_) return -1;
  if (ended_ms_) return *ended_ms_;
  if (!pending_ms_) return -1;
  if (!last_ms_) return *pending_ms_;
  return std::max(*pending_ms_, *last_ms_ + std::max(0.0, options_.interval_ms));
}

}  // namespace llmstream
