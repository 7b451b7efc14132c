// Pipeline: text transforms composed in order; itself a TextTransform, so pipelines nest.
//
//   Pipeline pipeline;
//   pipeline.Emplace<ContentFilter>(patterns, "[redacted]");
//   pipeline.Emplace<WordStream>();
//   pipeline.Emplace<TypingEffect>(60.0);
//   pipeline.Push(delta, now_ms, &out);  ...  pipeline.Tick(pipeline.WakeAtMs(), &out); ...
//
// Each piece a stage emits is pushed into the next stage as one delta (with the same now_ms),
// so piece boundaries carry meaning downstream: WordStream then Batcher batches words (max_items
// counts words), WordStream then TypingEffect types word by word. Before taking new pieces, every
// later stage first releases what is due by now (Tick). WakeAtMs() is the earliest wake of any
// stage; Flush flushes the stages in order, each one's remainder going through the rest.
//
// Split invariance: the pipeline's concatenated output is split-invariant when every stage's is
// (all the transforms here); its pieces are when the last stage's pieces are (WordStream,
// FixedChunker, TypingEffect) or every stage's are. Put SafeMarkdown last: its output is HTML.
// Steady state allocates nothing: each stage keeps its own reusable TextChunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

class Pipeline final : public TextTransform {
 public:
  Pipeline() = default;
  Pipeline(Pipeline&&) noexcept = default;
  Pipeline& operator=(Pipeline&&) noexcept = default;

  // Appends a stage (null is ignored). Returns *this for chaining.
  Pipeline& Add(std::unique_ptr<TextTransform> stage);
  // Constructs a stage in place and returns it (e.g. to read SafeMarkdown::Html() later).
  template <class T, class... Args>
  T& Emplace(Args&&... args) {
    auto stage = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *stage;
    Add(std::move(stage));
    return ref;
  }

  size_t size() const { return stages_.size(); }
  TextTransform& stage(size_t i) { return *stages_[i].transform; }
  const TextTransform& stage(size_t i) const { return *stages_[i].transform; }

  // With no stage, text passes through unchanged (one piece per non-empty delta).
  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Tick(int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  int64_t WakeAtMs() const override;
  size_t held_bytes() const override;
  void Reset() override;

 private:
  enum class Mode { kPush, kTick, kFlush };
  void Run(Mode mode, std::string_view text, int64_t now_ms, TextChunks* out);

  struct Stage {
    std::unique_ptr<TextTransform> transform;
    TextChunks out;  // this stage's output of the current call
  };
  std::vector<Stage> stages_;
};

}  // namespace llmstream
