// AdaptiveSmoother: evens out bursty text (a provider or proxy that sends 40 characters every
// 400 ms, then nothing) into a steady flow at the rate the text is actually arriving, while never
// holding any character longer than max_added_latency_ms. It answers the seed guide's
// "AdaptiveStreaming" (which throttles towards a target gap) with arrival-rate-adaptive pacing,
// sans-I/O: WakeAtMs() says when the next character is due.
//
// Rate. The arrival rate is measured over the last `window` deltas that carried text: characters
// of all but the oldest, over the time from the oldest to the newest. Text is released at
//   rate = max(arrival rate, backlog / max_added_latency)
// so a backlog drains within the latency bound even before a rate is known (the first delta is
// spread over max_added_latency_ms). Release credit accrues at that rate while text waits; a
// smoother whose queue ran empty has one character of credit, so the first character of new
// text goes out at once: a steady stream passes through with no added delay, and only a burst
// (more text than the rate lets out before the next delta) is spread out.
//
// Bound. Each delta carries its arrival time; a character still held at arrival +
// max_added_latency_ms is released then, whatever the rate. WakeAtMs() is the earlier of the
// next rate slot and the oldest deadline, so a caller that ticks at WakeAtMs() never shows a
// character later than that bound (an incomplete UTF-8 character waits for its last bytes).
// Flush releases everything.
//
// One piece per call (what is due). The concatenation is split-invariant; the timing is not
// (it follows the arrival pattern, by design).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct AdaptiveSmootherOptions {
  int64_t max_added_latency_ms = 250;  // >= 0; 0 releases everything at once
  size_t window = 10;                  // deltas in the rate estimate (the guide's slice(-10))
};

class AdaptiveSmoother final : public TextTransform {
 public:
  explicit AdaptiveSmoother(AdaptiveSmootherOptions options = {});

  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Tick(int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  int64_t WakeAtMs() const override;
  size_t held_bytes() const override { return queue_.size() - head_; }
  void Reset() override;

  // The guide's metrics, and ours:
  double arrival_rate_cps() const;                   // chars/s over the window (0 until two deltas)
  double release_rate_cps() const { return rate_; }  // as of the last call
  double average_gap_ms() const;                     // mean gap between the deltas of the window
  size_t backlog_chars() const { return backlog_chars_; }
  uint64_t deltas() const { return deltas_; }  // deltas that carried text

 private:
  struct Arrival {
    int64_t ms;
    size_t chars;
  };
  struct Segment {
    uint64_t end;  // total bytes taken in once this delta was
    int64_t ms;
  };
  void Advance(int64_t now_ms);
  void Release(int64_t now_ms, bool all, TextChunks* out);
  void UpdateRate();

  AdaptiveSmootherOptions options_;
  std::string queue_;  // held bytes from head_
  size_t head_ = 0;
  size_t counted_ = 0;  // bytes of queue_ whose characters are in backlog_chars_
  size_t backlog_chars_ = 0;
  uint64_t bytes_in_ = 0;          // total taken in
  uint64_t bytes_out_ = 0;         // total released
  std::vector<Segment> segments_;  // unreleased deltas, from segment_head_
  size_t segment_head_ = 0;
  std::vector<Arrival> arrivals_;  // ring of the last `window` deltas
  size_t arrival_next_ = 0;
  uint64_t deltas_ = 0;
  double credit_ = 1;  // characters that may go out on rate grounds (the first one at once)
  double rate_ = 0;    // chars/s
  int64_t last_now_ = INT64_MIN;
};

}  // namespace llmstream
