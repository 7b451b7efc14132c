// The embind surface of llmstream_transforms.mjs, the second wasm module of the npm package:
// the core's text transforms and stream utilities (llmstream/transforms.h) for
// npm/src/transforms.js. A separate module so that the streaming core (llmstream_core.mjs) stays
// small; it is loaded only when a transform is used. Plain numbers and strings cross the
// boundary, no emscripten::val and no exceptions; time is always passed in (sans-I/O).
#include <emscripten/bind.h>

#include <string>

#include "chunk_cache.h"
#include "live_handle.h"
#include "llmstream/transforms/backpressure.h"
#include "llmstream/transforms/safe_markdown.h"
#include "progress_tracker.h"
#include "text_stage.h"

namespace {

using llmstream::WaterMarkOptions;
using llmstream::WaterMarks;
using llmstream::wasm::ChunkCache;
using llmstream::wasm::ChunkRecording;
using llmstream::wasm::ChunkReplay;
using llmstream::wasm::ProgressTracker;
using llmstream::wasm::TextStage;

// WaterMarks with the options as constructor arguments (embind has no designated initializers).
class WaterMarkGauge {
 public:
  WaterMarkGauge(double high, double low)
      : marks_(WaterMarkOptions{.high_water_mark = high >= 1 ? static_cast<size_t>(high) : 1,
                                .low_water_mark = low >= 0 ? static_cast<size_t>(low) : SIZE_MAX}) {
  }
  bool add(double n) { return marks_.Add(n > 0 ? static_cast<size_t>(n) : 0); }
  bool remove(double n) { return marks_.Remove(n > 0 ? static_cast<size_t>(n) : 0); }
  bool paused() const { return marks_.paused(); }
  double level() const { return static_cast<double>(marks_.level()); }
  double pressure() const { return marks_.pressure(); }
  double pauses() const { return static_cast<double>(marks_.pauses()); }
  double highWaterMark() const { return static_cast<double>(marks_.high_water_mark()); }
  double lowWaterMark() const { return static_cast<double>(marks_.low_water_mark()); }

 private:
  WaterMarks marks_;
  llmstream::wasm::LiveHandle live_;
};

// One-shot rendering: the whole document at once.
std::string RenderSafeMarkdown(const std::string& markdown, bool hard_breaks) {
  llmstream::SafeMarkdown renderer(llmstream::SafeMarkdownOptions{.hard_breaks = hard_breaks});
  llmstream::TextChunks out;
  renderer.Push(markdown, 0, &out);
  renderer.Flush(0, &out);
  return std::string(out.text());
}

int TransformsProtocolVersion() { return 1; }

// Objects JS holds handles to and has not deleted yet (tests check it returns to its baseline).
int LiveHandles() { return llmstream::wasm::LiveHandle::count(); }

}  // namespace

EMSCRIPTEN_BINDINGS(llmstream_transforms) {
  emscripten::class_<TextStage>("TextStage")
      .constructor<const std::string&, const std::string&>()
      .function("push", &TextStage::push)
      .function("tick", &TextStage::tick)
      .function("flush", &TextStage::flush)
      .function("reset", &TextStage::reset)
      .function("ok", &TextStage::ok)
      .function("statePtr", &TextStage::statePtr)
      .function("tailHtml", &TextStage::tailHtml);
  emscripten::class_<ProgressTracker>("ProgressTracker")
      .constructor<double, int>()
      .function("output", &ProgressTracker::output)
      .function("usage", &ProgressTracker::usage)
      .function("end", &ProgressTracker::end)
      .function("snapshot", &ProgressTracker::snapshot);
  emscripten::class_<WaterMarkGauge>("WaterMarks")
      .constructor<double, double>()
      .function("add", &WaterMarkGauge::add)
      .function("remove", &WaterMarkGauge::remove)
      .function("paused", &WaterMarkGauge::paused)
      .function("level", &WaterMarkGauge::level)
      .function("pressure", &WaterMarkGauge::pressure)
      .function("pauses", &WaterMarkGauge::pauses)
      .function("highWaterMark", &WaterMarkGauge::highWaterMark)
      .function("lowWaterMark", &WaterMarkGauge::lowWaterMark);
  emscripten::class_<ChunkRecording>("ChunkRecording")
      .constructor<double>()
      .function("add", &ChunkRecording::add)
      .function("complete", &ChunkRecording::complete)
      .function("chunks", &ChunkRecording::chunks);
  emscripten::class_<ChunkReplay>("ChunkReplay")
      .function("found", &ChunkReplay::found)
      .function("poll", &ChunkReplay::poll)
      .function("wakeAtMs", &ChunkReplay::wakeAtMs)
      .function("done", &ChunkReplay::done);
  emscripten::class_<ChunkCache>("ChunkCache")
      .constructor<double, double, bool>()
      .function("key", &ChunkCache::key)
      .function("put", &ChunkCache::put)
      .function("has", &ChunkCache::has)
      .function("erase", &ChunkCache::erase)
      .function("clear", &ChunkCache::clear)
      .function("replay", &ChunkCache::replay)
      .function("size", &ChunkCache::size)
      .function("bytes", &ChunkCache::bytes)
      .function("hits", &ChunkCache::hits)
      .function("misses", &ChunkCache::misses)
      .function("evictions", &ChunkCache::evictions);
  emscripten::function("renderSafeMarkdown", &RenderSafeMarkdown);
  emscripten::function("protocolVersion", &TransformsProtocolVersion);
  emscripten::function("liveHandles", &LiveHandles);
}
