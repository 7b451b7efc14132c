// Emitter: where a dialect puts the events it decodes. Owns the per-Feed storage that Event views
// point into (the arena for copied strings, stable slots for usage / cost / error payloads), so
// that the hot path allocates nothing per token. Everything is reset at the next Feed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/arena.h"
#include "llmstream/event.h"

namespace llmstream {

class Emitter {
 public:
  // Starts a new batch: previous events, strings and payloads become invalid.
  void Clear() {
    ++batch_;
    events_.clear();
    arena_.Reset();
    if (!held_.empty()) held_.clear();
    // Most batches carry no payload: an empty deque's clear() still walks its node map, on every
    // Feed (one per network read).
    if (!payloads_.empty()) payloads_.clear();
  }

  // StreamLimits::max_metadata_keys (0: none), for the dialects' metadata trackers.
  void set_max_metadata_keys(uint32_t max) { max_metadata_keys_ = max; }
  uint32_t max_metadata_keys() const { return max_metadata_keys_; }

  Event& event(size_t i) { return events_[i]; }

  // Counts Clear calls: storage a dialect lends to events may be reused once this moved.
  uint64_t batch() const { return batch_; }

  Event& Emit(EventKind kind, uint32_t choice = 0, uint32_t block = 0) {
    Event& event = events_.emplace_back();
    event.kind = kind;
    event.choice = choice;
    event.block = block;
    return event;
  }
  // A copy of an event from elsewhere (a Session passing a Stream's events on): one copy, not a
  // default Event overwritten.
  Event& Push(const Event& event) { return events_.emplace_back(event); }
  void EmitText(EventKind kind, uint32_t choice, uint32_t block, std::string_view text,
                uint8_t part = 0) {
    Event& event = Emit(kind, choice, block);
    event.text = text;
    event.part = part;
  }
  void EmitMetadata(std::string_view key, std::string_view value, MetadataFormat format,
                    uint32_t choice = 0) {
    Event& event = Emit(EventKind::kMetadata, choice);
    event.name = key;
    event.text = value;
    event.part = static_cast<uint8_t>(format);
  }
  void EmitWarning(std::string_view message) { Emit(EventKind::kWarning).text = Copy(message); }

  // A kToolCallEnd whose arguments are the call's deltas. Only the assembler keeps those (a
  // dialect holding a copy too would double the memory of a big call): the Stream or Session
  // that assembles the deltas fills in text and part (Assembler::ResolveToolCallEnd) before the
  // event leaves the core.
  static constexpr uint8_t kArgumentsFromDeltas = 2;
  void EmitToolCallEnd(uint32_t choice, uint32_t index, std::string_view id,
                       std::string_view name) {
    Event& end = Emit(EventKind::kToolCallEnd, choice, index);
    end.id = Copy(id);
    end.name = Copy(name);
    end.part = kArgumentsFromDeltas;
  }
  // A kToolCallEnd with the arguments the provider sent whole ("" means none: "{}"), checked
  // here; a warning before it when they are not JSON.
  void EmitToolCallEnd(uint32_t choice, uint32_t index, std::string_view id, std::string_view name,
                       std::string_view arguments);
  // A kToolCallEnd's text and part: `arguments` ("" means none: "{}"), copied to the arena or
  // pointed at, and whether they are valid JSON. Returns that.
  bool SetToolArguments(Event& end, std::string_view arguments, bool copy);
  // The warning for arguments that are not JSON, at `position` (the events after it move up).
  void InsertBadArgumentsWarning(size_t position, std::string_view name, std::string_view id);
  void EmitUsage(const Usage& usage) {
    Emit(EventKind::kUsage).usage = &(payloads_.emplace_back().usage = usage);
  }
  void EmitCost(const Cost& cost) {
    Emit(EventKind::kCost).cost = &(payloads_.emplace_back().cost = cost);
  }
  // A kCost event at `position` (the one after its kUsage), the later events moved up by one.
  // Usage comes once or twice per stream, so the move is rare.
  void InsertCost(size_t position, const Cost& cost) {
    EmitCost(cost);
    MoveLastTo(position);
  }
  // Moves the last event to `position`, the ones from there on up by one. By swaps: less code
  // than vector::insert (the wasm module's size).
  void MoveLastTo(size_t position) {
    for (size_t i = events_.size() - 1; i > position; --i) std::swap(events_[i], events_[i - 1]);
  }
  void EmitError(Error error) {
    Emit(EventKind::kError).error = &(payloads_.emplace_back().error = std::move(error));
  }
  // A kRetry: the failed attempt's error, why it is retried, and what comes next.
  void EmitRetry(Error error, std::string_view reason, const RetryInfo& retry) {
    Event& event = Emit(EventKind::kRetry);
    Payload& payload = payloads_.emplace_back();
    payload.error = std::move(error);
    payload.retry = retry;
    event.error = &payload.error;
    event.retry = &payload.retry;
    event.text = Copy(reason);
  }

  // Keeps the first `count` events (payload storage stays until Clear).
  void Truncate(size_t count) { events_.resize(count); }

  // Removes the events of `kind` from index `first` on (their payload storage stays until Clear).
  void Drop(size_t first, EventKind kind) {
    auto from = events_.begin() + static_cast<std::ptrdiff_t>(first);
    events_.erase(std::remove_if(from, events_.end(),
                                 [kind](const Event& event) { return event.kind == kind; }),
                  events_.end());
  }

  // Copies `text` into storage that lives until the next Clear.
  std::string_view Copy(std::string_view text) { return arena_.Copy(text); }
  // Keeps `bytes` (64 KiB or more: heap storage, which a move does not relocate) until the next
  // batch, instead of copying it into the arena; returns a view of it.
  std::string_view Hold(std::string&& bytes) {
    held_.push_back(std::move(bytes));
    return held_.back();
  }
  json::Arena* arena() { return &arena_; }

  std::vector<Event>& events() { return events_; }
  size_t size() const { return events_.size(); }

 private:
  std::vector<Event> events_;
  json::Arena arena_;
  std::vector<std::string> held_;  // Hold()
  // What usage, cost, error and retry events point to. A deque: push_back keeps earlier elements
  // in place, so Event pointers stay valid. One deque of one struct for all four: each deque
  // instantiation costs ~3 KB of the wasm module, and these events come a few times a stream.
  struct Payload {
    Usage usage;
    Cost cost;
    Error error;
    RetryInfo retry;
  };
  std::deque<Payload> payloads_;
  uint64_t batch_ = 0;
  uint32_t max_metadata_keys_ = 0;
};

}  // namespace llmstream
