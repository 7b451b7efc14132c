#include "llmstream/transforms/pipeline.h"

#include <algorithm>

namespace llmstream {

Pipeline& Pipeline::Add(std::unique_ptr<TextTransform> stage) {
  if (stage) stages_.push_back({std::move(stage), TextChunks()});
  return *this;
}

void Pipeline::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  Run(Mode::kPush, text, now_ms, out);
}

void Pipeline::Tick(int64_t now_ms, TextChunks* out) { Run(Mode::kTick, {}, now_ms, out); }

void Pipeline::Flush(int64_t now_ms, TextChunks* out) { Run(Mode::kFlush, {}, now_ms, out); }

void Pipeline::Run(Mode mode, std::string_view text, int64_t now_ms, TextChunks* out) {
  if (stages_.empty()) {
    if (mode == Mode::kPush && !text.empty()) out->Add(text);
    return;
  }
  const size_t last = stages_.size() - 1;
  for (size_t i = 0; i <= last; ++i) {
    TextTransform& stage = *stages_[i].transform;
    TextChunks* sink = i == last ? out : &stages_[i].out;
    if (i < last) sink->Clear();
    if (i == 0) {
      if (mode == Mode::kPush) {
        stage.Push(text, now_ms, sink);
      } else {
        stage.Tick(now_ms, sink);
        if (mode == Mode::kFlush) stage.Flush(now_ms, sink);
      }
    } else {
      stage.Tick(now_ms, sink);
      const TextChunks& in = stages_[i - 1].out;
      for (size_t k = 0; k < in.size(); ++k) stage.Push(in[k], now_ms, sink);
      if (mode == Mode::kFlush) stage.Flush(now_ms, sink);
    }
  }
}

int64_t Pipeline::WakeAtMs() const {
  int64_t wake = -1;
  for (const Stage& stage : stages_) {
    const int64_t w = stage.transform->WakeAtMs();
    if (w >= 0 && (wake < 0 || w < wake)) wake = w;
  }
  return wake;
}

size_t Pipeline::held_bytes() const {
  size_t held = 0;
  for (const Stage& stage : stages_) held += stage.transform->held_bytes();
  return held;
}

void Pipeline::Reset() {
  for (Stage& stage : stages_) {
    stage.transform->Reset();
    stage.out.Clear();
  }
}

}  // namespace llmstream
