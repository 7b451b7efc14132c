#include "llmstream/transforms/stored_event.h"

#include <utility>

namespace llmstream {

void StoredEvent::Assign(const Event& event) {
  kind = event.kind;
  part = event.part;
  choice = event.choice;
  block = event.block;
  text.assign(event.text.data(), event.text.size());
  id.assign(event.id.data(), event.id.size());
  name.assign(event.name.data(), event.name.size());
  if (event.usage != nullptr) {
    usage = *event.usage;
  } else {
    usage.reset();
  }
  if (event.cost != nullptr) {
    if (cost) {
      *cost = *event.cost;  // keeps price_date's capacity
    } else {
      cost = *event.cost;
    }
  } else {
    cost.reset();
  }
  if (event.error != nullptr) {
    if (error) {
      *error = *event.error;
    } else {
      error = *event.error;
    }
  } else {
    error.reset();
  }
  if (event.retry != nullptr) {
    retry = *event.retry;
  } else {
    retry.reset();
  }
}

Event StoredEvent::view() const {
  Event event;
  event.kind = kind;
  event.part = part;
  event.choice = choice;
  event.block = block;
  event.text = text;
  event.id = id;
  event.name = name;
  event.usage = usage ? &*usage : nullptr;
  event.cost = cost ? &*cost : nullptr;
  event.error = error ? &*error : nullptr;
  event.retry = retry ? &*retry : nullptr;
  return event;
}

size_t StoredEvent::bytes() const {
  size_t n = sizeof(StoredEvent) + text.size() + id.size() + name.size();
  if (cost) n += cost->price_date.size();
  if (error) n += error->message.size() + error->provider_type.size();
  return n;
}

StoredEvent& EventRing::PushBack(const Event& event) {
  if (size_ == slots_.size()) {
    // Grow: unroll into a new vector, moving the strings (their capacity comes along).
    std::vector<StoredEvent> grown(slots_.empty() ? 16 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) grown[i] = std::move((*this)[i]);
    slots_ = std::move(grown);
    head_ = 0;
  }
  StoredEvent& slot = slots_[(head_ + size_) % slots_.size()];
  slot.Assign(event);
  ++size_;
  return slot;
}

void EventRing::PopFront() {
  if (size_ == 0) return;
  head_ = (head_ + 1) % slots_.size();
  --size_;
}

}  // namespace llmstream
