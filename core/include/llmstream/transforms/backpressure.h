// Backpressure with high and low water marks (the seed guide's BackpressureManager): a producer
// that outpaces its consumer is told to pause at the high-water mark and to resume once the
// consumer has drained the queue down to the low-water mark (hysteresis, so it does not flap).
//
//   BackpressureQueue queue({.high_water_mark = 100});   // low defaults to high / 2
//   producer:  if (queue.Push(event)) pause the source (e.g. stop reading the socket);
//   consumer:  while (const Event* e = queue.Pop()) { use(*e); }
//              if (!queue.paused()) resume the source;
//   queue.status()   // {size, bytes, paused, pressure}: the guide's getStatus()
//
// WaterMarks is the state machine alone, for callers that keep their own queue (a JS array, a
// socket buffer): Add / Remove amounts, read paused(). Neither ever blocks, sleeps or drops
// anything: pausing is the producer's job (the native client pauses its libcurl transfer; a JS
// ReadableStream stops pulling).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llmstream/event.h"
#include "llmstream/transforms/stored_event.h"

namespace llmstream {

enum class QueueUnit : uint8_t {
  kItems = 0,  // events (the guide's queue.length)
  kBytes = 1,  // StoredEvent::bytes() of the queued events
};

struct WaterMarkOptions {
  size_t high_water_mark = 100;  // pause when the level reaches this (0 counts as 1)
  // Resume when the level falls to this or below. Default (SIZE_MAX): high / 2, the guide's
  // choice. Values at or above the high mark are clamped to high - 1.
  size_t low_water_mark = SIZE_MAX;
  QueueUnit unit = QueueUnit::kItems;
};

class WaterMarks {
 public:
  explicit WaterMarks(WaterMarkOptions options = {});

  // The level rose by `amount`. Returns paused() afterwards.
  bool Add(size_t amount);
  // The level fell by `amount` (clamped at 0). Returns paused() afterwards.
  bool Remove(size_t amount);

  bool paused() const { return paused_; }
  size_t level() const { return level_; }
  // level / high mark (the guide's pressure); above 1 when the producer ignored a pause.
  double pressure() const;
  uint64_t pauses() const { return pauses_; }  // times the producer was told to pause
  size_t high_water_mark() const { return high_; }
  size_t low_water_mark() const { return low_; }
  void Reset();

 private:
  size_t high_;
  size_t low_;
  size_t level_ = 0;
  bool paused_ = false;
  uint64_t pauses_ = 0;
};

struct BackpressureStatus {
  size_t size = 0;   // events queued (the guide's queueSize)
  size_t bytes = 0;  // their StoredEvent::bytes()
  bool paused = false;
  double pressure = 0;
};

// A FIFO of owned event copies governed by WaterMarks.
class BackpressureQueue {
 public:
  explicit BackpressureQueue(WaterMarkOptions options = {});

  // Copies the event in. Returns true when the producer should pause (now, or still).
  bool Push(const Event& event);
  // Convenience: a kText event carrying `text`.
  bool PushText(std::string_view text);
  // The oldest event, or nullptr when empty; removed from the queue. The view stays valid until
  // the next call on the queue. May resume the producer: check paused() afterwards.
  const Event* Pop();
  // The oldest event without removing it (nullptr when empty); valid until the next call.
  const Event* Peek();

  bool paused() const { return marks_.paused(); }
  bool empty() const { return ring_.empty(); }
  size_t size() const { return ring_.size(); }
  size_t bytes() const { return bytes_; }
  BackpressureStatus status() const;
  const WaterMarks& marks() const { return marks_; }
  void Clear();

 private:
  size_t Amount(const StoredEvent& event) const;

  QueueUnit unit_;
  WaterMarks marks_;
  EventRing ring_;
  StoredEvent popped_;  // the last popped event (its slot may be reused by the next Push)
  Event view_;
  size_t bytes_ = 0;
};

}  // namespace llmstream
