#include "llmstream/transforms/stream_cache.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace llmstream {

namespace {
constexpr size_t kEntryOverhead = sizeof(CachedStream) + 64;
}

StreamRecorder::StreamRecorder(int64_t start_ms, StreamRecorderOptions options)
    : options_(options), start_ms_(start_ms), stream_(std::make_shared<CachedStream>()) {
  stream_->bytes = kEntryOverhead;
}

void StreamRecorder::Add(const Event& event, int64_t now_ms) {
  if (event.kind == EventKind::kKeepAlive && !options_.record_keep_alive) return;
  if (event.kind == EventKind::kRaw && !options_.record_raw) return;
  if (start_ms_ < 0) start_ms_ = now_ms;
  last_offset_ = std::max(last_offset_, now_ms - start_ms_);
  stream_->events.emplace_back(event);
  stream_->offsets_ms.push_back(last_offset_);
  stream_->bytes += stream_->events.back().bytes() + sizeof(int64_t);
  if (event.kind == EventKind::kDone) stream_->complete = true;
  if (event.kind == EventKind::kError) stream_->complete = false;
}

std::shared_ptr<CachedStream> StreamRecorder::Take() {
  std::shared_ptr<CachedStream> taken = std::move(stream_);
  stream_ = std::make_shared<CachedStream>();
  stream_->bytes = kEntryOverhead;
  last_offset_ = 0;
  return taken;
}

StreamCache::StreamCache(StreamCacheOptions options) : options_(options) {}

bool StreamCache::Put(std::string_view key, StreamRecorder&& recorder) {
  return Put(key, std::shared_ptr<const CachedStream>(recorder.Take()));
}

bool StreamCache::Put(std::string_view key, std::shared_ptr<const CachedStream> stream) {
  if (!stream || (!stream->complete && !options_.keep_incomplete)) return false;
  if (stream->bytes + key.size() > options_.max_bytes || options_.max_entries == 0) return false;
  Erase(key);
  const size_t cost = stream->bytes + key.size();
  EvictTo(options_.max_entries - 1, options_.max_bytes - cost);
  lru_.push_front({std::string(key), std::move(stream), cost});
  entries_.emplace(lru_.front().key, lru_.begin());
  bytes_ += cost;
  return true;
}

std::shared_ptr<const CachedStream> StreamCache::Find(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);  // iterators and the key's storage stay valid
  return it->second->stream;
}

bool StreamCache::Contains(std::string_view key) const { return entries_.count(key) != 0; }

bool StreamCache::Erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  const List::iterator entry = it->second;
  bytes_ -= entry->bytes;
  entries_.erase(it);
  lru_.erase(entry);
  return true;
}

void StreamCache::Clear() {
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
}

void StreamCache::EvictTo(size_t max_entries, size_t max_bytes) {
  while (!lru_.empty() && (entries_.size() > max_entries || bytes_ > max_bytes)) {
    const Entry& last = lru_.back();
    bytes_ -= last.bytes;
    entries_.erase(last.key);
    lru_.pop_back();
    ++evictions_;
  }
}

Replay::Replay(std::shared_ptr<const CachedStream> stream, int64_t start_ms, ReplayOptions options)
    : stream_(stream ? std::move(stream) : std::make_shared<const CachedStream>()),
      start_ms_(start_ms),
      speed_(options.speed > 0 && std::isfinite(options.speed) ? options.speed : 0) {}

int64_t Replay::DueMs(size_t i) const {
  if (speed_ == 0) return start_ms_;
  return start_ms_ + static_cast<int64_t>(
                         std::ceil(static_cast<double>(stream_->offsets_ms[i]) / speed_ - 1e-9));
}

std::span<const Event> Replay::Poll(int64_t now_ms) {
  due_.clear();
  const size_t n = stream_->events.size();
  while (next_ < n && DueMs(next_) <= now_ms) {
    due_.push_back(stream_->events[next_].view());
    ++next_;
  }
  return due_;
}

int64_t Replay::WakeAtMs() const { return done() ? -1 : DueMs(next_); }

}  // namespace llmstream
