#include "llmstream/transforms/tee.h"

#include <algorithm>
#include <string>

namespace llmstream {

Tee::Tee(size_t consumers, TeeOptions options) : options_(options), consumers_(consumers) {
  if (options_.max_events == 0) options_.max_events = 1;
}

size_t Tee::AddConsumer() {
  consumers_.push_back({base_ + ring_.size(), State::kActive});
  return consumers_.size() - 1;
}

void Tee::RemoveConsumer(size_t id) {
  if (id >= consumers_.size()) return;
  consumers_[id].state = State::kRemoved;
  Collect();
}

void Tee::Collect() {
  uint64_t min_cursor = base_ + ring_.size();
  for (const Consumer& c : consumers_) {
    if (c.state == State::kActive) min_cursor = std::min(min_cursor, c.cursor);
  }
  while (base_ < min_cursor) {
    bytes_ -= std::min(bytes_, ring_.front().bytes());
    ring_.PopFront();
    ++base_;
  }
}

void Tee::Push(const Event& event) {
  if (closed_) return;
  Collect();
  const StoredEvent& stored = ring_.PushBack(event);
  bytes_ += stored.bytes();
  // Over a limit: the consumers holding the oldest event fall out, until it fits (the newest
  // event alone always does).
  while (ring_.size() > 1 && (ring_.size() > options_.max_events || bytes_ > options_.max_bytes)) {
    for (Consumer& c : consumers_) {
      if (c.state == State::kActive && c.cursor == base_) c.state = State::kOverflowed;
    }
    Collect();
  }
}

void Tee::Close() { closed_ = true; }

const Event* Tee::Next(size_t id) {
  if (id >= consumers_.size()) return nullptr;
  Consumer& c = consumers_[id];
  switch (c.state) {
    case State::kActive:
      break;
    case State::kOverflowed: {
      c.state = State::kErrorDelivered;
      overflow_.code = ErrorCode::kOverflow;
      overflow_.message = "tee: consumer " + std::to_string(id) + " fell behind by more than " +
                          std::to_string(options_.max_events) + " events or " +
                          std::to_string(options_.max_bytes) + " bytes; its events were dropped";
      view_ = Event();
      view_.kind = EventKind::kError;
      view_.error = &overflow_;
      return &view_;
    }
    case State::kErrorDelivered:
    case State::kRemoved:
      return nullptr;
  }
  if (c.cursor >= base_ + ring_.size()) return nullptr;
  view_ = ring_[static_cast<size_t>(c.cursor - base_)].view();
  ++c.cursor;
  return &view_;
}

bool Tee::ended(size_t id) const {
  if (id >= consumers_.size()) return true;
  const Consumer& c = consumers_[id];
  switch (c.state) {
    case State::kActive:
      return closed_ && c.cursor >= base_ + ring_.size();
    case State::kOverflowed:
      return false;  // the error is still to be read
    case State::kErrorDelivered:
    case State::kRemoved:
      return true;
  }
  return true;
}

bool Tee::overflowed(size_t id) const {
  return id < consumers_.size() && (consumers_[id].state == State::kOverflowed ||
                                    consumers_[id].state == State::kErrorDelivered);
}

size_t Tee::lag(size_t id) const {
  if (id >= consumers_.size() || consumers_[id].state != State::kActive) return 0;
  return static_cast<size_t>(base_ + ring_.size() - consumers_[id].cursor);
}

size_t Tee::max_lag() const {
  size_t lag_max = 0;
  for (size_t i = 0; i < consumers_.size(); ++i) lag_max = std::max(lag_max, lag(i));
  return lag_max;
}

}  // namespace llmstream
