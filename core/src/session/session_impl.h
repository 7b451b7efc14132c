// Session::Impl, the state machine behind llmstream/session.h. Its methods live in three files,
// one concern each:
//   session.cpp   the lifecycle: Poll, sending, timers, and the platform's On*() reports
//   delivery.cpp  the event pipeline: what the caller sees, and the Completion built from it
//   outcome.cpp   how an attempt ends: success, retry, continuation, or the final error
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "assembler/assembler.h"
#include "llmstream/partial_objects.h"
#include "llmstream/session.h"
#include "llmstream/stream.h"
#include "relay/relay_cursor.h"
#include "session/splicer.h"
#include "stream/emitter.h"

namespace llmstream {

class Session::Impl {
 public:
  explicit Impl(SessionOptions options);

  SessionStep Poll(int64_t now_ms);
  std::span<const Event> OnResponse(int status, const HeaderList& headers, int64_t now_ms);
  std::span<const Event> OnBody(std::string_view bytes, int64_t now_ms);
  std::span<const Event> OnEnd(int64_t now_ms);
  std::span<const Event> OnTransportError(Error error, int64_t now_ms);
  std::span<const Event> Cancel(int64_t now_ms);

  const HttpRequest& http_request() const { return attempt_.http; }
  const Completion& result() const { return assembler_.result(); }
  const Assembler& result_assembler() const { return assembler_; }
  const Error& error() const { return error_; }
  bool done() const { return phase_ == Phase::kFinished; }
  int attempts() const { return attempts_; }
  bool output_started() const { return output_started_; }
  int64_t first_output_ms() const { return first_output_ms_; }
  const ResponseInfo& response() const { return response_; }
  std::optional<HttpRequest> relay_cancel_request() const;

 private:
  enum class Phase : uint8_t {
    kStart,         // nothing sent yet
    kAwaitHeaders,  // request sent, no response yet
    kStreaming,     // a 2xx stream of the API (ResponseFraming): bytes go to stream_
    kCollecting,    // an error status or a 2xx that is no stream of the API: the body is
                    // collected to classify it
    kBackoff,       // waiting to send the next attempt
    kFinished,
  };
  // A 2xx body whose framing its first byte decides (Gemini only: OnResponse).
  enum class Sniff : uint8_t {
    kNone,
    kArrayOrErrorBody,  // application/json: a streamed array, else an error body
    kArrayOrSse,        // no Content-Type: a streamed array, else SSE (what alt=sse asks for)
  };
  // A timer of the open transfer.
  struct Deadline {
    int64_t at_ms = -1;  // -1: none
    ErrorCode code = ErrorCode::kNone;
    int64_t limit_ms = 0;
    std::string_view what;
  };
  // The request an attempt sends (a continuation differs from the original).
  struct Attempt {
    HttpRequest http;
    bool continuation = false;
    CompletionRequest continuation_request;  // when `continuation`: what `http` asks for
  };

  // --- session.cpp ---
  SessionStep Step(SessionAction action, int64_t wake_at_ms = -1, int attempt = 0);
  SessionStep Send(int64_t now_ms);
  bool InTransfer() const;
  Deadline NextDeadline() const;
  void TimedOut(const Deadline& deadline, int64_t now_ms);
  void CollectedBodyFailed(bool transfer_open, int64_t now_ms);
  // While sniff_ is set: decides it at the first byte of `bytes` other than whitespace. `[`: the
  // stream goes on as a JSON array; anything else: an SSE stream (kArrayOrSse, stream_ made
  // anew) or an error body, collected (kArrayOrErrorBody: returns true, phase_ kCollecting).
  bool SniffedAway(std::string_view bytes);

  // --- delivery.cpp ---
  // Passes a batch of stream events on; an in-band error or the end of the stream then ends the
  // attempt. `at_end`: the batch came from Stream::Finish (the transfer is over).
  void ProcessStreamEvents(std::span<const Event> events, bool at_end, int64_t now_ms);
  // When no event of `events` needs rewriting and none ends the attempt (the common batch: text
  // deltas), applies them as Deliver would and returns true: the caller then hands the Stream's
  // span out as it is, instead of a copy of every event in out_.
  bool PassThrough(std::span<const Event> events, int64_t now_ms);
  // What delivering `event` tells the session (output began, the attempt's usage so far).
  void NoteDelivery(const Event& event, int64_t now_ms);
  // One event to the caller: rewritten where the session must (usage summed over continued
  // attempts, spliced text), then assembled.
  void Deliver(const Event& event, int64_t now_ms);
  // Hands the text the splicer holds back out: before the next output or end-of-answer event,
  // and when the attempt ends.
  void FlushSplice();
  // Appends an event to the output and to the Completion.
  void Emit(const Event& event);
  void EmitUsageAndCost(const Usage& usage, const Cost& cost);

  // --- json_output.cpp ---
  // Appends the kPartialObject events due after out_'s events from `first` on (partial_objects).
  void ShowPartials(size_t first);
  // The error of a JSON output whose text does not fit its response_format (kSchemaMismatch);
  // kNone when it fits or the request asks for text.
  Error CheckJsonOutput() const;

  // --- relay_resume.cpp (provider kRelay) ---
  // Where the relay stream stands; nullptr for other APIs.
  const RelayCursor* Relay() const;
  // The stream id the relay gave, by header or `start`; "" before.
  std::string_view RelayStreamId() const;
  // A response to a resume (GET): a 2xx event stream goes on in the same Stream; 204, 502-504
  // end or resume. True when handled here.
  bool RelayResumeResponse(int status, const HeaderList& headers, int64_t now_ms);
  // How a relayed attempt that failed ends: resumed after a cut, or for good. False when the relay
  // named no stream yet (the POST is retried as any request).
  bool RelayAttemptFailed(Error& error, bool transfer_open, int64_t now_ms);
  // At the end: what the relay's terminal event says of the result beyond its chunks.
  void RelayAmendResult();

  // --- outcome.cpp ---
  // The attempt failed: retry, continue, or give up. `transfer_open`: the platform must abort it.
  void AttemptFailed(Error error, bool transfer_open, std::optional<bool> server_should_retry,
                     int64_t now_ms);
  // Ends the session with `error` (kAborted for Cancel): estimated usage first when due.
  void FailFinally(Error error, bool transfer_open, int64_t now_ms);
  void Succeeded(int64_t now_ms);
  // The usage this attempt is billed for when it ended without final usage; nullopt when there
  // is nothing to estimate (no 2xx stream, real usage arrived, or estimation is off).
  std::optional<Usage> EstimateAttemptUsage() const;
  // What this attempt generated, as assembled: the session's result for an attempt that started
  // from an empty one, else the Stream's (MakeAttemptStream in session.cpp).
  const Completion& AttemptOutput() const;
  // The request a continuation attempt sends; nullopt (and *why set) when there is none.
  std::optional<Attempt> ContinuationAttempt(std::string* why) const;
  // Carries the failed attempt's usage into the session total before it is continued.
  void CarryUsage();
  const CompletionRequest& AttemptRequest() const;
  uint64_t NextRandom();

  SessionOptions options_;
  const WireApi api_;            // ResolveApi(options_.provider)
  Error build_error_;            // kInvalidRequest when the request could not be built
  Attempt attempt_;              // the current (or last) attempt's request
  std::optional<Attempt> next_;  // a continuation to send next (kept apart: the platform may
                                 // use attempt_.http until the transfer is aborted)

  Phase phase_ = Phase::kStart;
  bool abort_pending_ = false;  // Poll must say kAbortTransfer before anything else
  int attempts_ = 0;
  int64_t retry_at_ms_ = -1;
  uint64_t random_state_;
  Error error_;

  // --- the open attempt ---
  Stream stream_;
  std::string body_;  // kCollecting: the body so far (capped)
  ResponseInfo response_;
  std::optional<int64_t> unix_now_;  // Unix ms of the response, when known
  int64_t last_byte_ms_ = -1;
  int64_t last_output_ms_ = -1;  // this attempt's last output event (Timeouts::output_idle_ms)
  bool accepted_ = false;        // the provider answered 2xx with a stream of the API
  Sniff sniff_ = Sniff::kNone;   // the framing is still to be decided by the first byte
  bool attempt_output_ = false;  // this attempt produced output (delivered or spliced away)
  bool usage_final_ = false;     // usage arrived after output began: the provider's final count
  Usage attempt_usage_;          // the last usage this attempt reported, as reported

  // --- what the caller has seen ---
  Emitter out_;
  Assembler assembler_;
  std::unique_ptr<PartialObjects> partials_;  // SessionOptions::partial_objects
  session_internal::Splicer splicer_;
  uint32_t splice_block_ = 0;  // block of the text held by the splicer
  Usage carried_usage_;        // earlier attempts of a continued answer
  Cost carried_cost_;
  bool carrying_ = false;  // usage / cost events are added to the carried ones
  bool output_started_ = false;
  int64_t first_output_ms_ = -1;

  // --- provider kRelay ---
  std::string relay_stream_id_;             // from the Llmstream-Relay-Stream header
  bool relay_resuming_ = false;             // the current attempt is a resume (GET)
  int relay_resumes_ = 0;                   // resumes in a row without a new event
  std::optional<uint64_t> relay_position_;  // the last event id when a resume was last sent
};

}  // namespace llmstream
