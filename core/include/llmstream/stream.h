// Stream: the sans-I/O unit that every face of llmstream drives, one per completion.
//
//   Stream stream({.api = WireApi::kChatCompletions, .provider = Provider::kOpenAI});
//   for each network read:  for (const Event& e : stream.Feed(bytes, now_ms)) ...
//   at end of body:         for (const Event& e : stream.Finish(now_ms)) ...
//   any time:               stream.result()   // the assembled Completion so far
//
// Bytes and timestamps go in, events come out. Nothing here reads a clock, sleeps, or does I/O.
// Events returned by a call stay valid until the next call on the same Stream.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/framing.h"
#include "llmstream/pricing.h"
#include "llmstream/request.h"
#include "llmstream/sse_parser.h"

namespace llmstream {

namespace stream_internal {
struct Access;  // core-internal knobs (core/src/stream/stream_internal.h)
}  // namespace stream_internal

// What one response may make a Stream hold. Real streams stay far below every bound; a hostile or
// broken server could otherwise make the client's memory and time grow without end. Past a
// bound the stream ends with an error (kCompletionTooLarge for the size, kLimitExceeded for the
// counts), keeping everything assembled before it. 0 means no bound.
struct StreamLimits {
  // Text, reasoning, refusal and tool-call arguments together, in bytes.
  uint64_t max_completion_bytes = uint64_t{64} << 20;
  uint32_t max_choices = 128;         // distinct choice indexes (`n` above this is refused)
  uint32_t max_metadata_keys = 4096;  // distinct metadata names (unknown fields included)
  uint32_t max_parts = 4096;          // content blocks, output items and tool calls, in all
};

struct StreamOptions {
  WireApi api = WireApi::kChatCompletions;
  Provider provider = Provider::kOpenAI;
  // The requested model: prices usage until the stream names its resolved model.
  std::string model;
  // How the body is cut into payloads for the dialect (llmstream/framing.h): SSE for every
  // provider so far; NDJSON, AWS event-stream or a streamed JSON array for the providers that
  // send those.
  Framing framing = Framing::kSse;
  SseLimits sse_limits;        // the SSE parser's caps (framing kSse)
  FramingLimits frame_limits;  // the other framings' cap
  StreamLimits limits;
  // Price table for cost events; nullptr = PriceTable::Default().
  const PriceTable* prices = nullptr;
  // When the request was sent (same clock as the now_ms arguments): IdleFor counts from here
  // until the first byte arrives.
  int64_t start_ms = 0;
  // The hot-path shortcut for chunks that repeat the previous chunk's shape
  // (core/src/json/chunk_template.h), and for the plain SSE events that carry them, which are
  // then read without the SSE parser (Stream::Impl::ReadTemplateEvents). It never changes the
  // events; off only to prove that.
  bool chunk_templates = true;
  // Emit kKeepAlive for SSE comments and pings (idle timers want them; UIs usually do not).
  bool keep_alive_events = true;
  // Emit one kRaw event (the SSE data and event type) before the events of each SSE event, for
  // callers that want the provider's own objects too (the npm package's `raw: true`). Off by
  // default: it changes nothing else, the other events are the same either way.
  bool raw_events = false;
};

class Stream {
 public:
  explicit Stream(StreamOptions options);
  ~Stream();
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;

  // Feeds one read of the response body (any split, 0 bytes included). Returns the events these
  // bytes completed.
  std::span<const Event> Feed(std::string_view bytes, int64_t now_ms);

  // The body ended. Returns the final events: kDone after a normal end, else a kError (kTruncated
  // when the provider's terminal signal never came). Idempotent.
  std::span<const Event> Finish(int64_t now_ms);

  // The transport failed or the caller aborted: ends the stream with `error` (kError event),
  // keeping everything assembled so far.
  std::span<const Event> Fail(Error error, int64_t now_ms);

  // The completion assembled so far; valid at any time, also after an error.
  const Completion& result() const;

  bool ended() const;                     // Finish or Fail was called, or a terminal error arrived
  bool output_started() const;            // any text / reasoning / refusal / tool call arrived
  int64_t IdleFor(int64_t now_ms) const;  // ms since the last byte (or since construction)
  uint64_t bytes_fed() const;
  int64_t first_byte_ms() const;    // -1 until then
  int64_t first_output_ms() const;  // -1 until then

  // Back to the initial state for a new response (e.g. a retry), keeping buffer capacity.
  void Reset();

 private:
  friend struct stream_internal::Access;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmstream
