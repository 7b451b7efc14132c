// SseParser: turns a `text/event-stream` body into events, exactly as the WHATWG HTML "event
// stream interpretation" does (shared/docs/wire-formats.md section 1), for any split of the body
// into reads.
//
//   class Sink : public llmstream::SseSink {
//     void OnEvent(const llmstream::SseEvent& event) override { ... }
//   };
//   Sink sink;
//   llmstream::SseParser parser(&sink);
//   for each network read:  if (!parser.Feed(bytes)) { report parser.error(); stop; }
//   at end of body:         llmstream::SseEnd end = parser.Finish();  // truncated if any is set
//
// The parser is sans-I/O: no sockets, clocks, threads or exceptions. It is the hot path of every
// stream, so it copies as little as possible: a line that lies inside one Feed input is read in
// place, and an event made of one such `data` line hands the sink a view into the caller's bytes.
// Only lines that straddle reads, events with several `data` lines and text that needs UTF-8
// repair are copied, into internal buffers whose capacity is reused, so a steady stream does not
// allocate per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/error.h"

namespace llmstream {

// Caps that keep a hostile or broken server from growing memory without bound. Real events reach
// hundreds of KB (base64 images in Responses streams), so the defaults are generous. Exceeding a
// cap fails the parser (see SseParser::Feed); it never truncates data silently. The line buffer
// and the data buffer never grow past their cap; the small buffers for the event type, the id and
// a repaired comment hold one line's value, at most 3x max_line_bytes after U+FFFD replacement.
struct SseLimits {
  // Longest accepted line in bytes as received (terminator excluded). Checked on the bytes
  // buffered so far too, so an endless line fails as soon as it passes the cap.
  size_t max_line_bytes = 8u << 20;
  // Largest accepted event `data` in bytes (after UTF-8 repair, the LFs joining several `data`
  // lines included).
  size_t max_event_bytes = 16u << 20;
};

// One dispatched event. The views are valid only during the SseSink::OnEvent call: they point
// into the caller's Feed input or into buffers the parser reuses for the next event.
// "message": the type of a block without an `event` field (or with an empty one). SseEvent::type
// then views this array, which lives as long as the program.
extern const char kSseDefaultType[];

struct SseEvent {
  // The `event` field, or "message" when the block had none (or an empty one).
  std::string_view type;
  // The `data` lines joined with LF, without a trailing LF. Always valid UTF-8.
  std::string_view data;
  // The persistent last event ID at dispatch: it sticks to every later event until another `id`
  // field changes it, as EventSource's lastEventId does.
  std::string_view id;

  // True when `type` is the parser's default (a view of kSseDefaultType, never a buffer that
  // dies with the next Feed): one pointer compare instead of comparing the bytes.
  bool has_default_type() const { return type.data() == kSseDefaultType; }
};

// Receives what the parser finds, in stream order. Virtual calls keep the parser a plain class
// that needs no templates or std::function (and no allocation per callback). Callbacks must not
// call Feed, Finish or Reset on the parser that is calling them.
class SseSink {
 public:
  virtual ~SseSink() = default;
  // A dispatched event (a blank line ended a block that had at least one `data` line).
  virtual void OnEvent(const SseEvent& event) = 0;
  // A comment line (": OPENROUTER PROCESSING"). `text` is everything after the colon, leading
  // space included, and valid UTF-8. Providers send comments as keep-alives, which idle timers
  // want to see; they never contribute to an event.
  virtual void OnComment(std::string_view /*text*/) {}
  // A valid `retry` field: the server's reconnection delay in milliseconds (clamped to INT64_MAX).
  // It takes effect at once, even if the block is never dispatched.
  virtual void OnRetry(int64_t /*ms*/) {}
};

// What SseParser::Finish threw away. Both false means the body ended on an event boundary; for
// LLM APIs anything else means the body was cut short.
struct SseEnd {
  bool partial_line = false;   // bytes after the last line terminator (an unterminated line)
  bool pending_event = false;  // `data` collected for an event whose blank line never came
};

class SseParser {
 public:
  // `sink` receives the callbacks and must outlive the parser; nullptr discards them (the parser
  // still tracks last_event_id and retry_ms).
  explicit SseParser(SseSink* sink, SseLimits limits = {});

  SseParser(const SseParser&) = delete;
  SseParser& operator=(const SseParser&) = delete;
  SseParser(SseParser&&) = default;
  SseParser& operator=(SseParser&&) = default;

  // Feeds any slice of the body: 0 bytes, 1 byte, or a read that splits a CRLF pair, a BOM or a
  // multi-byte character all give the same events as feeding the body whole. Events completed by
  // these bytes are delivered before Feed returns. Returns false once the parser has failed (a
  // limit was exceeded); error() then says why, and further input is ignored until Reset().
  bool Feed(std::string_view bytes);

  // Feed, stopping right after the first event it dispatches: returns how many bytes it took
  // (all of them when no event was dispatched, or when the parser failed: see failed()). Feeding
  // the rest next gives the same events as one Feed. For a caller that reads some events itself
  // (Stream's chunk-template shortcut) whenever the parser is between_events().
  size_t FeedUntilEvent(std::string_view bytes);

  // Nothing of an event or line is pending: the next byte starts a line, no `data`, `event` or
  // uncommitted `id` has been collected, and the start of the body (a BOM) is behind. Bytes fed
  // now that form a complete event "data: VALUE" LF LF (VALUE valid UTF-8 without CR or LF), or
  // that event after an "event: TYPE" LF line, are dispatched as {TYPE or "message", VALUE,
  // last_event_id()} and leave the parser as it was.
  bool between_events() const {
    return !at_start_ && !failed_ && !pending_cr_ && line_buf_.empty() && data_lines_ == 0 &&
           type_buf_.empty() && type_view_.empty() && !id_pending_;
  }
  // During SseSink::OnEvent only: hands the event's data buffer to `out` (swapped, no copy) when
  // the parser owns it and it is long (64 KiB or more: heap storage, so the event's data view
  // stays valid, now pointing into *out). False otherwise (data in the caller's input, or short).
  // For a sink that keeps a huge event past the callback without copying it.
  bool TakeEventData(std::string* out);

  // Counts bytes that a caller read while between_events() in bytes_fed() (the parser never
  // saw them).
  void CountBytesReadElsewhere(size_t bytes) { bytes_fed_ += bytes; }

  // End of body. Following WHATWG, an unterminated last line and an event without its blank line
  // are discarded, never flushed; the result reports what was lost so the caller can treat it as
  // truncation. The last event ID and retry stay readable. Call Reset() before another body.
  // After a failure it returns {} (error() already describes the loss).
  SseEnd Finish();

  // Back to the initial state for a new stream (a retry or reconnect): clears the error, the
  // last event ID and retry, and expects a new BOM. Buffer capacity is kept so a reused parser
  // does not allocate again.
  void Reset();

  // kNone until a limit was exceeded; then kSseLineTooLong or kSseEventTooLarge, with a message
  // naming the limit.
  const Error& error() const { return error_; }
  bool failed() const { return failed_; }

  // The last event ID string (committed by the last blank line), "" until an `id` field commits.
  std::string_view last_event_id() const { return last_id_; }
  // The last valid `retry` value, unset until one arrives.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }
  // Bytes accepted by Feed since construction or Reset (input ignored after a failure excluded).
  uint64_t bytes_fed() const { return bytes_fed_; }
  const SseLimits& limits() const { return limits_; }

 private:
  // Feed and FeedUntilEvent: consumes bytes, stopping after a dispatch if `stop_after_event`.
  size_t Consume(std::string_view bytes, bool stop_after_event);
  // One complete line (terminator excluded). `in_input` says the bytes belong to the current
  // Feed input, so a data value may be handed out without a copy; `ascii` that no byte is
  // >= 0x80, so no UTF-8 check is needed.
  void ProcessLine(std::string_view line, bool in_input, bool ascii);
  void AppendData(std::string_view value, bool in_input, bool ascii);
  // Sets `out` to `value` after UTF-8 repair.
  static void AssignText(std::string_view value, bool ascii, std::string* out);
  // Fails with kSseLineTooLong; returns `consumed` (Consume's result).
  size_t FailLineTooLong(size_t consumed);
  void Dispatch();
  // Copies a borrowed data value into data_buf_ before the caller's bytes go away.
  void OwnData();
  // Hands `text` (raw bytes) to OnComment after UTF-8 repair.
  void EmitComment(std::string_view text, bool ascii);
  void ClearEvent();
  void Fail(ErrorCode code, std::string message);

  SseSink* sink_;
  SseLimits limits_;

  // --- framing ---
  std::string line_buf_;         // the start of a line that straddles reads (raw bytes)
  bool line_non_ascii_ = false;  // line_buf_ holds a byte >= 0x80
  bool pending_cr_ = false;      // the last byte seen was a CR: swallow one LF that follows
  bool at_start_ = true;         // nothing but (part of) a BOM has arrived yet
  uint8_t bom_matched_ = 0;      // BOM bytes held while at_start_

  // --- the event being collected ---
  std::string data_buf_;        // joined data lines when owned (repaired UTF-8)
  std::string_view data_view_;  // the only data line, borrowed from the current input
  bool data_borrowed_ = false;  // data is data_view_, not data_buf_
  size_t data_lines_ = 0;       // `data` lines since the last dispatch
  std::string type_buf_;        // event type when owned (repaired UTF-8)
  std::string_view type_view_;  // or, when not empty, the type borrowed from the current input
  std::string id_buf_;          // last event ID buffer, meaningful when id_pending_
  bool id_pending_ = false;     // id_buf_ differs from last_id_ and awaits a dispatch
  bool dispatched_ = false;     // an event was dispatched during this Consume

  // --- stream-wide ---
  std::string last_id_;
  std::optional<int64_t> retry_ms_;
  std::string scratch_;  // UTF-8 repair of comments
  uint64_t bytes_fed_ = 0;
  bool failed_ = false;
  Error error_;
};

}  // namespace llmstream
