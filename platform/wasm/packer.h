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
// and a PackHeader at a fixed address says where they are after every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/completion.h"
#include "llmstream/event.h"

namespace llmstream::wasm {

enum RecordField : int {
  kFieldKind = 0,       // EventKind
  kFieldChoice = 1,     // Event::choice (kRetry: the attempt about to start)
  kFieldBlock = 2,      // Event::block (kRetry: the delay in ms)
  kFieldPart = 3,       // Event::part (ReasoningPart / ToolKind / MetadataFormat / valid flag)
  kFieldTextStart = 4,  // Event::text as [start, start + len) in the decoded text region
  kFieldTextLen = 5,
  kFieldIdStart = 6,  // Event::id
  kFieldIdLen = 7,
  kFieldNameStart = 8,  // Event::name (kBlockEnd: the block's type, looked up)
  kFieldNameLen = 9,
  kFieldSideIndex = 10,  // index into the side JSON array, -1 = none
  kFieldExtra = 11,      // kToolCallEnd: the call's ToolKind (looked up); kText of at most
                         // kTokenCacheMaxBytes: a 31-bit hash of the text (the decoder's string
                         // cache), with kAsciiBytesFlag when the text region is ASCII up to the
                         // end of this text (its UTF-16 offsets are then its byte offsets)
};
inline constexpr int kRecordInts = 12;
inline constexpr int32_t kAsciiBytesFlag = INT32_MIN;
// Longer text deltas are rare and seldom repeat: they get no hash (0).
inline constexpr size_t kTokenCacheMaxBytes = 32;

// At a fixed address for the session's lifetime; JS reads it after every call (HEAP32 /
// HEAPF64) instead of calling accessors. Little-endian wasm32: pointers fit an int32.
struct PackHeader {
  int32_t event_count = 0;  // records in this call's batch
  int32_t records_ptr = 0;
  int32_t text_ptr = 0;
  int32_t text_bytes = 0;  // UTF-8 bytes of the text region
  int32_t side_count = 0;  // entries in the side array (0: sideJson() need not be called)
  int32_t action = 3;      // the last poll's SessionAction (0 send, 1 wait, 2 abort, 3 done)
  int32_t attempt = 0;     // the attempt number of the last kSend
  int32_t done = 0;        // 1 once the session is finished
  double wake_at_ms = -1;  // the last poll's wake-up time, -1 = only on I/O
};
static_assert(sizeof(PackHeader) == 40, "JS reads the header at fixed offsets");
static_assert(offsetof(PackHeader, wake_at_ms) == 32, "JS reads wake_at_ms as HEAPF64[(p+32)/8]");

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
