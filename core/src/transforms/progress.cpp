#include "llmstream/transforms/progress.h"

#include <algorithm>
#include <cmath>

#include "llmstream/usage.h"
#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

Progress::Progress(ProgressOptions options) : options_(options) {}

void Progress::Count(std::string_view text, int64_t now_ms) {
  if (text.empty()) return;
  ++chunks_;
  for (unsigned char c : text) chars_ += !IsContinuation(c);
  if (first_ms_ < 0) first_ms_ = now_ms;
  last_ms_ = std::max(last_ms_, now_ms);
}

void Progress::OnEvent(const Event& event, int64_t now_ms) {
  if (ended_) return;
  switch (event.kind) {
    case EventKind::kText:
    case EventKind::kRefusal:
      Count(event.text, now_ms);
      break;
    case EventKind::kReasoning:
      if (options_.include_reasoning && (event.reasoning_part() == ReasoningPart::kText ||
                                         event.reasoning_part() == ReasoningPart::kSummary)) {
        Count(event.text, now_ms);
      }
      break;
    case EventKind::kToolCallDelta:
      if (options_.include_tool_calls) Count(event.text, now_ms);
      break;
    case EventKind::kUsage:
      if (event.usage != nullptr && event.usage->output_tokens && !event.usage->estimated) {
        reported_tokens_ = *event.usage->output_tokens;
      }
      break;
    case EventKind::kDone:
      End(true, now_ms);
      break;
    case EventKind::kError:
      End(false, now_ms);
      break;
    default:
      break;
  }
}

void Progress::AddText(std::string_view text, int64_t now_ms) {
  if (!ended_) Count(text, now_ms);
}

void Progress::End(bool complete, int64_t now_ms) {
  if (ended_) return;
  ended_ = true;
  complete_ = complete;
  end_ms_ = now_ms;
}

double Progress::done() const {
  switch (options_.unit) {
    case ProgressUnit::kChars:
      return static_cast<double>(chars_);
    case ProgressUnit::kChunks:
      return static_cast<double>(chunks_);
    case ProgressUnit::kTokens:
      break;
  }
  if (reported_tokens_ >= 0) return static_cast<double>(reported_tokens_);
  return static_cast<double>((chars_ + 3) / 4);
}

ProgressSnapshot Progress::Snapshot(int64_t now_ms) const {
  ProgressSnapshot s;
  s.done = done();
  s.estimate = options_.estimate;
  s.chunks = chunks_;
  s.chars = chars_;
  s.tokens_reported = options_.unit == ProgressUnit::kTokens && reported_tokens_ >= 0;
  s.ended = ended_;
  s.complete = complete_;
  const bool has_estimate = options_.estimate > 0 && std::isfinite(options_.estimate);
  if (has_estimate) s.fraction = std::min(1.0, s.done / options_.estimate);
  s.over_estimate = has_estimate && s.done > options_.estimate;
  if (complete_) s.fraction = 1;
  s.percent = s.fraction * 100;
  const int64_t now = ended_ ? end_ms_ : std::max(now_ms, last_ms_);
  if (first_ms_ >= 0) s.elapsed_ms = std::max<int64_t>(0, now - first_ms_);
  if (s.elapsed_ms > 0) s.rate_per_second = s.done * 1000.0 / static_cast<double>(s.elapsed_ms);
  if (!ended_ && has_estimate) {
    if (s.done >= options_.estimate) {
      s.eta_ms = 0;
    } else if (s.rate_per_second > 0) {
      s.eta_ms = static_cast<int64_t>(
          std::ceil((options_.estimate - s.done) * 1000.0 / s.rate_per_second));
    }
  }
  return s;
}

void Progress::Reset() { *this = Progress(options_); }

}  // namespace llmstream
