#include "llmstream/transforms/backpressure.h"

#include <algorithm>
#include <utility>

namespace llmstream {

WaterMarks::WaterMarks(WaterMarkOptions options) {
  high_ = std::max<size_t>(options.high_water_mark, 1);
  low_ = options.low_water_mark == SIZE_MAX ? high_ / 2 : options.low_water_mark;
  if (low_ >= high_) low_ = high_ - 1;
}

bool WaterMarks::Add(size_t amount) {
  level_ += amount;
  if (!paused_ && level_ >= high_) {
    paused_ = true;
    ++pauses_;
  }
  return paused_;
}

bool WaterMarks::Remove(size_t amount) {
  level_ -= std::min(amount, level_);
  if (paused_ && level_ <= low_) paused_ = false;
  return paused_;
}

double WaterMarks::pressure() const {
  return static_cast<double>(level_) / static_cast<double>(high_);
}

void WaterMarks::Reset() {
  level_ = 0;
  paused_ = false;
  pauses_ = 0;
}

BackpressureQueue::BackpressureQueue(WaterMarkOptions options)
    : unit_(options.unit), marks_(options) {}

size_t BackpressureQueue::Amount(const StoredEvent& event) const {
  return unit_ == QueueUnit::kItems ? 1 : event.bytes();
}

bool BackpressureQueue::Push(const Event& event) {
  const StoredEvent& stored = ring_.PushBack(event);
  bytes_ += stored.bytes();
  return marks_.Add(Amount(stored));
}

bool BackpressureQueue::PushText(std::string_view text) {
  Event event;
  event.kind = EventKind::kText;
  event.text = text;
  return Push(event);
}

const Event* BackpressureQueue::Pop() {
  if (ring_.empty()) return nullptr;
  StoredEvent& front = ring_.front();
  const size_t size = front.bytes();
  marks_.Remove(Amount(front));
  bytes_ -= std::min(bytes_, size);
  std::swap(popped_, front);  // the slot keeps popped_'s old buffers for reuse
  ring_.PopFront();
  view_ = popped_.view();
  return &view_;
}

const Event* BackpressureQueue::Peek() {
  if (ring_.empty()) return nullptr;
  view_ = ring_.front().view();
  return &view_;
}

BackpressureStatus BackpressureQueue::status() const {
  return {ring_.size(), bytes_, marks_.paused(), marks_.pressure()};
}

void BackpressureQueue::Clear() {
  ring_.Clear();
  marks_.Reset();
  bytes_ = 0;
}

}  // namespace llmstream
