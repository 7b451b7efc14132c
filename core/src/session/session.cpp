// The Session's lifecycle: sending, timers, and what the platform reports (session_impl.h).
#include "llmstream/session.h"

#include <limits>
#include <string>
#include <utility>

#include "providers/more_dialects.h"
#include "relay/relay_requests.h"
#include "session/response_class.h"
#include "session/session_access.h"
#include "session/session_impl.h"
#include "stream/stream_internal.h"

namespace llmstream {
namespace {

using session_internal::kMaxCollectedBody;

StreamOptions MakeStreamOptions(const SessionOptions& options, WireApi api, Framing framing,
                                int64_t start_ms) {
  StreamOptions stream;
  stream.api = api;
  stream.framing = framing;
  stream.provider = options.provider.provider;
  stream.model = options.request.model;
  // A relay event is one line as long as the event (RelaySseLimits).
  stream.sse_limits =
      api == WireApi::kRelay ? RelaySseLimits(options.sse_limits) : options.sse_limits;
  stream.limits = options.limits;
  stream.prices = options.prices;
  stream.start_ms = start_ms;
  stream.keep_alive_events = options.keep_alive_events;
  stream.raw_events = options.raw_events;
  return stream;
}

// The Stream of one attempt. The session assembles what it delivers; for an attempt that starts
// from an empty result (the first one, and every plain retry: AttemptFailed resets it) that is
// exactly the attempt's own output, so the Stream leaves the deltas out of its result instead of
// appending every token a second time (AttemptOutput reads the session's). A continuation's
// result also holds the earlier attempts' text, spliced: there the Stream keeps its own.
// Made when the response is accepted: its Content-Type picks the framing.
Stream MakeAttemptStream(const SessionOptions& options, WireApi api, Framing framing,
                         int64_t start_ms, bool continuation) {
  Stream stream(MakeStreamOptions(options, api, framing, start_ms));
  stream_internal::Access::SetAssembleDeltas(stream, continuation);
  return stream;
}

bool IsSuccess(int status) { return status >= 200 && status <= 299; }

}  // namespace

Session::Impl::Impl(SessionOptions options)
    : options_(std::move(options)),
      api_(ResolveApi(options_.provider)),
      random_state_(options_.random_seed),
      stream_(MakeAttemptStream(options_, api_, DefaultFraming(api_), 0,
                                /*continuation=*/false)) {
  if (api_ == WireApi::kRelay) {
    // The relay continues and estimates upstream itself: its events already say what it did.
    options_.continuation = false;
    options_.estimate_usage = false;
  }
  if (!BuildRequest(options_.provider, options_.request, &attempt_.http, &build_error_) &&
      !build_error_) {
    build_error_.code = ErrorCode::kInvalidRequest;
    build_error_.message = "the request could not be built";
  }
  if (options_.partial_objects) {
    partials_ = std::make_unique<PartialObjects>(
        PartialObjectsOptions{.text = IsJsonOutput(options_.request), .tool_arguments = true});
  }
}

SessionStep Session::Impl::Step(SessionAction action, int64_t wake_at_ms, int attempt) {
  return SessionStep{action, wake_at_ms, attempt, out_.events()};
}

bool Session::Impl::InTransfer() const {
  return phase_ == Phase::kAwaitHeaders || phase_ == Phase::kStreaming ||
         phase_ == Phase::kCollecting;
}

SessionStep Session::Impl::Poll(int64_t now_ms) {
  out_.Clear();
  if (phase_ == Phase::kStart) {
    if (build_error_) {
      FailFinally(build_error_, /*transfer_open=*/false, now_ms);
      return Step(SessionAction::kDone);
    }
    return Send(now_ms);
  }
  if (InTransfer()) {
    const Deadline deadline = NextDeadline();
    if (deadline.at_ms >= 0 && now_ms >= deadline.at_ms) TimedOut(deadline, now_ms);
  }
  if (abort_pending_) {
    abort_pending_ = false;
    return Step(SessionAction::kAbortTransfer);
  }
  switch (phase_) {
    case Phase::kAwaitHeaders:
    case Phase::kStreaming:
    case Phase::kCollecting:
      return Step(SessionAction::kWait, NextDeadline().at_ms);
    case Phase::kBackoff:
      if (now_ms >= retry_at_ms_) return Send(now_ms);
      return Step(SessionAction::kWait, retry_at_ms_);
    case Phase::kStart:
    case Phase::kFinished:
      break;
  }
  return Step(SessionAction::kDone);
}

SessionStep Session::Impl::Send(int64_t now_ms) {
  if (next_) {
    attempt_ = std::move(*next_);
    next_.reset();
  }
  // A signature (AWS SigV4) holds the time it was made, and AWS refuses one 5 minutes off: each
  // attempt is signed now, on the wall clock the platform gave (the same way natively and in
  // wasm). Without one, the request cannot be signed: the session ends before sending.
  if (api_ == WireApi::kBedrockConverse) {
    std::optional<int64_t> unix_ms;
    if (options_.unix_ms_at_zero) unix_ms = *options_.unix_ms_at_zero + now_ms;
    Error error;
    if (!SignRequest(options_.provider, unix_ms, &attempt_.http, &error)) {
      FailFinally(std::move(error), /*transfer_open=*/false, now_ms);
      return Step(SessionAction::kDone);
    }
  }
  relay_resuming_ = api_ == WireApi::kRelay && attempt_.http.method == "GET";
  const int attempt = attempts_++;
  response_ = ResponseInfo{};
  response_.sent_ms = now_ms;
  unix_now_.reset();
  body_.clear();
  last_byte_ms_ = -1;
  last_output_ms_ = -1;
  accepted_ = false;
  sniff_ = Sniff::kNone;
  attempt_output_ = false;
  usage_final_ = false;
  attempt_usage_ = Usage{};
  phase_ = Phase::kAwaitHeaders;
  if (attempt_.continuation) {
    splicer_.Begin(assembler_.result().text());
    splice_block_ = 0;
  }
  return Step(SessionAction::kSend, NextDeadline().at_ms, attempt);
}

Session::Impl::Deadline Session::Impl::NextDeadline() const {
  Deadline best;
  auto consider = [&best](int64_t limit_ms, int64_t from_ms, ErrorCode code,
                          std::string_view what) {
    if (limit_ms <= 0 || from_ms < 0) return;
    if (limit_ms > std::numeric_limits<int64_t>::max() - from_ms) return;  // never
    const int64_t at_ms = from_ms + limit_ms;
    if (best.at_ms < 0 || at_ms < best.at_ms) best = Deadline{at_ms, code, limit_ms, what};
  };
  const Timeouts& timeouts = options_.timeouts;
  // The total timer first: at a tie it names the failure.
  consider(timeouts.total_ms, response_.sent_ms, ErrorCode::kTimeout, "total timeout");
  if (response_.first_byte_ms < 0) {
    consider(timeouts.first_byte_ms, response_.sent_ms, ErrorCode::kTimeout, "first-byte timeout");
  } else {
    consider(timeouts.idle_ms, last_byte_ms_, ErrorCode::kStalled, "idle timeout");
    consider(timeouts.output_idle_ms,
             last_output_ms_ >= 0 ? last_output_ms_ : response_.first_byte_ms, ErrorCode::kStalled,
             "output idle timeout");
  }
  return best;
}

void Session::Impl::TimedOut(const Deadline& deadline, int64_t now_ms) {
  if (phase_ == Phase::kCollecting) {
    // The status already says what went wrong; the timer only cut the body short.
    CollectedBodyFailed(/*transfer_open=*/true, now_ms);
    return;
  }
  Error error;
  error.code = deadline.code;
  error.message =
      deadline.code == ErrorCode::kStalled
          ? "no " + std::string(deadline.what == "idle timeout" ? "data" : "output") + " for " +
                std::to_string(deadline.limit_ms) + " ms (" + std::string(deadline.what) + ")"
          : "no " + std::string(response_.first_byte_ms < 0 ? "response" : "end") + " within " +
                std::to_string(deadline.limit_ms) + " ms (" + std::string(deadline.what) + ")";
  if (phase_ == Phase::kStreaming) stream_.Fail(error, now_ms);
  AttemptFailed(std::move(error), /*transfer_open=*/true, std::nullopt, now_ms);
}

std::span<const Event> Session::Impl::OnResponse(int status, const HeaderList& headers,
                                                 int64_t now_ms) {
  out_.Clear();
  if (phase_ != Phase::kAwaitHeaders) return {};
  response_.status = status;
  response_.headers = headers;
  response_.headers_ms = now_ms;
  unix_now_ = session_internal::UnixNow(headers, options_.unix_ms_at_zero, now_ms);
  response_.rate_limits = session_internal::RateLimits(headers, unix_now_);
  if (api_ == WireApi::kRelay) {
    // Named before `start` is read, so that a cancel in between still reaches the stream.
    const std::optional<std::string_view> id = FindHeader(headers, "llmstream-relay-stream");
    if (id && relay_stream_id_.empty()) relay_stream_id_ = std::string(*id);
    if (RelayResumeResponse(status, headers, now_ms)) return out_.events();
  }
  const std::optional<Framing> framing =
      IsSuccess(status) ? session_internal::ResponseFraming(api_, headers) : std::nullopt;
  if (framing) {
    // Gemini's two framings: its application/json is a streamed array, but a JSON object there
    // ({"error": ...}) is a whole error body; without a Content-Type its body may be either
    // framing. The first byte that is not whitespace tells (SniffedAway).
    sniff_ = Sniff::kNone;
    if (api_ == WireApi::kGeminiGenerateContent && MoreDialectsBuiltIn()) {
      if (*framing == Framing::kJsonArray) sniff_ = Sniff::kArrayOrErrorBody;
      if (!FindHeader(headers, "content-type")) sniff_ = Sniff::kArrayOrSse;
    }
    // A fresh Stream per attempt, in the framing the response names (while sniffing, the array
    // framer, which skips the whitespace before the decision); its idle clock starts at the send.
    stream_ =
        MakeAttemptStream(options_, api_, sniff_ == Sniff::kNone ? *framing : Framing::kJsonArray,
                          response_.sent_ms, attempt_.continuation);
    phase_ = Phase::kStreaming;
    accepted_ = true;
  } else {
    phase_ = Phase::kCollecting;
  }
  return out_.events();
}

bool Session::Impl::SniffedAway(std::string_view bytes) {
  if (sniff_ == Sniff::kNone) return false;
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;  // whitespace: nothing decided yet
  const Sniff sniff = std::exchange(sniff_, Sniff::kNone);
  if (bytes[first] == '[') return false;
  if (sniff == Sniff::kArrayOrSse) {
    // Only whitespace went to the array framer: an SSE stream from its first line.
    stream_ =
        MakeAttemptStream(options_, api_, Framing::kSse, response_.sent_ms, attempt_.continuation);
    return false;
  }
  phase_ = Phase::kCollecting;
  accepted_ = false;
  return true;
}

std::span<const Event> Session::Impl::OnBody(std::string_view bytes, int64_t now_ms) {
  out_.Clear();
  if (phase_ != Phase::kStreaming && phase_ != Phase::kCollecting) return {};
  if (!bytes.empty()) {
    if (response_.first_byte_ms < 0) response_.first_byte_ms = now_ms;
    last_byte_ms_ = now_ms;
  }
  if (phase_ == Phase::kStreaming && !(MoreDialectsBuiltIn() && SniffedAway(bytes))) {
    const std::span<const Event> events = stream_.Feed(bytes, now_ms);
    if (PassThrough(events, now_ms)) {
      // Valid until the next Feed, as out_'s. With partial objects due, they follow a copy.
      const std::span<const Event> partials =
          partials_ ? partials_->Observe(events) : std::span<const Event>();
      if (partials.empty()) return events;
      for (const Event& event : events) out_.Push(event);
      for (const Event& event : partials) out_.Push(event);
      return out_.events();
    }
    ProcessStreamEvents(events, /*at_end=*/false, now_ms);
  } else {
    body_.append(bytes.substr(0, kMaxCollectedBody - body_.size()));
    // Enough to say what it is: the rest of a large error page is not worth waiting for.
    if (body_.size() >= kMaxCollectedBody) CollectedBodyFailed(/*transfer_open=*/true, now_ms);
  }
  return out_.events();
}

std::span<const Event> Session::Impl::OnEnd(int64_t now_ms) {
  out_.Clear();
  switch (phase_) {
    case Phase::kAwaitHeaders: {
      Error error;
      error.code = ErrorCode::kNetwork;
      error.message = "the transfer ended before a response arrived";
      AttemptFailed(std::move(error), /*transfer_open=*/false, std::nullopt, now_ms);
      break;
    }
    case Phase::kStreaming:
      ProcessStreamEvents(stream_.Finish(now_ms), /*at_end=*/true, now_ms);
      break;
    case Phase::kCollecting:
      CollectedBodyFailed(/*transfer_open=*/false, now_ms);
      break;
    case Phase::kStart:
    case Phase::kBackoff:
    case Phase::kFinished:
      break;
  }
  return out_.events();
}

std::span<const Event> Session::Impl::OnTransportError(Error error, int64_t now_ms) {
  out_.Clear();
  if (!InTransfer()) return {};
  if (!error) error.code = ErrorCode::kNetwork;
  if (error.message.empty()) error.message = "the transfer failed";
  if (phase_ == Phase::kCollecting) {
    CollectedBodyFailed(/*transfer_open=*/false, now_ms);
    return out_.events();
  }
  if (phase_ == Phase::kStreaming) stream_.Fail(error, now_ms);
  AttemptFailed(std::move(error), /*transfer_open=*/false, std::nullopt, now_ms);
  return out_.events();
}

std::span<const Event> Session::Impl::Cancel(int64_t now_ms) {
  out_.Clear();
  if (phase_ == Phase::kFinished) return {};
  Error error;
  error.code = ErrorCode::kAborted;
  error.message = "cancelled by the caller";
  if (phase_ == Phase::kStreaming) stream_.Fail(error, now_ms);
  FailFinally(std::move(error), InTransfer(), now_ms);
  return out_.events();
}

void Session::Impl::CollectedBodyFailed(bool transfer_open, int64_t now_ms) {
  const HeaderList& headers = response_.headers;
  // The secrets besides api_key (which the classifiers mask) go before anything quotes or cuts
  // the body: a cut could leave a prefix of one that no later masking recognizes.
  std::string body = std::move(body_);
  for (std::string_view secret : session_internal::ConfigSecrets(options_.provider)) {
    if (secret != options_.provider.api_key) body = session_internal::MaskKey(body, secret);
  }
  Error error =
      api_ == WireApi::kRelay && !IsSuccess(response_.status)
          ? relay_internal::RefusalError(response_.status, headers, body, unix_now_)
      : IsSuccess(response_.status)
          ? session_internal::ClassifyNotEventStream(options_.provider.provider, api_,
                                                     response_.status, headers, body, unix_now_,
                                                     options_.provider.api_key)
          : session_internal::ClassifyStatus(options_.provider.provider, api_, response_.status,
                                             headers, body, unix_now_, options_.provider.api_key);
  body_.clear();
  AttemptFailed(std::move(error), transfer_open, ShouldRetryHeader(headers), now_ms);
}

// --- the public face: forwarding only ---

Session::Session(SessionOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

SessionStep Session::Poll(int64_t now_ms) { return impl_->Poll(now_ms); }
const HttpRequest& Session::http_request() const { return impl_->http_request(); }
std::span<const Event> Session::OnResponse(int status, const HeaderList& headers, int64_t now_ms) {
  return impl_->OnResponse(status, headers, now_ms);
}
std::span<const Event> Session::OnBody(std::string_view bytes, int64_t now_ms) {
  return impl_->OnBody(bytes, now_ms);
}
std::span<const Event> Session::OnEnd(int64_t now_ms) { return impl_->OnEnd(now_ms); }
std::span<const Event> Session::OnTransportError(Error error, int64_t now_ms) {
  return impl_->OnTransportError(std::move(error), now_ms);
}
std::span<const Event> Session::Cancel(int64_t now_ms) { return impl_->Cancel(now_ms); }
const Completion& Session::result() const { return impl_->result(); }
const Assembler& session_internal::Access::ResultAssembler(const Session& session) {
  return session.impl_->result_assembler();
}
const Error& Session::error() const { return impl_->error(); }
bool Session::done() const { return impl_->done(); }
int Session::attempts() const { return impl_->attempts(); }
bool Session::output_started() const { return impl_->output_started(); }
int64_t Session::first_output_ms() const { return impl_->first_output_ms(); }
const ResponseInfo& Session::response() const { return impl_->response(); }
std::optional<HttpRequest> Session::relay_cancel_request() const {
  return impl_->relay_cancel_request();
}

}  // namespace llmstream
