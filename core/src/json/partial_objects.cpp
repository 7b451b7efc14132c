// PartialObjects (llmstream/partial_objects.h): one PartialJson per value, found through a
// FlatIndex (a hostile stream of thousands of tool calls costs no scan per delta), and the
// snapshot rule that keeps the work linear.
#include "llmstream/partial_objects.h"

#include <algorithm>
#include <utility>

#include "common/flat_index.h"

namespace llmstream {

struct PartialObjects::Value {
  PartialSource source = PartialSource::kText;
  uint32_t choice = 0;
  uint32_t index = 0;
  PartialJson json;
  uint64_t snapshot_at = 0;  // text size at the last snapshot (0: none yet)
  uint64_t shown_size = 0;   // size and hash of the last snapshot shown (0: none)
  uint64_t shown_hash = 0;
  bool touched = false;         // in touched_
  bool complete_shown = false;  // its final snapshot was shown
  bool ended = false;           // a tool call that ended: its parser was dropped
};

struct PartialObjects::Index {
  FlatIndex index;
};

namespace {

uint64_t KeyOf(PartialSource source, uint32_t choice, uint32_t index) {
  return (uint64_t{choice} << 33) | (uint64_t{static_cast<uint8_t>(source)} << 32) | index;
}

// FNV-1a: tells a snapshot from the last one shown without keeping a copy of it.
uint64_t HashOf(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

}  // namespace

PartialObjects::PartialObjects(PartialObjectsOptions options)
    : options_(options), index_(std::make_unique<Index>()) {}
PartialObjects::~PartialObjects() = default;
PartialObjects::PartialObjects(PartialObjects&&) noexcept = default;
PartialObjects& PartialObjects::operator=(PartialObjects&&) noexcept = default;

void PartialObjects::Reset() {
  values_.clear();
  index_->index.Clear();
  touched_.clear();
  events_.clear();
}

uint32_t PartialObjects::Lookup(PartialSource source, uint32_t choice, uint32_t index) const {
  // The newest value first: deltas of one value come in runs.
  if (!values_.empty()) {
    const Value& last = *values_.back();
    if (last.source == source && last.choice == choice && last.index == index) {
      return static_cast<uint32_t>(values_.size() - 1);
    }
  }
  const uint64_t key = KeyOf(source, choice, index);
  return index_->index.Find(FlatIndex::HashInt(key), [&](uint32_t i) {
    const Value& v = *values_[i];
    return KeyOf(v.source, v.choice, v.index) == key;
  });
}

PartialObjects::Value* PartialObjects::Get(PartialSource source, uint32_t choice, uint32_t index,
                                           bool create) {
  const uint32_t at = Lookup(source, choice, index);
  if (at != FlatIndex::kNone) return values_[at].get();
  if (!create) return nullptr;
  auto value = std::make_unique<Value>();
  value->source = source;
  value->choice = choice;
  value->index = index;
  values_.push_back(std::move(value));
  index_->index.Insert(FlatIndex::HashInt(KeyOf(source, choice, index)),
                       static_cast<uint32_t>(values_.size() - 1));
  return values_.back().get();
}

const PartialJson* PartialObjects::Find(PartialSource source, uint32_t choice,
                                        uint32_t index) const {
  const uint32_t at = Lookup(source, choice, index);
  if (at == FlatIndex::kNone || values_[at]->ended) return nullptr;
  return &values_[at]->json;
}

std::span<const Event> PartialObjects::Observe(std::span<const Event> events) {
  events_.clear();
  for (const Event& event : events) {
    PartialSource source;
    switch (event.kind) {
      case EventKind::kText:
        if (!options_.text) continue;
        source = PartialSource::kText;
        break;
      case EventKind::kToolCallDelta:
        if (!options_.tool_arguments) continue;
        source = PartialSource::kToolArguments;
        break;
      case EventKind::kToolCallEnd:
        if (options_.tool_arguments) {
          if (Value* value = Get(PartialSource::kToolArguments, event.choice, event.block, false);
              value != nullptr && !value->ended) {
            Consider(*value, /*ending=*/true);
            value->ended = true;
            value->json = PartialJson();  // the complete arguments live on in the Completion
          }
        }
        continue;
      case EventKind::kRetry:
        if (event.retry == nullptr || !event.retry->continuation) Reset();
        continue;
      default:
        continue;
    }
    if (event.text.empty()) continue;
    Value* value = Get(source, event.choice, source == PartialSource::kText ? 0 : event.block,
                       /*create=*/true);
    if (value->ended) continue;
    value->json.Append(event.text);
    if (!value->touched) {
      value->touched = true;
      touched_.push_back(value);
    }
  }
  for (Value* value : touched_) {
    value->touched = false;
    if (!value->ended) Consider(*value, /*ending=*/false);
  }
  touched_.clear();
  // The texts are in place now (texts_ no longer grows): point the events at them.
  for (size_t i = 0; i < events_.size(); ++i) events_[i].text = texts_[i];
  return events_;
}

void PartialObjects::Consider(Value& value, bool ending) {
  const PartialJson& json = value.json;
  if (json.failed()) return;
  const uint64_t size = json.text().size();
  const bool complete = json.complete();
  if (complete) {
    if (value.complete_shown) return;
  } else {
    const uint64_t due =
        value.snapshot_at + std::max<uint64_t>(1, value.snapshot_at / kGrowthDivisor);
    if (size < due && !(ending && size > value.snapshot_at)) return;
  }
  // Its storage: texts_[events_.size()], reused from earlier calls.
  if (texts_.size() <= events_.size()) texts_.resize(events_.size() + 1);
  std::string& text = texts_[events_.size()];
  text = json.Snapshot();
  ++snapshots_;
  snapshot_bytes_ += size;
  value.snapshot_at = size;
  value.complete_shown = complete;
  if (text.empty()) return;
  const uint64_t hash = HashOf(text);
  if (text.size() == value.shown_size && hash == value.shown_hash) return;
  value.shown_size = text.size();
  value.shown_hash = hash;
  Event& event = events_.emplace_back();
  event.kind = EventKind::kPartialObject;
  event.part = static_cast<uint8_t>(value.source);
  event.choice = value.choice;
  event.block = value.index;
}

}  // namespace llmstream
