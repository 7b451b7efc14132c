// The relay protocol (docs/relay-protocol.md), sans-I/O: what a server writes when it re-sends a
// Stream's or Session's events to a browser over SSE, and what a client that reads such a relay
// gets back. No sockets, threads or clocks: the caller moves the bytes and says when to write a
// keep-alive.
//
//   RelayEncoder encoder("r_5f0c1b9e2d7a4c38", "gpt-4o-mini");
//   std::string out;
//   encoder.WriteStart(&out);                           // "retry: 1000", then event 0: start
//   for each batch of the Stream / Session:  encoder.WriteBatch(batch, &out, completion_json);
//   while nothing else is sent for 15 s:     encoder.WriteKeepAlive(&out);
//
//   RelayDecoder decoder;
//   for each read:  for (const Event& e : decoder.Feed(bytes)) ...
//   at the end:     for (const Event& e : decoder.Finish()) ...   // a cut stream: kError
//
// One event per chunk of the npm package: the SSE event name is the chunk's `type` and the data
// is the chunk as ECMAScript's JSON.stringify writes it, without `type` (and without
// `function_call`, the alias of `toolCall`), so that the package's encoder (npm/src/relay/
// encode.js) writes the same bytes from its chunks, and a browser rebuilds each chunk as
// `{type: event, ...data}`. Events the package makes no chunk of are not sent: kRaw, kKeepAlive
// (the relay writes its own keep-alive comments), kPartialObject (the value goes on the chunk it
// grew from, as `partialObject`), and kCost (it goes on the usage chunk before it; the core
// makes none without its usage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/sse_parser.h"
#include "llmstream/usage.h"

namespace llmstream {

// The protocol's major version (the `Llmstream-Relay` header and `version` in `start`).
inline constexpr int kRelayVersion = 1;
// The name of event 0, which no chunk type takes.
inline constexpr std::string_view kRelayStartEvent = "start";
// The comment a relay writes while nothing else is sent (": keep-alive").
inline constexpr std::string_view kRelayKeepAliveComment = "keep-alive";
// The reconnection delay the stream opens with ("retry: 1000"), for EventSource.
inline constexpr int kRelayRetryMs = 1000;

// Whether events of this kind are relay events of their own (see above for the others).
constexpr bool IsRelayed(EventKind kind) {
  return kind != EventKind::kRaw && kind != EventKind::kKeepAlive &&
         kind != EventKind::kPartialObject && kind != EventKind::kCost &&
         static_cast<int>(kind) <= static_cast<int>(EventKind::kPartialObject);
}

// Writes one relay stream. Appends to the caller's buffer (no copy of its own: long texts are
// escaped straight into it); a stream's events get the ids 0 (start), 1, 2, ... in write order.
class RelayEncoder {
 public:
  // `stream_id`: "r_" + at least 64 random bits in hex (the caller draws them); `model`: the
  // model asked for.
  RelayEncoder(std::string_view stream_id, std::string_view model);

  // "retry: 1000" and the start event. Call once, first.
  void WriteStart(std::string* out);

  // The events of one batch (what one Stream::Feed / Finish or Session call returned), in order.
  // Whole batches, because a kUsage's kCost and a kPartialObject's value follow the event they
  // belong to within its batch. `completion_json`: the `completion` member of the terminal event
  // when this batch ends the stream with kDone or kError (what was assembled before the failure;
  // a JSON value, written canonically like every other value; empty: none). Nothing is written
  // after a terminal kDone or kError.
  void WriteBatch(std::span<const Event> batch, std::string* out,
                  std::string_view completion_json = {});

  // The comment line ": keep-alive" (no id: not an event).
  static void WriteKeepAlive(std::string* out);

  // The id the next event gets.
  uint64_t next_id() const { return next_id_; }
  // A terminal event (done or error) was written.
  bool ended() const { return ended_; }

 private:
  // What a later event needs of an earlier one (the package's decoder looks these up in the
  // completion): a tool call's kind, a block's type. Keys: choice << 32 | block.
  struct Remembered {
    ToolKind tool_kind = ToolKind::kFunction;
    std::string block_type;
  };

  void BeginEvent(std::string* out, std::string_view name);
  void WriteEvent(const Event& e, const Event* cost, std::string_view partial_object,
                  std::string_view completion_json, std::string* out);

  std::string stream_id_;
  std::string model_;
  uint64_t next_id_ = 0;
  bool ended_ = false;
  // Bounded by the stream's own limit on blocks and tool calls (StreamLimits::max_parts).
  std::unordered_map<uint64_t, Remembered> remembered_;
  std::string scratch_;  // a payload written by AppendJson before its canonical form
};

// What the relay said about how its stream ended.
enum class RelayEnd : uint8_t {
  kOpen = 0,    // no terminal event yet
  kDone = 1,    // `done`
  kError = 2,   // `error`: the stream failed upstream (error() says why)
  kBroken = 3,  // the bytes broke the protocol (error() says how): a gap or duplicate id, another
                // major version, an event too large, data that is not the chunk's JSON
  kCut = 4,     // the body ended without a terminal event: resume after last_event_id()
};

struct RelayDecoderOptions {
  // The SSE parser's caps: an event larger than sse_limits.max_event_bytes fails the stream with
  // kSseEventTooLarge.
  SseLimits sse_limits;
  // Reading a resume (Last-Event-ID: N): the first event is N + 1, and no start comes.
  std::optional<uint64_t> resume_after;
};

// Reads one relay stream back into the core's Events, for any split of its bytes.
class RelayDecoder {
 public:
  explicit RelayDecoder(RelayDecoderOptions options = {});
  ~RelayDecoder();
  RelayDecoder(const RelayDecoder&) = delete;
  RelayDecoder& operator=(const RelayDecoder&) = delete;

  // The events these bytes completed. Their views and pointers stay valid until the next Feed
  // or Finish. A protocol violation ends the stream with a kError event (end() == kBroken);
  // later input is ignored. Comments (keep-alives) give nothing.
  std::span<const Event> Feed(std::string_view bytes);
  // End of body: a stream without its terminal event gives a kError of kTruncated (kCut).
  std::span<const Event> Finish();

  RelayEnd end() const;
  // Why the stream failed (end() kError, kBroken or kCut); code kNone otherwise.
  const Error& error() const;
  // From `start` (empty until it came, and in a resume).
  std::string_view stream_id() const;
  std::string_view model() const;
  // The id of the last event read (the Last-Event-ID of a resume), none before the first.
  std::optional<uint64_t> last_event_id() const;
  // The `completion` member of the terminal event (`done`, or `error`: what was assembled before
  // the failure), as JSON ("" when there was none).
  std::string_view completion_json() const;

 private:
  // The parser, the reader (core/src/relay/relay_reader.h, which the relay dialect of provider
  // kRelay shares) and the events of the current Feed.
  class Sink;
  std::unique_ptr<Sink> sink_;
};

}  // namespace llmstream
