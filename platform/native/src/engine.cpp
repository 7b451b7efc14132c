#include "engine.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "curl_global.h"
#include "transfer.h"

namespace llmstream::native {

int64_t SteadyNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t UnixNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Engine::Engine() {
  if (!EnsureCurlGlobalInit()) {
    init_error_ = "libcurl global initialisation failed";
    return;
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  multi_ = curl_multi_init();
  if (epoll_fd_ < 0 || wake_fd_ < 0 || multi_ == nullptr) {
    init_error_ = "could not create the event loop (epoll / eventfd / curl_multi_init)";
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    multi_ = nullptr;
    return;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Engine::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Engine::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

Engine::~Engine() {
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

uint64_t Engine::Register(Transfer* transfer) {
  uint64_t id = next_id_++;
  transfers_.emplace(id, transfer);
  return id;
}

void Engine::Unregister(uint64_t id) { transfers_.erase(id); }

Transfer* Engine::Find(uint64_t id) const {
  auto it = transfers_.find(id);
  return it == transfers_.end() ? nullptr : it->second;
}

bool Engine::AddEasy(CURL* easy) { return ok() && curl_multi_add_handle(multi_, easy) == CURLM_OK; }

void Engine::RemoveEasy(CURL* easy) {
  if (multi_ != nullptr) curl_multi_remove_handle(multi_, easy);
}

void Engine::Schedule(Transfer* transfer, int64_t at_ms) {
  if (at_ms >= 0) timers_.push(Timer{at_ms, transfer->id()});
}

void Engine::MarkDirty(Transfer* transfer) { dirty_.push_back(transfer->id()); }

void Engine::RequestCancel(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(cancel_mutex_);
    cancel_requests_.push_back(id);
  }
  Wake();
}

void Engine::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  // A full counter (EAGAIN) still leaves the fd readable, which is all a wake-up needs.
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
}

int Engine::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* engine_ptr,
                     void* socket_data) {
  auto* engine = static_cast<Engine*>(engine_ptr);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(engine->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(engine->multi_, fd, nullptr);
    return 0;
  }
  epoll_event event{};
  event.data.fd = fd;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) event.events |= EPOLLOUT;
  // socket_data marks sockets already in the epoll set (curl_multi_assign stores it per socket).
  if (socket_data != nullptr) {
    epoll_ctl(engine->epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  } else {
    epoll_ctl(engine->epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    curl_multi_assign(engine->multi_, fd, engine);
  }
  return 0;
}

int Engine::OnTimer(CURLM* /*multi*/, long timeout_ms, void* engine_ptr) {
  auto* engine = static_cast<Engine*>(engine_ptr);
  engine->curl_deadline_ms_ = timeout_ms < 0 ? -1 : SteadyNowMs() + timeout_ms;
  return 0;
}

void Engine::SocketAction(curl_socket_t fd, int mask) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, mask, &running);
  DrainCurlMessages();
}

void Engine::DrainCurlMessages() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    if (transfer != nullptr) {
      transfer->OnCurlDone(message->data.result);
      MarkDirty(transfer);
    }
  }
}

void Engine::RunOnce(int64_t max_wait_ms) {
  int64_t now = SteadyNowMs();
  int64_t wait = max_wait_ms;
  auto cap = [&](int64_t at_ms) {
    int64_t until = std::max<int64_t>(0, at_ms - now);
    wait = wait < 0 ? until : std::min(wait, until);
  };
  if (curl_deadline_ms_ >= 0) cap(curl_deadline_ms_);
  if (!timers_.empty()) cap(timers_.top().at_ms);
  if (!dirty_.empty()) wait = 0;

  if (ok()) {
    epoll_event events[256];
    int ready =
        epoll_wait(epoll_fd_, events, 256,
                   static_cast<int>(std::min<int64_t>(wait, std::numeric_limits<int>::max())));
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t count = 0;
        [[maybe_unused]] ssize_t got = read(wake_fd_, &count, sizeof count);
        continue;
      }
      int mask = 0;
      if (events[i].events & (EPOLLIN | EPOLLHUP)) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
      SocketAction(fd, mask);
    }
    now = SteadyNowMs();
    if (curl_deadline_ms_ >= 0 && now >= curl_deadline_ms_) {
      curl_deadline_ms_ = -1;
      SocketAction(CURL_SOCKET_TIMEOUT, 0);
    }
  } else if (wait != 0) {
    // No event loop (initialisation failed): every transfer fails at once, but a retry delay
    // must still be waited out rather than spun through.
    poll(nullptr, 0, static_cast<int>(std::min<int64_t>(wait < 0 ? 1000 : wait, 1000)));
  }
  AdvanceReady(SteadyNowMs());
}

void Engine::AdvanceReady(int64_t now) {
  std::vector<uint64_t> cancels;
  {
    std::lock_guard<std::mutex> lock(cancel_mutex_);
    cancels.swap(cancel_requests_);
  }
  for (uint64_t id : cancels) {
    if (Transfer* transfer = Find(id)) {
      transfer->Cancel();
      dirty_.push_back(id);
    }
  }
  while (!timers_.empty() && timers_.top().at_ms <= now) {
    dirty_.push_back(timers_.top().id);
    timers_.pop();
  }
  // Advance may mark transfers dirty again (or finish them, or let callbacks add new ones):
  // work on a snapshot and leave new entries for the next turn, so one turn stays bounded.
  std::vector<uint64_t> round;
  round.swap(dirty_);
  std::sort(round.begin(), round.end());
  round.erase(std::unique(round.begin(), round.end()), round.end());
  for (uint64_t id : round) {
    if (Transfer* transfer = Find(id)) transfer->Advance(now);
  }
}

}  // namespace llmstream::native
