#include <algorithm>

#include "llmstream/metrics.h"

namespace llmstream {
namespace {

// Which output kind an event is a chunk of; kDone (never an output kind) when it is none. Opaque
// reasoning parts (signatures, redacted data) are not text the model is generating for the user.
EventKind OutputKind(const Event& event) {
  if (event.text.empty()) return EventKind::kDone;
  switch (event.kind) {
    case EventKind::kText:
    case EventKind::kRefusal:
    case EventKind::kToolCallDelta:
      return event.kind;
    case EventKind::kReasoning:
      return event.reasoning_part() == ReasoningPart::kText ||
                     event.reasoning_part() == ReasoningPart::kSummary
                 ? EventKind::kReasoning
                 : EventKind::kDone;
    default:
      return EventKind::kDone;
  }
}

}  // namespace

MetricsRecorder::MetricsRecorder(MetricsOptions options)
    : options_(options), gaps_(options.exact_gap_limit) {}

void MetricsRecorder::Touch(double now_ms) {
  if (last_ms_ && now_ms < *last_ms_) now_ms = *last_ms_;
  last_ms_ = now_ms;
  if (!start_ms_) {
    start_ms_ = now_ms;
    attempt_start_ms_ = now_ms;
  }
}

void MetricsRecorder::OnRequestStart(double now_ms) {
  Touch(now_ms);
  ++request_starts_;
  attempt_start_ms_ = *last_ms_;
}

void MetricsRecorder::OnResponse(int status, double now_ms) {
  Touch(now_ms);
  status_ = status;
  headers_ms_ = *last_ms_ - attempt_start_ms_;
}

void MetricsRecorder::OnBytes(size_t n, double now_ms) {
  Touch(now_ms);
  if (n == 0) return;
  bytes_ += n;
  if (!first_byte_ms_) first_byte_ms_ = *last_ms_;
}

void MetricsRecorder::OnOutputChunk(EventKind kind, double now_ms) {
  switch (kind) {
    case EventKind::kText:
      ++text_chunks_;
      if (!first_text_ms_) first_text_ms_ = now_ms;
      break;
    case EventKind::kReasoning:
      ++reasoning_chunks_;
      if (!first_reasoning_ms_) first_reasoning_ms_ = now_ms;
      break;
    case EventKind::kRefusal:
      ++refusal_chunks_;
      break;
    default:
      ++tool_call_chunks_;
      break;
  }
  if (!first_output_ms_) first_output_ms_ = now_ms;
  if (last_output_ms_) {
    const double gap = now_ms - *last_output_ms_;
    gaps_.Add(gap);
    if (gap > options_.stall_threshold_ms) {
      ++stalls_;
      longest_stall_ms_ = std::max(longest_stall_ms_, gap);
    }
  }
  last_output_ms_ = now_ms;
}

void MetricsRecorder::OnEvent(const Event& event, double now_ms) {
  Touch(now_ms);
  now_ms = *last_ms_;
  ++events_;
  const EventKind output = OutputKind(event);
  if (output != EventKind::kDone) {
    OnOutputChunk(output, now_ms);
    return;
  }
  switch (event.kind) {
    case EventKind::kUsage:
      if (event.usage) usage_ = *event.usage;
      break;
    case EventKind::kCost:
      if (event.cost) cost_ = *event.cost;
      break;
    case EventKind::kWarning:
      ++warnings_;
      break;
    case EventKind::kRetry:
      ++retries_;
      break;
    case EventKind::kError:
      ++errors_;
      if (event.error) {
        error_code_ = event.error->code;
        error_http_status_ = event.error->http_status;
      }
      end_ms_ = now_ms;
      break;
    case EventKind::kDone:
      end_ms_ = now_ms;
      break;
    default:
      break;
  }
}

MetricsSummary MetricsRecorder::Summary(double now_ms) const {
  MetricsSummary s;
  const double start = start_ms_.value_or(now_ms);
  if (last_ms_) now_ms = std::max(now_ms, *last_ms_);
  auto since_start = [&](const std::optional<double>& at) -> std::optional<double> {
    if (!at) return std::nullopt;
    return *at - start;
  };
  s.time_to_headers_ms = headers_ms_;
  s.time_to_first_byte_ms = since_start(first_byte_ms_);
  s.time_to_first_token_ms = since_start(first_output_ms_);
  s.time_to_first_text_ms = since_start(first_text_ms_);
  s.time_to_first_reasoning_ms = since_start(first_reasoning_ms_);
  s.ended = end_ms_.has_value();
  s.total_ms = end_ms_.value_or(now_ms) - start;
  if (!s.ended) s.idle_ms = now_ms - last_output_ms_.value_or(start);

  s.text_chunks = text_chunks_;
  s.reasoning_chunks = reasoning_chunks_;
  s.refusal_chunks = refusal_chunks_;
  s.tool_call_chunks = tool_call_chunks_;
  s.output_chunks = text_chunks_ + reasoning_chunks_ + refusal_chunks_ + tool_call_chunks_;
  s.events = events_;
  s.bytes = bytes_;

  if (first_output_ms_) s.generation_ms = *last_output_ms_ - *first_output_ms_;
  if (s.output_chunks >= 2 && s.generation_ms > 0) {
    s.chunks_per_second = static_cast<double>(s.output_chunks - 1) / (s.generation_ms / 1000);
  }
  s.output_tokens = static_cast<int64_t>(s.output_chunks);
  s.tokens_per_second = s.chunks_per_second;
  if (usage_ && !usage_->estimated && usage_->output_tokens) {
    s.tokens_from_usage = true;
    s.output_tokens = *usage_->output_tokens;
    if (s.output_chunks > 0) {
      s.tokens_per_second = s.chunks_per_second * static_cast<double>(s.output_tokens) /
                            static_cast<double>(s.output_chunks);
    }
  }

  LatencyStats& itl = s.inter_token;
  itl.count = gaps_.count();
  itl.mean = gaps_.mean();
  itl.stddev = gaps_.stddev();
  itl.coefficient_of_variation = itl.mean > 0 ? itl.stddev / itl.mean * 100 : 0;
  itl.min = gaps_.min();
  itl.p50 = gaps_.Percentile(50);
  itl.p95 = gaps_.Percentile(95);
  itl.p99 = gaps_.Percentile(99);
  itl.max = gaps_.max();
  itl.exact = gaps_.exact();
  s.stall_threshold_ms = options_.stall_threshold_ms;
  s.stalls = stalls_;
  s.longest_stall_ms = longest_stall_ms_;

  s.usage = usage_;
  s.cost = cost_;
  s.status = status_;
  s.retries = retries_;
  s.attempts = request_starts_;
  if (start_ms_) s.attempts = std::max(s.attempts, retries_ + 1);
  s.errors = errors_;
  s.warnings = warnings_;
  s.error_code = error_code_;
  s.error_http_status = error_http_status_;
  return s;
}

}  // namespace llmstream
