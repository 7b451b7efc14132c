// Tee: one event source, N independent consumers (like ReadableStream.tee() and the SDKs'
// Stream.tee(), for N): e.g. one branch renders, one records for the cache, one computes
// metrics, each reading at its own pace.
//
//   Tee tee(2);                              // consumers 0 and 1
//   source:     tee.Push(event); ... tee.Close();
//   consumer c: while (const Event* e = tee.Next(c)) use(*e);   if (tee.ended(c)) done
//
// Each event is copied once, into a ring shared by all consumers; every consumer has its own
// cursor, and an event is freed once every consumer has read it. Memory is bounded: when keeping
// an event for the slowest consumer would exceed max_events or max_bytes, that consumer
// overflows instead of the ring growing: its cursor is dropped, its next Next() returns one
// kError event (code kOverflow, message "tee: consumer N fell behind ...") and after that it has
// ended. The other consumers are unaffected. A producer that would rather slow down than drop a
// consumer watches max_lag() (e.g. with WaterMarks) and pauses before the limit.
//
// A consumer added with AddConsumer() joins at the current end: it sees the events pushed after
// it joined. Views returned by Next() stay valid until the next call on the Tee.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/transforms/stored_event.h"

namespace llmstream {

struct TeeOptions {
  size_t max_events = 4096;     // events kept for the slowest consumer (0 counts as 1)
  size_t max_bytes = 4u << 20;  // StoredEvent::bytes() kept (the event just pushed always fits)
};

class Tee {
 public:
  explicit Tee(size_t consumers = 2, TeeOptions options = {});

  // A new consumer, joining at the current end. Returns its id.
  size_t AddConsumer();
  // The consumer stops reading: what it held back is released. Its id is not reused.
  void RemoveConsumer(size_t id);

  // Copies the event in for every active consumer (ignored after Close()).
  void Push(const Event& event);
  // The source ended: consumers read what is left, then have ended.
  void Close();

  // The consumer's next event, or nullptr when there is none now (check ended()).
  const Event* Next(size_t id);
  bool ended(size_t id) const;       // closed and drained, overflowed (error delivered) or removed
  bool overflowed(size_t id) const;  // dropped for falling behind
  size_t lag(size_t id) const;       // events waiting for this consumer

  size_t consumers() const { return consumers_.size(); }
  size_t max_lag() const;  // the slowest active consumer's lag
  size_t buffered_events() const { return ring_.size(); }
  size_t buffered_bytes() const { return bytes_; }
  bool closed() const { return closed_; }

 private:
  enum class State : uint8_t { kActive, kOverflowed, kErrorDelivered, kRemoved };
  struct Consumer {
    uint64_t cursor = 0;  // sequence number of its next event
    State state = State::kActive;
  };
  void Collect();  // frees events every active consumer has read

  TeeOptions options_;
  std::vector<Consumer> consumers_;
  EventRing ring_;
  uint64_t base_ = 0;  // sequence number of ring_[0]
  size_t bytes_ = 0;
  bool closed_ = false;
  Error overflow_;
  Event view_;
};

}  // namespace llmstream
