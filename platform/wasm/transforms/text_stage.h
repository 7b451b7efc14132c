// TextStage: one core TextTransform (or a Pipeline of them) behind the wasm boundary of
// llmstream_transforms.mjs. JS crosses the boundary once per chunk: push / tick / flush return
// the text released by that call as one string, and leave its piece boundaries (in UTF-16 code
// units, so JS can slice without re-encoding) and the stage's timing in a header that JS reads
// from the wasm memory (statePtr). Nothing here throws: bad options fall back to the defaults
// and ok() reports whether the options parsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "live_handle.h"
#include "llmstream/transforms/safe_markdown.h"
#include "llmstream/transforms/text_transform.h"

namespace llmstream::wasm {

// Read by JS at statePtr() (layout shared with npm/src/transforms/load.js: keep in sync).
struct TextStageHeader {
  double wake_at_ms = -1;    // when tick() is next due; -1: only text or flush releases more
  double held_bytes = 0;     // taken in, not released yet
  uint32_t pieces = 0;       // pieces of the last call's output
  uint32_t lengths_ptr = 0;  // address of `pieces` uint32 lengths, in UTF-16 code units
};

class TextStage {
 public:
  // kind: "words", "markdown", "typing", "filter", "batch", "chunks", "smooth", or "pipeline"
  // (options_json: an array of {kind, options} stages run in order). options_json: the camelCase
  // options of that kind (npm/src/transforms.js documents them).
  TextStage(const std::string& kind, const std::string& options_json);
  ~TextStage();
  TextStage(const TextStage&) = delete;
  TextStage& operator=(const TextStage&) = delete;

  std::string push(const std::string& text, double now_ms);
  std::string tick(double now_ms);
  std::string flush(double now_ms);
  void reset();

  bool ok() const { return ok_; }
  uintptr_t statePtr() const { return reinterpret_cast<uintptr_t>(&header_); }
  // SafeMarkdown only ("" otherwise): the open block as HTML, as if the text ended now.
  std::string tailHtml();

 private:
  LiveHandle live_;
  std::string Finish();  // fills the header from out_, returns its text

  std::unique_ptr<TextTransform> transform_;
  SafeMarkdown* markdown_ = nullptr;  // the SafeMarkdown stage, last in a pipeline, if any
  TextChunks out_;
  std::vector<uint32_t> lengths_;
  TextStageHeader header_;
  bool ok_ = true;
};

}  // namespace llmstream::wasm
