// Framer: the interface the non-SSE framings share (llmstream/framing.h), so Stream drives any of
// them through one pointer. Calls are per network read, never per byte, so the virtual call
// costs nothing measurable; the SSE parser, the hot path, is not a Framer and is called directly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/framing.h"
#include "llmstream/sse_parser.h"

namespace llmstream::framing {

// What Finish found unfinished. Both false: the body ended on a payload boundary (for a JSON
// array: after its `]`).
struct FramingEnd {
  bool partial_payload = false;  // bytes of a line, message or element that never completed
  bool unclosed = false;         // a JSON array whose `]` never came
};

// Where a payload's bytes >= 0x80 can be, as offsets into it: outside [begin, end) it is ASCII.
// A framer that looked at every byte anyway says what it saw, so that only that range needs the
// UTF-8 check (for most Gemini elements: the few bytes of the token's text).
struct NonAscii {
  size_t begin = 0;
  size_t end = SIZE_MAX;  // (the default: anywhere)
};

// Takes payloads in place of Deliver where the receiver recognises them (the chunk-template
// shortcut, json/chunk_template.h): a JSON array's elements before the framer scans them (the
// template's match is the element), an event-stream payload once its CRCs and headers are checked
// (the match must then be the whole payload). Either way the receiver checks the UTF-8 Deliver
// would have repaired, and the framer skips its scan, its checks and the event's construction.
class PayloadShortcut {
 public:
  // `rest` starts with a payload that would be delivered as `type` and `id` and runs to the end
  // of the read (or of the payload): the length of the payload there when the receiver can take
  // it, else 0. That length must be the one the framer would have found, the bytes valid UTF-8.
  // `same_names`: `type` and `id` are byte for byte those of the previous call (an event-stream
  // header block equal to the last one), so a receiver that found them equal to its template's
  // then, and has not changed its template since, need not compare them again.
  virtual size_t MatchPayload(std::string_view type, std::string_view id, std::string_view rest,
                              bool same_names) = 0;
  // Takes the payload MatchPayload accepted last (what delivering it would have done).
  virtual void TakePayload() = 0;

 protected:
  ~PayloadShortcut() = default;
};

class Framer {
 public:
  virtual ~Framer() = default;

  // Any slice of the body (0 bytes included); the payloads these bytes complete reach the sink
  // before it returns, in body order. False once the framer failed (error() says why); later
  // input is ignored until Reset.
  virtual bool Feed(std::string_view bytes) = 0;
  // End of body: what was left unfinished (payloads still complete at the end, such as an NDJSON
  // last line without its LF, are delivered first). May fail (a last line past the limit): then
  // failed() is set and the result is {}.
  virtual FramingEnd Finish() = 0;
  // Ready for a new body; buffer capacity is kept.
  virtual void Reset() = 0;

  bool failed() const { return failed_; }
  const Error& error() const { return error_; }
  uint64_t bytes_fed() const { return bytes_fed_; }
  // Framers that can use it (JsonArrayFramer) offer each payload to `shortcut` first.
  void set_shortcut(PayloadShortcut* shortcut) { shortcut_ = shortcut; }

 protected:
  Framer(SseSink* sink, FramingLimits limits);

  // Counts `bytes` unless failed; returns !failed().
  bool Accept(std::string_view bytes);
  // Hands one payload to the sink. Type, data and id are made valid UTF-8 (SseEvent's promise,
  // which the JSON reader relies on) by WHATWG repair when they are not; data larger than the
  // limit after repair fails the framer (kFrameTooLarge). Returns !failed().
  bool Deliver(std::string_view type, std::string_view data, std::string_view id,
               NonAscii non_ascii = {});
  // Fails with `code` and `message`; returns false.
  bool Fail(ErrorCode code, std::string message);
  // Fails with kFrameTooLarge naming `what` ("NDJSON line"); returns false.
  bool FailTooLarge(std::string_view what);
  // Back to the first byte of a body (for Reset).
  void ResetBase();
  // Appends `bytes` to `buffer`, growing it geometrically but never past `cap` bytes of capacity
  // (std::string's own doubling could overshoot a limit twofold). size() + bytes <= cap.
  static void AppendBounded(std::string* buffer, std::string_view bytes, size_t cap);

  const FramingLimits& limits() const { return limits_; }
  PayloadShortcut* shortcut() const { return shortcut_; }

 private:
  SseSink* sink_;
  PayloadShortcut* shortcut_ = nullptr;
  FramingLimits limits_;
  std::string repaired_data_, repaired_type_, repaired_id_;
  uint64_t bytes_fed_ = 0;
  bool failed_ = false;
  Error error_;
};

// The framer for `framing`, delivering to `sink` (which must outlive it); nullptr for kSse (the
// caller drives its SseParser itself).
std::unique_ptr<Framer> MakeFramer(Framing framing, SseSink* sink, FramingLimits limits);

}  // namespace llmstream::framing
