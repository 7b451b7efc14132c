// Progress: how far a completion is against an estimate of its length (the seed guide's
// `withProgress(stream, estimatedTokens)`: a percentage capped at 100, plus the count), with a
// rate and an ETA computed from the timestamps the caller passes in (sans-I/O).
//
//   Progress progress({.estimate = 200});           // e.g. the request's max_tokens
//   for each event:  progress.OnEvent(event, now_ms);
//   ProgressSnapshot p = progress.Snapshot(now_ms);  // p.fraction, p.percent, p.eta_ms ...
//
// What counts. Output chunks as MetricsRecorder defines them (text, refusal, readable reasoning
// and tool-call argument deltas with non-empty text; `include_reasoning` / `include_tool_calls`
// narrow that down), measured in the chosen unit:
//  - kTokens: the provider's reported output tokens once a kUsage event says so (a cumulative
//    snapshot; hidden reasoning tokens included), before that ceil(chars / 4), the same estimate
//    Session uses when a provider reports no usage;
//  - kChars: Unicode code points of those chunks;
//  - kChunks: the chunks themselves (the guide's tokenCount, which counts chunks).
// Text fed with AddText counts as text output.
//
// fraction = min(1, done / estimate), and 1 once the stream ended normally (kDone), so a bar
// always completes; an error leaves it where it was. rate = done per second since the first
// counted output; eta_ms = (estimate - done) / rate while below the estimate, 0 at or past it,
// -1 while unknown (no rate yet, no estimate) and once ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llmstream/event.h"

namespace llmstream {

enum class ProgressUnit : uint8_t { kTokens = 0, kChars = 1, kChunks = 2 };

struct ProgressOptions {
  double estimate = 200;  // the guide's default estimatedTokens; <= 0: unknown (fraction 0)
  ProgressUnit unit = ProgressUnit::kTokens;
  bool include_reasoning = true;
  bool include_tool_calls = true;
};

struct ProgressSnapshot {
  double done = 0;               // in the unit
  double estimate = 0;           // as configured
  double fraction = 0;           // 0..1
  double percent = 0;            // fraction * 100 (the guide's `progress`)
  uint64_t chunks = 0;           // output chunks counted
  uint64_t chars = 0;            // their code points
  double rate_per_second = 0;    // done per second since the first counted output (0 if unknown)
  int64_t eta_ms = -1;           // see above
  int64_t elapsed_ms = 0;        // since the first counted output (0 before)
  bool tokens_reported = false;  // kTokens: done comes from reported usage
  bool ended = false;            // kDone or kError arrived
  bool complete = false;         // kDone arrived
  bool over_estimate = false;    // done exceeded the estimate
};

class Progress {
 public:
  explicit Progress(ProgressOptions options = {});

  void OnEvent(const Event& event, int64_t now_ms);
  // Counts `text` as one text output chunk (for callers holding text rather than events).
  void AddText(std::string_view text, int64_t now_ms);
  // The stream ended: normally (complete) or not.
  void End(bool complete, int64_t now_ms);

  ProgressSnapshot Snapshot(int64_t now_ms) const;
  double done() const;  // in the unit
  void Reset();

 private:
  void Count(std::string_view text, int64_t now_ms);

  ProgressOptions options_;
  uint64_t chunks_ = 0;
  uint64_t chars_ = 0;
  int64_t reported_tokens_ = -1;
  int64_t first_ms_ = -1;
  int64_t last_ms_ = -1;
  int64_t end_ms_ = -1;
  bool ended_ = false;
  bool complete_ = false;
};

}  // namespace llmstream
