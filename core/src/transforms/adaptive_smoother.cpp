#include "llmstream/transforms/adaptive_smoother.h"

#include <algorithm>
#include <cmath>

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

AdaptiveSmoother::AdaptiveSmoother(AdaptiveSmootherOptions options) : options_(options) {
  if (options_.max_added_latency_ms < 0) options_.max_added_latency_ms = 0;
  if (options_.window < 2) options_.window = 2;
}

double AdaptiveSmoother::arrival_rate_cps() const {
  const size_t n = arrivals_.size();
  if (n < 2) return 0;
  // In the ring, the oldest entry is at arrival_next_ once it is full.
  const size_t oldest = n < options_.window ? 0 : arrival_next_;
  const size_t newest = (arrival_next_ + n - 1) % n;
  const int64_t span = arrivals_[newest].ms - arrivals_[oldest].ms;
  if (span <= 0) return 0;
  size_t chars = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i != oldest) chars += arrivals_[i].chars;
  }
  return static_cast<double>(chars) * 1000.0 / static_cast<double>(span);
}

double AdaptiveSmoother::average_gap_ms() const {
  const size_t n = arrivals_.size();
  if (n < 2) return 0;
  const size_t oldest = n < options_.window ? 0 : arrival_next_;
  const size_t newest = (arrival_next_ + n - 1) % n;
  return static_cast<double>(arrivals_[newest].ms - arrivals_[oldest].ms) /
         static_cast<double>(n - 1);
}

void AdaptiveSmoother::UpdateRate() {
  double rate = arrival_rate_cps();
  if (options_.max_added_latency_ms > 0) {
    rate = std::max(rate, static_cast<double>(backlog_chars_) * 1000.0 /
                              static_cast<double>(options_.max_added_latency_ms));
  }
  rate_ = rate;
}

void AdaptiveSmoother::Advance(int64_t now_ms) {
  if (last_now_ != INT64_MIN && backlog_chars_ > 0) {
    credit_ += rate_ * static_cast<double>(now_ms - last_now_) / 1000.0;
  }
  last_now_ = now_ms;
}

void AdaptiveSmoother::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  Advance(now_ms);
  Release(now_ms, false, out);  // what was due before this delta
  if (!text.empty()) {
    queue_.append(text.data(), text.size());
    bytes_in_ += text.size();
    if (segment_head_ > 64 && segment_head_ * 2 > segments_.size()) {
      segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(segment_head_));
      segment_head_ = 0;
    }
    segments_.push_back({bytes_in_, now_ms});
    // Count the characters this delta completed.
    const std::string_view all = queue_;
    size_t chars = 0;
    while (counted_ < all.size()) {
      const size_t len = Utf8UnitLength(all, counted_);
      if (len == 0) break;
      counted_ += len;
      ++chars;
    }
    backlog_chars_ += chars;
    if (chars > 0) {
      const Arrival arrival{now_ms, chars};
      if (arrivals_.size() < options_.window) {
        arrivals_.push_back(arrival);
        arrival_next_ = arrivals_.size() % options_.window;
      } else {
        arrivals_[arrival_next_] = arrival;
        arrival_next_ = (arrival_next_ + 1) % options_.window;
      }
      ++deltas_;
    }
  }
  UpdateRate();
  Release(now_ms, false, out);
}

void AdaptiveSmoother::Tick(int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  Advance(now_ms);
  Release(now_ms, false, out);
}

void AdaptiveSmoother::Flush(int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  Advance(now_ms);
  Release(now_ms, true, out);
}

void AdaptiveSmoother::Release(int64_t now_ms, bool all, TextChunks* out) {
  // Everything that reached its deadline must go.
  uint64_t forced_end = bytes_out_;
  const int64_t latency = options_.max_added_latency_ms;
  for (size_t i = segment_head_; i < segments_.size(); ++i) {
    if (segments_[i].ms + latency > now_ms) break;
    forced_end = segments_[i].end;
  }
  const std::string_view q = queue_;
  const size_t first = head_;
  while (head_ < counted_) {
    const bool forced = all || bytes_out_ < forced_end;
    if (!forced && credit_ < 1) break;
    const size_t len = Utf8UnitLength(q, head_);  // complete: head_ < counted_
    head_ += len;
    bytes_out_ += len;
    --backlog_chars_;
    credit_ = std::max(0.0, credit_ - 1);
  }
  if (all && head_ < q.size()) {  // an incomplete character at the end: as it is
    bytes_out_ += q.size() - head_;
    head_ = q.size();
    counted_ = head_;
  }
  if (head_ > first) out->Add(q.substr(first, head_ - first));
  while (segment_head_ < segments_.size() && segments_[segment_head_].end <= bytes_out_) {
    ++segment_head_;
  }
  if (backlog_chars_ == 0) credit_ = 1;  // idle: the next character may go out at once
  if (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
    counted_ = 0;
  } else if (head_ > 4096 && head_ * 2 > queue_.size()) {
    queue_.erase(0, head_);
    counted_ -= head_;
    head_ = 0;
  }
  UpdateRate();
}

int64_t AdaptiveSmoother::WakeAtMs() const {
  if (backlog_chars_ == 0) return -1;
  int64_t wake = INT64_MAX;
  if (segment_head_ < segments_.size()) {
    wake = segments_[segment_head_].ms + options_.max_added_latency_ms;
  }
  if (rate_ > 0) {
    const double need = std::max(0.0, 1.0 - credit_);
    const int64_t slot = last_now_ + static_cast<int64_t>(std::ceil(need * 1000.0 / rate_ - 1e-9));
    wake = std::min(wake, std::max(slot, last_now_ + 1));
  }
  return wake == INT64_MAX ? -1 : wake;
}

void AdaptiveSmoother::Reset() {
  queue_.clear();
  head_ = 0;
  counted_ = 0;
  backlog_chars_ = 0;
  bytes_in_ = 0;
  bytes_out_ = 0;
  segments_.clear();
  segment_head_ = 0;
  arrivals_.clear();
  arrival_next_ = 0;
  deltas_ = 0;
  credit_ = 1;
  rate_ = 0;
  last_now_ = INT64_MIN;
}

}  // namespace llmstream
