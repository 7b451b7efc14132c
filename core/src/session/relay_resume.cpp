// Provider kRelay in the Session (session.h, "Relays"): resuming a cut relay stream, the answers
// to a resume, and the cancel request. Sans-I/O like the rest: it only decides what the next
// request is and when.
#include <utility>

#include "llmstream/relay.h"
#include "relay/relay_completion.h"
#include "relay/relay_requests.h"
#include "session/response_class.h"
#include "session/session_impl.h"
#include "stream/stream_internal.h"

namespace llmstream {
namespace {

// What ends a relay connection without the relay having ended the stream: resumable.
bool IsCut(ErrorCode code) {
  return code == ErrorCode::kTruncated || code == ErrorCode::kNetwork ||
         code == ErrorCode::kTimeout || code == ErrorCode::kStalled;
}

}  // namespace

const RelayCursor* Session::Impl::Relay() const {
  return api_ == WireApi::kRelay ? stream_internal::Access::Relay(stream_) : nullptr;
}

std::string_view Session::Impl::RelayStreamId() const {
  if (!relay_stream_id_.empty()) return relay_stream_id_;
  const RelayCursor* cursor = Relay();
  return cursor != nullptr ? std::string_view(cursor->stream_id) : std::string_view();
}

bool Session::Impl::RelayResumeResponse(int status, const HeaderList& headers, int64_t now_ms) {
  if (!relay_resuming_) return false;
  if (status == 204) {
    // The relay's stream ended (done or error) and this client never read how: what it has is
    // all there is, without its end.
    Error error;
    error.code = ErrorCode::kTruncated;
    error.http_status = status;
    error.message =
        "the relay stream ended while disconnected (204 on resume): its last events were not "
        "received";
    FailFinally(std::move(error), /*transfer_open=*/true, now_ms);
    return true;
  }
  if (status == 502 || status == 503 || status == 504) {
    // A proxy or load balancer between deploys: resumed again, within the budget.
    Error error;
    error.code = ErrorCode::kNetwork;
    error.http_status = status;
    error.message = "the relay answered HTTP " + std::to_string(status) + " to a resume";
    AttemptFailed(std::move(error), /*transfer_open=*/true, std::nullopt, now_ms);
    return true;
  }
  const std::optional<Framing> framing = status >= 200 && status <= 299
                                             ? session_internal::ResponseFraming(api_, headers)
                                             : std::nullopt;
  if (!framing) return false;  // collected and classed as a refusal (409: the stream is gone)
  // The same Stream reads on: the reader checks that the ids go on from the last one.
  stream_internal::Access::ResumeBody(stream_);
  phase_ = Phase::kStreaming;
  accepted_ = true;
  return true;
}

bool Session::Impl::RelayAttemptFailed(Error& error, bool transfer_open, int64_t now_ms) {
  const RelayCursor* cursor = Relay();
  const std::string stream_id(RelayStreamId());
  // Before the relay named the stream nothing of it exists yet: the POST is retried (or not) by
  // the policy, as any request.
  if (stream_id.empty()) return false;
  relay_stream_id_ = stream_id;
  const bool relay_ended = cursor != nullptr && cursor->end != RelayEnd::kOpen;
  if (relay_ended || !IsCut(error.code)) {
    // The relay's own error (it retried upstream already), a broken protocol, a refusal of the
    // resume, a limit: as it is.
    FailFinally(std::move(error), transfer_open, now_ms);
    return true;
  }
  const std::optional<uint64_t> last_id = cursor != nullptr ? cursor->last_id : std::nullopt;
  if (last_id != relay_position_) {
    relay_position_ = last_id;
    relay_resumes_ = 0;  // a new event since the last resume: the budget starts again
  }
  if (++relay_resumes_ > options_.retry.max_retries) {
    error.message +=
        " (after " + std::to_string(relay_resumes_ - 1) + " resumes without a new event)";
    FailFinally(std::move(error), transfer_open, now_ms);
    return true;
  }
  Attempt next;
  next.http = relay_internal::ResumeRequest(options_.provider, stream_id, last_id);
  next_ = std::move(next);
  response_.ended_ms = now_ms;
  phase_ = Phase::kBackoff;
  retry_at_ms_ = now_ms + kRelayRetryMs;
  abort_pending_ = transfer_open;
  return true;
}

void Session::Impl::RelayAmendResult() {
  const RelayCursor* cursor = Relay();
  if (cursor == nullptr || cursor->completion.empty()) return;
  assembler_.Amend([cursor](Completion& completion) {
    relay_internal::OverlayCompletionFacts(cursor->completion, &completion);
  });
}

std::optional<HttpRequest> Session::Impl::relay_cancel_request() const {
  const std::string_view stream_id = RelayStreamId();
  if (stream_id.empty()) return std::nullopt;
  const RelayCursor* cursor = Relay();
  // The relay ended it (done or error); a stream cut, or failed here (broken bytes, a limit,
  // no resume left), still has an upstream to stop.
  if (cursor != nullptr && (cursor->end == RelayEnd::kDone || cursor->end == RelayEnd::kError)) {
    return std::nullopt;
  }
  return relay_internal::CancelRequest(options_.provider, stream_id);
}

}  // namespace llmstream
