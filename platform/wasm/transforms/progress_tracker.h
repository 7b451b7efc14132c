// ProgressTracker: the core's Progress (llmstream/transforms/progress.h) for JS chunks. JS passes
// the output deltas it sees (kind codes of llmstream::EventKind), reported usage and the end;
// snapshot() writes the numbers to a block of doubles that JS reads from the wasm memory, so a
// chunk costs one boundary crossing.
#pragma once

#include <cstdint>
#include <string>

#include "live_handle.h"
#include "llmstream/transforms/progress.h"

namespace llmstream::wasm {

// Doubles at snapshot()'s address (layout shared with npm/src/transforms/load.js).
enum ProgressSlot : int {
  kProgressDone = 0,
  kProgressEstimate,
  kProgressFraction,
  kProgressPercent,
  kProgressRate,
  kProgressEtaMs,
  kProgressElapsedMs,
  kProgressChunks,
  kProgressChars,
  kProgressFlags,  // bit 0 tokens reported, 1 ended, 2 complete, 3 over the estimate
  kProgressSlots,
};

class ProgressTracker {
 public:
  // unit: 0 tokens, 1 characters, 2 chunks (ProgressUnit).
  ProgressTracker(double estimate, int unit);

  // An output delta: kind 0 text, 1 reasoning (part: ReasoningPart), 2 refusal, 4 tool-call
  // arguments; other kinds are ignored.
  void output(int kind, int part, const std::string& text, double now_ms);
  // The provider's reported output tokens (cumulative); estimated usage is not passed.
  void usage(double output_tokens, double now_ms);
  void end(bool complete, double now_ms);
  // Fills the snapshot block and returns its address.
  uintptr_t snapshot(double now_ms);

 private:
  LiveHandle live_;
  Progress progress_;
  double slots_[kProgressSlots] = {};
};

}  // namespace llmstream::wasm
