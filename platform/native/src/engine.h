// Engine: one thread's event loop over libcurl's multi interface (curl_multi_socket_action on
// epoll), plus the timers that Sessions ask for. Every native face (the pull iterator, callbacks,
// MultiRunner, Race) runs its transfers on an Engine; a single stream simply has an Engine of its
// own.
//
// Why socket_action + epoll rather than curl_multi_poll: poll() and curl_multi_perform walk every
// transfer on every wake-up, which is O(streams) per token at 10,000 concurrent streams. With
// socket_action only the sockets that are ready are touched, and Session deadlines sit in a heap.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

namespace llmstream::native {

class Transfer;

// Milliseconds on the monotonic clock: the `now_ms` that every Session call receives.
int64_t SteadyNowMs();
// Milliseconds since the Unix epoch (for HTTP-date Retry-After arithmetic).
int64_t UnixNowMs();

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // False when the multi handle or epoll could not be created (then every transfer fails with
  // kNetwork and this message).
  bool ok() const { return multi_ != nullptr && epoll_fd_ >= 0; }
  const char* init_error() const { return init_error_; }

  // Transfers register for the lifetime of their object; ids are never reused.
  uint64_t Register(Transfer* transfer);
  void Unregister(uint64_t id);

  // Must not be called from inside a libcurl callback (libcurl forbids re-entering the multi
  // handle there); Transfers only call these from Advance.
  bool AddEasy(CURL* easy);
  void RemoveEasy(CURL* easy);

  // Asks for transfer->Advance(now) at `at_ms` (monotonic ms) at the latest. Earlier requests win;
  // a later one is ignored while an earlier one is pending (Advance reschedules as needed).
  void Schedule(Transfer* transfer, int64_t at_ms);
  // Asks for transfer->Advance(now) after the current round of I/O.
  void MarkDirty(Transfer* transfer);
  // Thread-safe: asks for the transfer with this id to be cancelled, and wakes the loop.
  void RequestCancel(uint64_t id);

  // One turn of the loop: waits for socket readiness, a timer or a Wake() (at most max_wait_ms;
  // -1 = no cap), lets libcurl do its work, then advances every transfer that became dirty or
  // whose timer fired.
  void RunOnce(int64_t max_wait_ms);

  // Thread-safe: makes a blocked RunOnce return.
  void Wake();

  int64_t Now() const { return SteadyNowMs(); }
  size_t transfers() const { return transfers_.size(); }

 private:
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* engine, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* engine);
  void SocketAction(curl_socket_t fd, int mask);
  void DrainCurlMessages();
  void AdvanceReady(int64_t now);
  Transfer* Find(uint64_t id) const;

  struct Timer {
    int64_t at_ms;
    uint64_t id;
    bool operator>(const Timer& other) const { return at_ms > other.at_ms; }
  };

  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  const char* init_error_ = "";
  int64_t curl_deadline_ms_ = -1;  // when libcurl wants CURL_SOCKET_TIMEOUT; -1 none
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Transfer*> transfers_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<uint64_t> dirty_;
  std::mutex cancel_mutex_;
  std::vector<uint64_t> cancel_requests_;  // guarded by cancel_mutex_
};

}  // namespace llmstream::native
