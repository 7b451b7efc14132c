#include "chunk_cache.h"

#include <span>
#include <utility>

#include "llmstream/event.h"
#include "llmstream/session.h"
#include "llmstream/transforms/request_key.h"
#include "options.h"

namespace llmstream::wasm {

ChunkRecording::ChunkRecording(double start_ms)
    : recorder_(start_ms < 0 ? -1 : static_cast<int64_t>(start_ms)) {}

void ChunkRecording::add(const std::string& chunk_json, int kind, double now_ms) {
  Event event;
  event.kind = kind == 1 ? EventKind::kDone : kind == 2 ? EventKind::kError : EventKind::kRaw;
  event.text = chunk_json;
  // A kError event carries its Error; the JSON text is what a replay gives back.
  Error error;
  if (event.kind == EventKind::kError) event.error = &error;
  recorder_.Add(event, static_cast<int64_t>(now_ms));
}

ChunkReplay::ChunkReplay(std::shared_ptr<const CachedStream> stream, double start_ms,
                         double speed) {
  if (stream) {
    replay_.emplace(std::move(stream), static_cast<int64_t>(start_ms),
                    ReplayOptions{.speed = speed});
  }
}

std::string ChunkReplay::poll(double now_ms) {
  std::string out;
  if (!replay_) return out;
  for (const Event& event : replay_->Poll(static_cast<int64_t>(now_ms))) {
    if (!out.empty()) out.push_back('\n');
    out.append(event.text);
  }
  return out;
}

double ChunkReplay::wakeAtMs() const {
  return replay_ ? static_cast<double>(replay_->WakeAtMs()) : -1;
}

ChunkCache::ChunkCache(double max_entries, double max_bytes, bool keep_incomplete)
    : cache_(StreamCacheOptions{
          .max_entries = max_entries >= 1 ? static_cast<size_t>(max_entries) : 64,
          .max_bytes = max_bytes >= 1 ? static_cast<size_t>(max_bytes) : 16u << 20,
          .keep_incomplete = keep_incomplete}) {}

std::string ChunkCache::key(const std::string& session_options_json,
                            const std::string& salt) const {
  SessionOptions options;
  Error error;
  if (!ParseSessionOptions(session_options_json, &options, &error)) return std::string();
  return RequestKey(options.provider, options.request, salt);
}

bool ChunkCache::put(const std::string& key, ChunkRecording& recording) {
  return cache_.Put(key, std::shared_ptr<const CachedStream>(recording.Take()));
}

ChunkReplay ChunkCache::replay(const std::string& key, double start_ms, double speed) {
  return ChunkReplay(cache_.Find(key), start_ms, speed);
}

}  // namespace llmstream::wasm
