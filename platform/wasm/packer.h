// The packed-event protocol of the wasm boundary (npm/src/core/README.md has the JS side).
//
// One call into a WasmSession packs the events it produced into three buffers that JS reads
// straight out of wasm memory, with no embind value per event:
//   records  int32[kRecordInts * count]: one fixed-size record per event (RecordField)
//   text     one UTF-8 region holding every string of the call, decoded by JS with ONE
//            TextDecoder.decode; records hold UTF-16 code-unit offsets into the decoded string,
//            so JS slices with String.prototype.slice (invalid UTF-8 is repaired first, so the
//            counts always match what TextDecoder produces)
//   side     one JSON array text for the rare structured payloads (usage, cost, errors, JSON
//            values); a record's kSideIndex points into it, -1 = none
// and a PackHeader at a fixed address says where they are after every call. The layout is in
// abi.h, the one definition JS's copy is generated from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"
#include "llmstream/completion.h"
#include "llmstream/event.h"

namespace llmstream::wasm {

class Packer {
 public:
  // Replaces the batch with `events`. `result` is the completion after them (to look up block
  // types for kBlockEnd and tool kinds for kToolCallEnd).
  void Pack(std::span<const Event> events, const Completion& result);
  void Clear();

  int count() const { return count_; }
  const int32_t* records() const { return records_.data(); }
  const char* text() const { return text_.get(); }
  size_t text_bytes() const { return text_size_; }
  int side_count() const { return side_count_; }
  // "[...]" with side_count() entries ("[]" when none).
  std::string side_json() const;

 private:
  // Appends a string to the text region; returns its [start, len) in UTF-16 code units. Inline
  // for the empty case, which most ids and names of most events are (no call for them).
  void AppendText(std::string_view text, int32_t* start, int32_t* len) {
    *start = static_cast<int32_t>(text_units_);
    *len = text.empty() ? 0 : AppendNonEmptyText(text);
  }
  // The UTF-16 length of `text` (not empty), after appending it.
  int32_t AppendNonEmptyText(std::string_view text);
  // Starts a side entry and returns its index; the caller appends one JSON value to side_.
  int32_t BeginSide();
  void AppendBytes(std::string_view bytes);
  void GrowText(size_t needed);

  std::vector<int32_t> records_;
  // The text region, grown by hand: in the wasm build std::string::append is not inlined (it
  // lives in the sysroot's precompiled libc++), and it runs up to three times per event.
  std::unique_ptr<char[]> text_;
  size_t text_size_ = 0;
  size_t text_capacity_ = 0;
  size_t text_units_ = 0;  // UTF-16 length of the text region
  std::string side_;       // the side entries, comma-separated, without the brackets
  int side_count_ = 0;
  int count_ = 0;
  std::string scratch_;
};

}  // namespace llmstream::wasm
