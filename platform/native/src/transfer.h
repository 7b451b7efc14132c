// Transfer: one Session (core, sans-I/O) bound to libcurl easy handles on an Engine. The Session
// decides (send, wait, abort, retry, done); the Transfer carries it out and feeds it the bytes.
//
// Events reach the consumer in one of two ways:
//  - callback mode (`on_event` set): each event is handed to the callback as soon as the Session
//    produced it, from inside the loop. Returning false from the callback stops the stream.
//  - pull mode (no callback): events wait in `pending()` until the consumer has taken all of
//    them (TakePending + Advance). While events are pending, the write callback pauses the
//    transfer (CURL_WRITEFUNC_PAUSE), so a slow consumer stops reading from the socket and TCP
//    pushes back on the server instead of memory growing here.
//
// Event views stay valid until the next Session call, and the Session is only called when no
// event is pending: that invariant is what every method below protects.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "llmstream/client.h"
#include "llmstream/event.h"
#include "llmstream/session.h"

namespace llmstream::native {

class Engine;

struct TransferOptions {
  SessionOptions session;
  int64_t connect_timeout_ms = 10000;
  std::string user_agent;
  WireTap wire_tap;
};

// The TransferOptions a Client uses for `request` (defined in client.cpp).
TransferOptions MakeTransferOptions(const Client& client, CompletionRequest request);

class Transfer {
 public:
  using EventCallback = std::function<bool(const Event&)>;
  using DoneCallback = std::function<void(Transfer&)>;

  Transfer(Engine& engine, TransferOptions options, EventCallback on_event = {},
           DoneCallback on_done = {});
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Pull mode: the events produced and not yet taken. Valid until the next Advance.
  std::span<const Event> pending() const { return pending_; }
  // Pull mode: the consumer is done with pending(); the next Advance may produce more.
  void ReleasePending() { pending_ = {}; }

  // Does whatever the Session can do now without waiting: deliver a deferred response, end or
  // failure, honour a cancel, poll the Session and start / abort HTTP requests. Loop thread only.
  void Advance(int64_t now_ms);

  // Stops the stream (the Session ends it with kAborted). Loop thread only; from another thread
  // use Engine::RequestCancel(id()).
  void Cancel();

  // libcurl reported the easy handle finished (CURLMSG_DONE).
  void OnCurlDone(CURLcode code);

  // An exception thrown by the event callback: caught at the libcurl boundary (it must not unwind
  // through C code), the stream is stopped, and the caller rethrows it once out of the loop.
  std::exception_ptr callback_exception() const { return callback_exception_; }

  uint64_t id() const { return id_; }
  bool finished() const { return finished_; }
  const Session& session() const { return session_; }

 private:
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static size_t OnWrite(char* data, size_t size, size_t count, void* self);
  size_t Write(std::string_view bytes);
  void Emit(std::span<const Event> events);
  bool StartRequest();
  void ScheduleWake(int64_t wake_at_ms, int64_t now_ms);
  // Closes the open transfer, if any. `ended_with`: how it ended for WireTap::on_end (null: we
  // closed it ourselves).
  void StopRequest(const Error* ended_with = nullptr);
  // Provider kRelay: tells the relay to stop the upstream (once; nothing for other providers).
  void CancelRelay();

  Engine& engine_;
  TransferOptions options_;
  EventCallback on_event_;
  DoneCallback on_done_;
  Session session_;
  uint64_t id_ = 0;

  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  char curl_error_[CURL_ERROR_SIZE] = {};
  std::span<const Event> pending_;
  std::string read_copy_;  // pull mode: the read the pending events may point into

  // Response headers of the current request, delivered to the Session with the first body
  // bytes (or at the end for an empty body) because the header callback cannot pause.
  int status_ = 0;
  HeaderList headers_;
  bool response_ready_ = false;
  std::optional<CURLcode> done_code_;  // finished transfer, not yet reported to the Session

  bool paused_ = false;
  bool poll_needed_ = true;
  bool cancel_requested_ = false;
  bool cancel_delivered_ = false;
  bool callback_stopped_ = false;
  std::exception_ptr callback_exception_;
  bool finished_ = false;
  bool relay_cancelled_ = false;  // CancelRelay sent its DELETE
  int64_t wake_at_ms_ = -1;       // the Session wants a Poll then
  int64_t scheduled_at_ms_ = -1;  // the earliest Engine timer we asked for
};

}  // namespace llmstream::native
