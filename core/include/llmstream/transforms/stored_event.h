// StoredEvent: an owned copy of an Event (an Event is a view that dies with the next call into
// its Stream or Session), and EventRing, a FIFO of them that reuses its slots. The stream-level
// utilities (BackpressureQueue, Tee, StreamCache) keep events this way.
//
// Assigning into a slot that held an event before reuses its strings' capacity, so a ring in
// steady state copies events without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/usage.h"

namespace llmstream {

struct StoredEvent {
  EventKind kind = EventKind::kText;
  uint8_t part = 0;
  uint32_t choice = 0;
  uint32_t block = 0;
  std::string text;
  std::string id;
  std::string name;
  std::optional<Usage> usage;      // kUsage
  std::optional<Cost> cost;        // kCost
  std::optional<Error> error;      // kError, kRetry
  std::optional<RetryInfo> retry;  // kRetry

  StoredEvent() = default;
  explicit StoredEvent(const Event& event) { Assign(event); }

  // Copies `event` in, reusing this object's string capacity.
  void Assign(const Event& event);
  // A view of this copy, valid while it lives unchanged.
  Event view() const;
  // Heap and inline bytes this copy accounts for (memory limits): the object plus its strings.
  size_t bytes() const;
};

// A FIFO of StoredEvent that grows by doubling and never frees a slot's strings.
class EventRing {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // Element i from the front (i < size()).
  StoredEvent& operator[](size_t i) { return slots_[(head_ + i) % slots_.size()]; }
  const StoredEvent& operator[](size_t i) const { return slots_[(head_ + i) % slots_.size()]; }
  StoredEvent& front() { return (*this)[0]; }
  // Appends a copy of `event`; returns it. References to elements stay valid until the ring
  // grows (a push into a full ring).
  StoredEvent& PushBack(const Event& event);
  void PopFront();
  void Clear() {
    head_ = 0;
    size_ = 0;
  }

 private:
  std::vector<StoredEvent> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace llmstream
