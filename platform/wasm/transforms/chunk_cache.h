// The core's StreamCache, StreamRecorder, Replay and RequestKey for JS chunks. A JS chunk is
// stored as its JSON text in one event: kDone for the `done` chunk (it makes the recording
// complete, so it may be cached), kError for an `error` chunk (incomplete), kRaw otherwise; the
// recorder keeps each one's time offset and the cache its LRU order and byte budget. Replays
// hand back the due chunks of a poll as one string, their JSON texts joined by '\n' (JSON text
// from JSON.stringify has no raw newline).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "live_handle.h"
#include "llmstream/transforms/stream_cache.h"

namespace llmstream::wasm {

class ChunkRecording {
 public:
  explicit ChunkRecording(double start_ms);
  // kind: 0 any chunk, 1 the done chunk, 2 an error chunk.
  void add(const std::string& chunk_json, int kind, double now_ms);
  bool complete() const { return recorder_.complete(); }
  double chunks() const { return static_cast<double>(recorder_.events()); }
  std::shared_ptr<CachedStream> Take() { return recorder_.Take(); }

 private:
  LiveHandle live_;
  StreamRecorder recorder_;
};

class ChunkReplay {
 public:
  ChunkReplay(std::shared_ptr<const CachedStream> stream, double start_ms, double speed);
  bool found() const { return replay_.has_value(); }
  // The chunks due by now_ms that were not returned yet ("" when none).
  std::string poll(double now_ms);
  double wakeAtMs() const;
  bool done() const { return !replay_ || replay_->done(); }

 private:
  LiveHandle live_;
  std::optional<Replay> replay_;
};

class ChunkCache {
 public:
  ChunkCache(double max_entries, double max_bytes, bool keep_incomplete);

  // The RequestKey of a request given as the session options JSON the npm driver sends to the
  // core (platform/wasm/options.h); "" when that JSON does not parse.
  std::string key(const std::string& session_options_json, const std::string& salt) const;
  bool put(const std::string& key, ChunkRecording& recording);
  bool has(const std::string& key) const { return cache_.Contains(key); }
  bool erase(const std::string& key) { return cache_.Erase(key); }
  void clear() { cache_.Clear(); }
  ChunkReplay replay(const std::string& key, double start_ms, double speed);

  double size() const { return static_cast<double>(cache_.size()); }
  double bytes() const { return static_cast<double>(cache_.bytes()); }
  double hits() const { return static_cast<double>(cache_.hits()); }
  double misses() const { return static_cast<double>(cache_.misses()); }
  double evictions() const { return static_cast<double>(cache_.evictions()); }

 private:
  LiveHandle live_;
  StreamCache cache_;
};

}  // namespace llmstream::wasm
