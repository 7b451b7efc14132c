// PartialObjects: the JSON values of a stream as they arrive, parsed: the answer text of a JSON
// output (CompletionRequest::response_format) and every tool call's arguments. It follows the
// events of a Stream or Session and adds kPartialObject events: the value so far as a valid JSON
// text (PartialJson::Snapshot: complete members never change later, the open string or
// container grows), for a UI that renders a form or the arguments while they stream.
//
//   PartialObjects objects({.text = IsJsonOutput(request)});
//   for each network read:
//     auto events = stream.Feed(bytes, now_ms);
//     Use(events);
//     for (const Event& e : objects.Observe(events)) Render(e.choice, e.text);  // kPartialObject
//
// A Session does this itself with SessionOptions::partial_objects: its kPartialObject events
// come after the events of the same call (before kDone).
//
// Cost. Observe appends each delta to its value's PartialJson (linear, one pass per byte). A
// snapshot costs the value's size, so one is not taken per delta: at most one per value per
// Observe call, and only when the value has grown by at least 1/kGrowthDivisor of its size at
// the last snapshot (at least one byte), or has just become complete (its final snapshot,
// always shown). The sizes at which snapshots are taken then grow geometrically, so a value of
// n bytes costs O(n) snapshot work in all and O(log n) snapshots, however the server splits it
// (a hostile one sending 1-byte reads included). Snapshots equal to the last one shown are not
// repeated. A value that turns out not to be JSON shows nothing more after its last good
// snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "llmstream/event.h"
#include "llmstream/partial_json.h"

namespace llmstream {

struct PartialObjectsOptions {
  bool text = false;           // every choice's answer text is one JSON value (a JSON output)
  bool tool_arguments = true;  // every tool call's arguments
};

class PartialObjects {
 public:
  // A snapshot is due once a value grew by 1/kGrowthDivisor of its size at the last one.
  static constexpr uint64_t kGrowthDivisor = 4;

  explicit PartialObjects(PartialObjectsOptions options = {});
  ~PartialObjects();
  PartialObjects(PartialObjects&&) noexcept;
  PartialObjects& operator=(PartialObjects&&) noexcept;

  // Takes the events of one call (one network read: Stream::Feed / Finish, a Session call) in
  // order, and returns the kPartialObject events they made due. These stay valid until the next
  // Observe or Reset. A kRetry that starts over forgets everything (the answer begins anew).
  std::span<const Event> Observe(std::span<const Event> events);

  // The parser of one value (kText: index 0; kToolArguments: the call's index, Event::block), or
  // nullptr when none arrived. A tool call's parser is dropped once the call ended (its complete
  // arguments are in kToolCallEnd / the Completion).
  const PartialJson* Find(PartialSource source, uint32_t choice, uint32_t index) const;

  // Forgets everything (a new response).
  void Reset();

  uint64_t snapshots() const { return snapshots_; }            // Snapshot() calls so far
  uint64_t snapshot_bytes() const { return snapshot_bytes_; }  // bytes they parsed (the cost)

 private:
  struct Value;
  // The position of a value in values_, or UINT32_MAX.
  uint32_t Lookup(PartialSource source, uint32_t choice, uint32_t index) const;
  Value* Get(PartialSource source, uint32_t choice, uint32_t index, bool create);
  // Takes a snapshot of `value` when one is due (`ending`: its last chance) and queues its event.
  void Consider(Value& value, bool ending);

  PartialObjectsOptions options_;
  std::vector<std::unique_ptr<Value>> values_;
  struct Index;
  std::unique_ptr<Index> index_;
  std::vector<Value*> touched_;  // values that grew in this Observe call
  std::vector<Event> events_;
  std::vector<std::string> texts_;  // events_[i].text's storage
  uint64_t snapshots_ = 0;
  uint64_t snapshot_bytes_ = 0;
};

}  // namespace llmstream
