#include "relay_stream.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <random>

#include "llmstream/to_json.h"
#include "server.h"

namespace relay {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// A browser that reads slower than the model writes: past this much encoded and unsent, curl is
// paused (the provider's socket fills and TCP slows it down) instead of buffering without end.
constexpr size_t kMaxPendingBytes = 256 * 1024;
constexpr long kCurlBufferBytes = 4096;

llmstream::SessionOptions MakeOptions(const Server& server, llmstream::CompletionRequest request) {
  llmstream::SessionOptions options;
  options.provider = server.config().provider;
  options.request = std::move(request);
  options.keep_alive_events = false;  // the relay writes its own keep-alives
  options.random_seed = std::random_device{}();
  return options;
}

}  // namespace

RelayStream::RelayStream(Server& server, asio::ip::tcp::socket socket, std::string id,
                         llmstream::CompletionRequest request)
    : server_(server),
      socket_(std::move(socket)),
      id_(std::move(id)),
      session_(MakeOptions(server, request)),
      encoder_(id_, request.model),
      timer_(server.io()),
      serializer_(head_) {}

RelayStream::~RelayStream() { StopUpstream(); }

void RelayStream::Start() {
  head_.version(11);
  head_.result(http::status::ok);
  head_.set(http::field::content_type, "text/event-stream; charset=utf-8");
  head_.set(http::field::cache_control, "no-cache, no-transform");
  head_.set("Llmstream-Relay", "1");
  head_.set("X-Accel-Buffering", "no");
  head_.keep_alive(false);  // the response ends the connection: no request follows on it
  head_.chunked(true);
  last_sent_ms_ = server_.NowMs();
  encoder_.WriteStart(&pending_);
  Flush();
  WatchClient();
  Drive();
}

void RelayStream::Cancel() {
  if (finished_ || cancel_requested_) return;
  cancel_requested_ = true;
  PostDrive();
}

// ---- upstream --------------------------------------------------------------------------------

void RelayStream::OnCurlDone(CURLcode code) {
  done_code_ = code;
  PostDrive();
}

void RelayStream::PostDrive() {
  if (drive_posted_) return;
  drive_posted_ = true;
  asio::post(server_.io(), [self = shared_from_this()] { self->Drive(); });
}

// The Session loop of session.h, run whenever something happened (curl finished, bytes came, the
// timer fired, a cancel): hand the news over, then Poll until it waits or is done.
void RelayStream::Drive() {
  drive_posted_ = false;
  if (finished_) return;
  const int64_t now = server_.NowMs();
  if (cancel_requested_ && !cancel_delivered_) {
    cancel_delivered_ = true;
    StopUpstream();  // closes the provider connection now: the provider sees the disconnect
    Emit(session_.Cancel(now));
  }
  if (response_ready_) {
    response_ready_ = false;
    Emit(session_.OnResponse(status_, headers_, now));
  }
  if (done_code_) {
    const CURLcode code = *done_code_;
    done_code_.reset();
    llmstream::Error error;
    if (code != CURLE_OK) {
      error.code = code == CURLE_OPERATION_TIMEDOUT ? llmstream::ErrorCode::kTimeout
                                                    : llmstream::ErrorCode::kNetwork;
      error.message = curl_error_[0] != '\0' ? curl_error_.data() : curl_easy_strerror(code);
    }
    StopUpstream();
    Emit(code == CURLE_OK ? session_.OnEnd(now) : session_.OnTransportError(error, now));
  }
  for (;;) {
    llmstream::SessionStep step = session_.Poll(now);
    Emit(step.events);
    switch (step.action) {
      case llmstream::SessionAction::kSend:
        StopUpstream();
        if (!StartUpstream()) {
          StopUpstream();
          std::snprintf(curl_error_.data(), curl_error_.size(), "could not start the request");
          done_code_ = CURLE_FAILED_INIT;
          PostDrive();
        }
        wake_at_ms_ = step.wake_at_ms;
        ArmTimer();
        return;
      case llmstream::SessionAction::kWait:
        wake_at_ms_ = step.wake_at_ms;
        ArmTimer();
        return;
      case llmstream::SessionAction::kAbortTransfer:
        StopUpstream();
        continue;
      case llmstream::SessionAction::kDone:
        StopUpstream();
        finished_ = true;
        if (client_gone_) {
          Close();
        } else {
          Flush();
        }
        return;
    }
  }
}

bool RelayStream::StartUpstream() {
  const llmstream::HttpRequest& request = session_.http_request();
  easy_ = curl_easy_init();
  if (easy_ == nullptr) return false;
  status_ = 0;
  headers_.clear();
  response_ready_ = false;
  paused_ = false;
  curl_error_[0] = '\0';
  for (const auto& [name, value] : request.headers) {
    header_list_ = curl_slist_append(header_list_, (name + ": " + value).c_str());
  }
  header_list_ = curl_slist_append(header_list_, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, request.body.data());
  }
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, header_list_);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &RelayStream::OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &RelayStream::OnWrite);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, static_cast<CurlDoneHandler*>(this));
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, curl_error_.data());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(easy_, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "llmstream-relay-example/0.1");
  // SSE events are small and come one or a few per read: curl's default 16 KiB receive buffer
  // per transfer would be most of a stream's memory at thousands of streams.
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, kCurlBufferBytes);
  return server_.curl().Add(easy_);
}

void RelayStream::StopUpstream() {
  if (easy_ != nullptr) {
    server_.curl().Remove(easy_);
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

// Only the end of a header block matters: curl parsed the status and the headers already
// (CURLINFO_RESPONSE_CODE, curl_easy_nextheader), and a 1xx block is followed by the real one.
size_t RelayStream::OnHeader(char* data, size_t size, size_t count, void* self) {
  auto* stream = static_cast<RelayStream*>(self);
  const std::string_view line(data, size * count);
  if (line != "\r\n" && line != "\n") return line.size();
  long status = 0;
  curl_easy_getinfo(stream->easy_, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200) return line.size();
  stream->status_ = static_cast<int>(status);
  stream->headers_.clear();
  for (curl_header* header = curl_easy_nextheader(stream->easy_, CURLH_HEADER, -1, nullptr);
       header != nullptr; header = curl_easy_nextheader(stream->easy_, CURLH_HEADER, -1, header)) {
    stream->headers_.emplace_back(header->name, header->value);
  }
  stream->response_ready_ = true;
  stream->PostDrive();
  return line.size();
}

size_t RelayStream::OnWrite(char* data, size_t size, size_t count, void* self) {
  return static_cast<RelayStream*>(self)->Write(std::string_view(data, size * count));
}

size_t RelayStream::Write(std::string_view bytes) {
  if (cancel_requested_) return 0;  // curl aborts the transfer (CURLE_WRITE_ERROR)
  if (pending_.size() >= kMaxPendingBytes) {
    paused_ = true;  // unpaused when the browser took the bytes (Flush)
    return CURL_WRITEFUNC_PAUSE;
  }
  const int64_t now = server_.NowMs();
  if (response_ready_) {
    response_ready_ = false;
    Emit(session_.OnResponse(status_, headers_, now));
  }
  // The events may point into `bytes`: encoded right here, before curl reuses its buffer.
  Emit(session_.OnBody(bytes, now));
  PostDrive();  // the Session may now want to end, retry or re-arm its timers
  return bytes.size();
}

void RelayStream::Emit(std::span<const llmstream::Event> events) {
  if (events.empty() || client_gone_) return;
  std::string completion;
  if (std::any_of(events.begin(), events.end(), [](const llmstream::Event& e) {
        return e.kind == llmstream::EventKind::kDone;
      })) {
    llmstream::AppendJson(&completion, session_.result());
  }
  encoder_.WriteBatch(events, &pending_, completion);
  Flush();
}

// ---- downstream ------------------------------------------------------------------------------

// One write in flight at a time; whatever was encoded meanwhile goes out as the next chunk, so a
// fast model and a slow browser make fewer, larger chunks rather than a queue of small ones.
void RelayStream::Flush() {
  if (writing_now_ || client_gone_ || closed_) return;
  auto self = shared_from_this();
  if (!head_written_) {
    writing_now_ = true;
    http::async_write_header(socket_, serializer_,
                             [self](boost::system::error_code ec, size_t /*bytes*/) {
                               self->writing_now_ = false;
                               self->head_written_ = true;
                               if (ec) return self->ClientGone();
                               self->Flush();
                             });
    return;
  }
  if (!pending_.empty()) {
    writing_.swap(pending_);
    pending_.clear();
    writing_now_ = true;
    last_sent_ms_ = server_.NowMs();
    asio::async_write(socket_, http::make_chunk(asio::buffer(writing_)),
                      [self](boost::system::error_code ec, size_t /*bytes*/) {
                        self->writing_now_ = false;
                        self->writing_.clear();
                        if (ec) return self->ClientGone();
                        if (self->paused_ && self->easy_ != nullptr) {
                          self->paused_ = false;
                          curl_easy_pause(self->easy_, CURLPAUSE_CONT);
                        }
                        self->Flush();
                      });
    return;
  }
  if (finished_ && !last_chunk_sent_) {
    last_chunk_sent_ = true;
    writing_now_ = true;
    asio::async_write(socket_, http::make_chunk_last(),
                      [self](boost::system::error_code /*ec*/, size_t /*bytes*/) {
                        self->writing_now_ = false;
                        self->Close();
                      });
  }
}

// A browser sends nothing after its request, so a read that ends means it went away: the only
// way to notice a closed tab while the model is quiet, and to cancel the upstream at once.
void RelayStream::WatchClient() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            if (self->closed_) return;
                            if (ec) return self->ClientGone();
                            self->WatchClient();  // stray bytes (a pipelined request): ignored
                          });
}

void RelayStream::ClientGone() {
  if (client_gone_) return;
  client_gone_ = true;
  pending_.clear();
  if (finished_) return Close();
  Cancel();  // Drive closes once the Session is done
}

void RelayStream::ArmTimer() {
  if (closed_ || finished_) return;
  int64_t at = last_sent_ms_ + server_.config().keep_alive_ms;
  if (wake_at_ms_ >= 0) at = std::min(at, wake_at_ms_);
  // A later deadline needs no new wait: the earlier one fires, finds nothing due, re-arms.
  if (timer_armed_ && timer_at_ms_ <= at) return;
  timer_armed_ = true;
  timer_at_ms_ = at;
  timer_.expires_at(server_.TimeAt(at));
  timer_.async_wait(
      [self = shared_from_this(), generation = ++timer_generation_](boost::system::error_code ec) {
        if (ec || generation != self->timer_generation_) return;
        self->timer_armed_ = false;
        self->OnTimer();
      });
}

void RelayStream::OnTimer() {
  if (closed_ || finished_) return;
  const int64_t now = server_.NowMs();
  if (now >= last_sent_ms_ + server_.config().keep_alive_ms && !client_gone_) {
    llmstream::RelayEncoder::WriteKeepAlive(&pending_);
    last_sent_ms_ = now;  // also while a slow write is in flight: one comment per interval
    Flush();
  }
  if (wake_at_ms_ >= 0 && now >= wake_at_ms_) {
    wake_at_ms_ = -1;
    Drive();  // re-arms
  } else {
    ArmTimer();
  }
}

void RelayStream::Close() {
  if (closed_) return;
  closed_ = true;
  StopUpstream();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  timer_.cancel();
  server_.RemoveStream(id_);  // may drop the last reference but one: `this` lives until return
}

}  // namespace relay
