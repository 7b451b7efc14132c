// StreamCache: records finished streams (their events, owned, with times relative to the start)
// under a request key, keeps the most recently used ones within an entry and byte budget, and
// replays them, at the original pace or at once (the seed guide's `getCachedOrStream`).
//
//   std::string key = RequestKey(config, request);           // request_key.h
//   if (auto hit = cache.Find(key)) {
//     Replay replay(hit, now_ms, {.speed = 1});               // or {.speed = 0}: all at once
//     while (!replay.done()) { for (const Event& e : replay.Poll(now_ms)) use(e);
//                              wait until replay.WakeAtMs(); }
//   } else {
//     StreamRecorder recorder(now_ms);                        // when the request is sent
//     for each event: use(e); recorder.Add(e, now_ms);
//     cache.Put(key, std::move(recorder));                     // stored if it finished normally
//   }
//
// What is cached: every event given to the recorder, in order, deep-copied (usage, cost and
// error included), each with its offset in ms from the recorder's start. By default only a
// stream that ended with kDone is stored (an error or cancelled stream would replay its failure);
// StreamCacheOptions::keep_incomplete stores those too. Keep-alives and raw events are recorded
// like any event unless the caller skips them (record_keep_alive / record_raw on the recorder).
//
// Memory: an entry costs the sum of its StoredEvent::bytes() plus a small fixed overhead; the
// cache evicts least recently used entries (Find counts as a use) to stay within max_entries and
// max_bytes, and refuses an entry larger than max_bytes on its own. Entries are shared,
// immutable snapshots: a Replay keeps its entry alive even after eviction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llmstream/event.h"
#include "llmstream/transforms/stored_event.h"

namespace llmstream {

// One recorded stream, immutable once in the cache.
struct CachedStream {
  std::vector<StoredEvent> events;
  std::vector<int64_t> offsets_ms;  // per event: ms after the recording started (non-decreasing)
  bool complete = false;            // ended with kDone
  size_t bytes = 0;                 // what it counts against StreamCacheOptions::max_bytes
  int64_t duration_ms() const { return offsets_ms.empty() ? 0 : offsets_ms.back(); }
};

struct StreamRecorderOptions {
  bool record_keep_alive = false;  // kKeepAlive events (a replay has no idle timers to feed)
  bool record_raw = true;          // kRaw events
};

class StreamRecorder {
 public:
  // `start_ms`: when the request was sent, so a replay also reproduces the wait for the first
  // event; -1: the first recorded event's time.
  explicit StreamRecorder(int64_t start_ms = -1, StreamRecorderOptions options = {});

  void Add(const Event& event, int64_t now_ms);
  bool complete() const { return stream_->complete; }
  size_t events() const { return stream_->events.size(); }
  size_t bytes() const { return stream_->bytes; }
  // The recording so far, handed over (the recorder is empty afterwards).
  std::shared_ptr<CachedStream> Take();

 private:
  StreamRecorderOptions options_;
  int64_t start_ms_;
  int64_t last_offset_ = 0;
  std::shared_ptr<CachedStream> stream_;
};

struct StreamCacheOptions {
  size_t max_entries = 64;
  size_t max_bytes = 16u << 20;
  bool keep_incomplete = false;  // also store streams that did not end with kDone
};

class StreamCache {
 public:
  explicit StreamCache(StreamCacheOptions options = {});

  // Stores the recording under `key` (replacing an older entry), evicting least recently used
  // entries as needed. Returns false (and stores nothing) when the recording is incomplete and
  // incomplete ones are not kept, or alone exceeds max_bytes.
  bool Put(std::string_view key, StreamRecorder&& recorder);
  bool Put(std::string_view key, std::shared_ptr<const CachedStream> stream);
  // The entry, marked most recently used; nullptr when absent (counted as a miss).
  std::shared_ptr<const CachedStream> Find(std::string_view key);
  bool Contains(std::string_view key) const;  // no use, no hit or miss counted
  bool Erase(std::string_view key);
  void Clear();

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedStream> stream;
    size_t bytes;
  };
  using List = std::list<Entry>;  // most recently used first
  void EvictTo(size_t max_entries, size_t max_bytes);

  StreamCacheOptions options_;
  List lru_;
  std::unordered_map<std::string_view, List::iterator> entries_;  // keys point into lru_
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
};

struct ReplayOptions {
  // 1 = the recorded pace, 2 = twice as fast ...; 0 (or negative, or not finite): everything is
  // due at once.
  double speed = 1;
};

// Plays a CachedStream back against the caller's clock (sans-I/O: Poll when WakeAtMs() comes).
class Replay {
 public:
  Replay(std::shared_ptr<const CachedStream> stream, int64_t start_ms, ReplayOptions options = {});

  // The events due by now_ms that were not returned yet, in order. The views stay valid while
  // the Replay lives (they point into the shared entry); the span until the next Poll.
  std::span<const Event> Poll(int64_t now_ms);
  // When the next event is due; -1 when all were returned.
  int64_t WakeAtMs() const;
  bool done() const { return next_ >= stream_->events.size(); }
  // The due time of event i.
  int64_t DueMs(size_t i) const;
  const CachedStream& stream() const { return *stream_; }

 private:
  std::shared_ptr<const CachedStream> stream_;
  int64_t start_ms_;
  double speed_;
  size_t next_ = 0;
  std::vector<Event> due_;
};

}  // namespace llmstream
