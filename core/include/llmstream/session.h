// Session: the sans-I/O driver of one completion across attempts. It decides everything the
// platforms (libcurl natively, fetch in wasm) would otherwise each decide for themselves: when to
// send, what a response means, when a timer has fired, whether to retry or continue, and which
// usage to report when the provider reported none. The platform only carries the answers out, so
// retries, timeouts, error classification and estimated usage behave identically in C++ and JS.
//
//   Session session(options);
//   for (;;) {
//     SessionStep step = session.Poll(now());
//     deliver(step.events);
//     switch (step.action) {
//       case SessionAction::kSend: start(session.http_request()); break;  // then wait
//       case SessionAction::kWait: wait for I/O or until step.wake_at_ms; break;
//       case SessionAction::kAbortTransfer: cancel the transfer; continue;  // Poll again at once
//       case SessionAction::kDone: return session.result();
//     }
//     on headers:  deliver(session.OnResponse(status, headers, now()));
//     on a read:   deliver(session.OnBody(bytes, now()));
//     on the end:  deliver(session.OnEnd(now()));
//     on failure:  deliver(session.OnTransportError(error, now()));
//   }
//
// All times are milliseconds on one monotonic clock of the caller's choice (the same for every
// call, never negative: -1 marks "not yet" in ResponseInfo). Events returned by any call (including
// SessionStep::events) stay valid until the next call on the Session; the events of OnBody may
// also point into the bytes passed in (no copy on the hot path), so those must stay unchanged as
// long as the events are used. Nothing here throws, reads a clock, sleeps or does I/O.
//
// Responses. A 2xx response is read as a stream when its Content-Type fits the API (FramingFor in
// llmstream/framing.h picks the framing: SSE, NDJSON, AWS event-stream or a JSON array); any other
// response is collected (up to 64 KiB) and classified as an error.
//
// Attempts. A failure (HTTP error, transport error, in-band provider error, truncation, timeout)
// is handed to Decide (retry_policy.h). A retry emits one kRetry event and re-sends after the
// delay; giving up emits exactly one kError and ends. Once output reached the caller there is no
// plain retry (the user would see the text twice); with SessionOptions::continuation the session
// may instead ask the model to continue the partial answer and splice the continuation on.
//
// JSON output. When the request has a JSON response_format, a stream that ends normally is
// checked before its kDone: every choice's text must be JSON matching the schema (ValidateJson,
// llmstream/json_schema.h; kJsonObject: a JSON object). If one does not fit, the session ends with
// kSchemaMismatch (the message names the choice when n > 1, and the JSON path) instead of kDone,
// the answer kept. A choice with a refusal and no text is not checked.
//
// Relays (provider kRelay, docs/relay-protocol.md). The relay already retried the provider and
// estimated usage, so once the relay named the stream nothing is sent twice: an `error` event
// ends the session as it is (no retry, no continuation), and a cut (the body ended without a
// terminal event, a transport error, a timeout) is resumed instead of retried: the next kSend,
// kRelayRetryMs later, is GET <base_url>?stream=<id> with Last-Event-ID, whose body goes on with
// the same events (no kRetry is shown: the caller sees one unbroken stream). A 502, 503 or 504
// answer to a resume is a cut too; after RetryPolicy::max_retries resumes in a row without a new
// event, the cut's error ends the session. A 204 answer (the relay's stream ended and its end was
// missed) ends it with kTruncated. Before the relay named the stream (a refusal, a 503 from a
// relay without room), the POST is retried by the RetryPolicy as any request.
//
// The platform must drop any callback of a transfer it was told to abort (kAbortTransfer), and
// must report each transfer's end exactly once (OnEnd or OnTransportError). Calls that do not fit
// the current state (body bytes without a transfer, a second OnEnd ...) are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/http_error.h"
#include "llmstream/pricing.h"
#include "llmstream/request.h"
#include "llmstream/retry_policy.h"
#include "llmstream/sse_parser.h"
#include "llmstream/stream.h"

namespace llmstream {

namespace session_internal {
struct Access;  // for the core's own bindings (core/src/session/session_access.h)
}  // namespace session_internal

// Per-attempt timers, checked by Session::Poll. 0 disables a timer.
struct Timeouts {
  // Send -> first body byte (covers connect, TLS and the wait for headers): kTimeout.
  int64_t first_byte_ms = 60000;
  // Longest gap between body bytes once the body started (SSE comments count, which is why
  // providers send them): kStalled.
  int64_t idle_ms = 60000;
  // The whole attempt, send -> end of body: kTimeout. The one bound on a server that keeps the
  // connection alive forever (a comment or a byte every few seconds resets idle_ms).
  int64_t total_ms = 0;
  // Longest gap without output (text, reasoning, refusal, tool calls and their arguments) once
  // the body started: kStalled. Unlike idle_ms, keep-alives and metadata do not reset it: they
  // prove the server is alive, not that the answer progresses.
  int64_t output_idle_ms = 0;
};

struct SessionOptions {
  ProviderConfig provider{};
  CompletionRequest request{};
  RetryPolicy retry{};
  Timeouts timeouts{};
  // Price table for cost events, real and estimated; nullptr = PriceTable::Default().
  const PriceTable* prices = nullptr;
  // Emit kKeepAlive events for SSE comments and pings.
  bool keep_alive_events = true;
  // Emit kRaw events (StreamOptions::raw_events): each SSE event of every attempt as the provider
  // sent it, before its decoded events. Passed through unchanged (continuations are not spliced).
  bool raw_events = false;
  // Emit kPartialObject events (llmstream/partial_objects.h) after the events of each call: for
  // every tool call's arguments, and for the answer text when the request asks for JSON output
  // (CompletionRequest::response_format). Off: nothing is parsed, no cost.
  bool partial_objects = false;
  // Seeds the jitter source (splitmix64): the same seed gives the same retry delays.
  uint64_t random_seed = 0;
  // When an attempt that got a 2xx event stream ends without real usage (cancelled, failed for
  // good, or continued), emit a kUsage with `estimated = true` (about 4 characters a token:
  // request text for input unless the provider reported it, generated text for output) and, when
  // the model has a price, a kCost with source kEstimated. Never when real usage arrived.
  bool estimate_usage = true;
  // Opt-in partial-answer recovery: when an attempt fails retryably after text was delivered (and
  // no tool call, reasoning or refusal was), re-send the request with the partial text as an
  // assistant turn (Anthropic: a prefill the model continues; OpenAI-style: the assistant turn
  // plus a user turn asking to continue) and splice the new text on, dropping whatever it
  // repeats of the old tail. Continuations count against RetryPolicy::max_retries.
  bool continuation = false;
  SseLimits sse_limits{};
  StreamLimits limits{};  // each attempt's (llmstream/stream.h)
  // The wall clock, for the absolute times some headers carry (Retry-After as an HTTP date,
  // Anthropic's rate-limit resets): Unix ms at the moment the caller's clock read 0, so that
  // Unix time = unix_ms_at_zero + now_ms (0 when now_ms already is Unix time). A response's own
  // `Date` header is preferred when present (the server's clock, so no skew). With neither, such
  // absolute values are ignored (Retry-After falls back to backoff, reset_ms stays unset).
  std::optional<int64_t> unix_ms_at_zero{};
};

enum class SessionAction : uint8_t {
  kSend,           // start an HTTP request: http_request(); report its I/O back through On*()
  kWait,           // nothing to do until wake_at_ms (a timer) or until I/O arrives
  kAbortTransfer,  // cancel the open transfer now (timeout, failure, Cancel), report nothing more
                   // of it, then call Poll again at once
  kDone,           // finished: result() is final, error() says how it ended
};

struct SessionStep {
  SessionAction action = SessionAction::kWait;
  // kWait and kSend: call Poll again at this time at the latest, I/O or not (the nearest
  // deadline: a timeout or the end of a retry delay). -1: only when I/O arrives.
  int64_t wake_at_ms = -1;
  // kSend: which attempt this is, 0 for the first one, 1.. for retries and continuations.
  int attempt = 0;
  // Events to deliver to the user now (often empty).
  std::span<const Event> events;
};

// What the transport saw of the current (or last) attempt, for metrics and users.
struct ResponseInfo {
  int status = 0;        // 0 until OnResponse
  HeaderList headers{};  // as reported by OnResponse
  RateLimitInfo rate_limits{};
  int64_t sent_ms = -1;          // kSend
  int64_t headers_ms = -1;       // OnResponse
  int64_t first_byte_ms = -1;    // first non-empty OnBody
  int64_t first_output_ms = -1;  // first text / reasoning / refusal / tool call event
  int64_t ended_ms = -1;         // the attempt ended (body end, failure, timeout, cancel)
};

class Session {
 public:
  // Never throws. An unbuildable request makes the first Poll return a kError (kInvalidRequest,
  // with BuildRequest's message) and kDone.
  explicit Session(SessionOptions options);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // What to do next. Call it after construction, after each On*() / Cancel(), and when the
  // wake_at_ms of the last step arrived. Timeouts fire here, at exactly their deadline.
  SessionStep Poll(int64_t now_ms);

  // The request to send; valid after Poll returned kSend (a continuation has its own body).
  const HttpRequest& http_request() const;

  // The final status and headers of the open transfer (after redirects, not 1xx).
  std::span<const Event> OnResponse(int status, const HeaderList& headers, int64_t now_ms);
  // Every body read, in order (empty reads allowed).
  std::span<const Event> OnBody(std::string_view bytes, int64_t now_ms);
  // The body ended cleanly.
  std::span<const Event> OnEnd(int64_t now_ms);
  // The transfer failed: kNetwork (refused, reset, DNS, TLS), kTimeout (a transport's own
  // connect timeout), ... An error without a code counts as kNetwork.
  std::span<const Event> OnTransportError(Error error, int64_t now_ms);
  // The user stopped. Ends with kAborted, keeping the partial result, and with estimated usage
  // and cost when the provider reported none (see SessionOptions::estimate_usage). Poll then
  // says kAbortTransfer if a transfer is open, then kDone. No-op once done.
  std::span<const Event> Cancel(int64_t now_ms);

  // The completion so far: the current attempt's, or the spliced whole after a continuation,
  // with estimated usage / cost when they were estimated. Partial after an error.
  const Completion& result() const;
  // kNone while running and after success; else the error of the final kError event.
  const Error& error() const;
  bool done() const;
  int attempts() const;                  // requests sent so far
  bool output_started() const;           // output reached the caller (in any attempt)
  int64_t first_output_ms() const;       // when output first reached the caller, -1 until then
  const ResponseInfo& response() const;  // the current or last attempt

  // Provider kRelay: the DELETE that tells the relay to stop the upstream request
  // (docs/relay-protocol.md, "Cancelling"), once the relay named the stream (its
  // Llmstream-Relay-Stream header or `start`) and as long as no terminal event came: a platform
  // sends it, best effort, after Cancel, or when its caller drops a stream that is not done.
  // nullopt otherwise, and for every other provider.
  std::optional<HttpRequest> relay_cancel_request() const;

 private:
  friend struct session_internal::Access;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmstream
