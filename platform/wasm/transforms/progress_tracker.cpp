#include "progress_tracker.h"

#include "llmstream/event.h"
#include "llmstream/usage.h"

namespace llmstream::wasm {

ProgressTracker::ProgressTracker(double estimate, int unit)
    : progress_(ProgressOptions{.estimate = estimate,
                                .unit = unit == 1   ? ProgressUnit::kChars
                                        : unit == 2 ? ProgressUnit::kChunks
                                                    : ProgressUnit::kTokens}) {}

void ProgressTracker::output(int kind, int part, const std::string& text, double now_ms) {
  if (kind != 0 && kind != 1 && kind != 2 && kind != 4) return;
  Event event;
  event.kind = static_cast<EventKind>(kind);
  event.part = static_cast<uint8_t>(part);
  event.text = text;
  progress_.OnEvent(event, static_cast<int64_t>(now_ms));
}

void ProgressTracker::usage(double output_tokens, double now_ms) {
  if (!(output_tokens >= 0)) return;
  Usage usage;
  usage.output_tokens = static_cast<int64_t>(output_tokens);
  Event event;
  event.kind = EventKind::kUsage;
  event.usage = &usage;
  progress_.OnEvent(event, static_cast<int64_t>(now_ms));
}

void ProgressTracker::end(bool complete, double now_ms) {
  progress_.End(complete, static_cast<int64_t>(now_ms));
}

uintptr_t ProgressTracker::snapshot(double now_ms) {
  const ProgressSnapshot s = progress_.Snapshot(static_cast<int64_t>(now_ms));
  slots_[kProgressDone] = s.done;
  slots_[kProgressEstimate] = s.estimate;
  slots_[kProgressFraction] = s.fraction;
  slots_[kProgressPercent] = s.percent;
  slots_[kProgressRate] = s.rate_per_second;
  slots_[kProgressEtaMs] = static_cast<double>(s.eta_ms);
  slots_[kProgressElapsedMs] = static_cast<double>(s.elapsed_ms);
  slots_[kProgressChunks] = static_cast<double>(s.chunks);
  slots_[kProgressChars] = static_cast<double>(s.chars);
  slots_[kProgressFlags] = (s.tokens_reported ? 1 : 0) | (s.ended ? 2 : 0) | (s.complete ? 4 : 0) |
                           (s.over_estimate ? 8 : 0);
  return reinterpret_cast<uintptr_t>(slots_);
}

}  // namespace llmstream::wasm
