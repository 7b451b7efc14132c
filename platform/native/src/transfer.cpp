#include "transfer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "curl_error.h"
#include "curl_request.h"
#include "engine.h"
#include "relay_cancel.h"

namespace llmstream::native {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// "HTTP/1.1 200 OK" / "HTTP/2 429" -> status, or 0.
int ParseStatusLine(std::string_view line) {
  if (line.substr(0, 5) != "HTTP/") return 0;
  size_t space = line.find(' ');
  if (space == std::string_view::npos || space + 4 > line.size()) return 0;
  int status = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return 0;
    status = status * 10 + (line[i] - '0');
  }
  return status;
}

}  // namespace

Transfer::Transfer(Engine& engine, TransferOptions options, EventCallback on_event,
                   DoneCallback on_done)
    : engine_(engine),
      options_(std::move(options)),
      on_event_(std::move(on_event)),
      on_done_(std::move(on_done)),
      session_(options_.session) {
  id_ = engine_.Register(this);
  engine_.MarkDirty(this);
}

Transfer::~Transfer() {
  options_.wire_tap.on_end = nullptr;  // its captures may already be gone
  StopRequest();
  // A relayed stream dropped before its end: the relay stops the upstream now rather than when
  // no client came back.
  if (!finished_) CancelRelay();
  engine_.Unregister(id_);
}

void Transfer::Cancel() {
  if (!finished_) cancel_requested_ = true;
}

void Transfer::OnCurlDone(CURLcode code) { done_code_ = code; }

void Transfer::CancelRelay() {
  if (relay_cancelled_) return;
  if (std::optional<HttpRequest> request = session_.relay_cancel_request()) {
    relay_cancelled_ = true;
    SendRelayCancel(*request, options_.user_agent);
  }
}

void Transfer::Emit(std::span<const Event> events) {
  if (events.empty()) return;
  if (!on_event_) {
    pending_ = events;
    return;
  }
  for (const Event& event : events) {
    // After the consumer said stop, only the events of the stop itself (usage estimate, the
    // kAborted error) are still worth telling: they say what the stopped stream cost.
    if (callback_stopped_ && !cancel_delivered_) break;
    if (callback_exception_) break;
    bool go_on = false;
    try {
      go_on = on_event_(event);
    } catch (...) {
      callback_exception_ = std::current_exception();
    }
    if (!go_on && !callback_stopped_) {
      callback_stopped_ = true;
      cancel_requested_ = true;
    }
  }
}

void Transfer::Advance(int64_t now) {
  // Each turn calls the Session at most once and hands its events out; in pull mode the loop
  // stops as soon as events are pending, so their views stay valid until the consumer is done.
  while (!finished_ && pending_.empty()) {
    if (cancel_requested_ && !cancel_delivered_) {
      cancel_delivered_ = true;
      StopRequest();  // closes the connection now: the server sees the disconnect
      Emit(session_.Cancel(now));
      CancelRelay();
      poll_needed_ = true;
      continue;
    }
    if (response_ready_) {
      response_ready_ = false;
      Emit(session_.OnResponse(status_, headers_, now));
      poll_needed_ = true;
      continue;
    }
    if (paused_) {
      // Unpausing may call OnWrite right away with the bytes libcurl held back.
      paused_ = false;
      curl_easy_pause(easy_, CURLPAUSE_CONT);
      continue;
    }
    if (done_code_) {
      CURLcode code = *done_code_;
      done_code_.reset();
      Error error = code == CURLE_OK ? Error{} : CurlError(code, curl_error_);
      StopRequest(&error);
      Emit(code == CURLE_OK ? session_.OnEnd(now) : session_.OnTransportError(error, now));
      poll_needed_ = true;
      continue;
    }
    if (!poll_needed_ && (wake_at_ms_ < 0 || now < wake_at_ms_)) return;
    poll_needed_ = false;
    SessionStep step = session_.Poll(now);
    Emit(step.events);
    switch (step.action) {
      case SessionAction::kSend:
        StopRequest();
        if (!StartRequest()) {
          // Reported like any transport failure, on the next turn (events may be pending now).
          StopRequest();
          snprintf(curl_error_, sizeof curl_error_, "could not start the HTTP request: %s",
                   engine_.ok() ? "libcurl refused the handle" : engine_.init_error());
          done_code_ = CURLE_FAILED_INIT;
        }
        ScheduleWake(step.wake_at_ms, now);
        break;
      case SessionAction::kWait:
        ScheduleWake(step.wake_at_ms, now);
        if (pending_.empty()) return;  // nothing to do before I/O or the timer
        break;
      case SessionAction::kAbortTransfer:
        StopRequest();
        poll_needed_ = true;
        break;
      case SessionAction::kDone:
        StopRequest();
        finished_ = true;
        // Failed here (a limit, broken bytes, no resume left): the relay stops its upstream now.
        if (session_.error().code != ErrorCode::kNone) CancelRelay();
        break;
    }
  }
  if (finished_ && pending_.empty() && on_done_) {
    DoneCallback done = std::move(on_done_);
    on_done_ = nullptr;
    done(*this);  // may destroy *this: nothing after this line
  }
}

void Transfer::ScheduleWake(int64_t wake_at_ms, int64_t now) {
  wake_at_ms_ = wake_at_ms;
  // The heap keeps the earliest request; a later deadline only needs a new entry once the earlier
  // one has fired (deadlines move later as bytes arrive, so most never need one).
  if (wake_at_ms_ >= 0 &&
      (scheduled_at_ms_ < 0 || scheduled_at_ms_ <= now || wake_at_ms_ < scheduled_at_ms_)) {
    engine_.Schedule(this, wake_at_ms_);
    scheduled_at_ms_ = wake_at_ms_;
  }
}

bool Transfer::StartRequest() {
  const HttpRequest& request = session_.http_request();
  if (options_.wire_tap.on_request) {
    options_.wire_tap.on_request(session_.attempts() - 1, Redacted(request));
  }
  easy_ = curl_easy_init();
  if (easy_ == nullptr) return false;
  status_ = 0;
  headers_.clear();
  response_ready_ = false;
  done_code_.reset();
  paused_ = false;
  curl_error_[0] = '\0';

  header_list_ = ApplyHttpRequest(easy_, request, options_.user_agent);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::OnWrite);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, curl_error_);
  curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
  if (options_.connect_timeout_ms > 0) {
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
  }
  if (!engine_.AddEasy(easy_)) {
    StopRequest();
    return false;
  }
  return true;
}

void Transfer::StopRequest(const Error* ended_with) {
  if (easy_ != nullptr && options_.wire_tap.on_end) {
    Error aborted;
    aborted.code = ErrorCode::kAborted;
    aborted.message = "closed by llmstream (timeout, cancel or end of the session)";
    options_.wire_tap.on_end(ended_with != nullptr ? *ended_with : aborted, engine_.Now());
  }
  if (easy_ != nullptr) {
    engine_.RemoveEasy(easy_);
    curl_easy_cleanup(easy_);
    easy_ = nullptr;
  }
  if (header_list_ != nullptr) {
    curl_slist_free_all(header_list_);
    header_list_ = nullptr;
  }
  done_code_.reset();
  paused_ = false;
  response_ready_ = false;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  std::string_view line(data, size * count);
  if (int status = ParseStatusLine(line); status != 0) {
    // A new response (after 100 Continue or a 1xx): forget the previous header block.
    transfer->status_ = status;
    transfer->headers_.clear();
    transfer->response_ready_ = false;
    return line.size();
  }
  std::string_view trimmed = Trim(line);
  if (trimmed.empty()) {
    if (transfer->status_ >= 200) {
      transfer->response_ready_ = true;
      if (transfer->options_.wire_tap.on_response) {
        transfer->options_.wire_tap.on_response(transfer->status_, transfer->headers_,
                                                transfer->engine_.Now());
      }
      transfer->engine_.MarkDirty(transfer);
    }
    return line.size();
  }
  size_t colon = trimmed.find(':');
  if (colon != std::string_view::npos) {
    transfer->headers_.emplace_back(std::string(Trim(trimmed.substr(0, colon))),
                                    std::string(Trim(trimmed.substr(colon + 1))));
  }
  return line.size();
}

size_t Transfer::OnWrite(char* data, size_t size, size_t count, void* self) {
  return static_cast<Transfer*>(self)->Write(std::string_view(data, size * count));
}

size_t Transfer::Write(std::string_view bytes) {
  if (cancel_requested_) return 0;  // makes libcurl abort the transfer (CURLE_WRITE_ERROR)
  engine_.MarkDirty(this);
  // The Session may only be called while no event is pending (their views would dangle), so
  // hold the bytes in libcurl until the consumer caught up: that is the backpressure.
  if (!pending_.empty()) {
    paused_ = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  int64_t now = engine_.Now();
  if (response_ready_) {
    response_ready_ = false;
    Emit(session_.OnResponse(status_, headers_, now));
    poll_needed_ = true;
    if (!pending_.empty()) {
      paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    if (cancel_requested_) return 0;
  }
  if (options_.wire_tap.on_body) options_.wire_tap.on_body(bytes, now);
  if (!on_event_) {
    // Event views may point into the bytes fed, and libcurl reuses its receive buffer for the
    // next read as soon as this callback returns, while pull-mode events wait for the consumer.
    // One copy per read keeps them valid (callback mode consumes them before returning).
    read_copy_.assign(bytes.data(), bytes.size());
    bytes = read_copy_;
  }
  Emit(session_.OnBody(bytes, now));
  poll_needed_ = true;
  return bytes.size();
}

}  // namespace llmstream::native
