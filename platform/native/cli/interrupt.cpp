#include "cli/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>

namespace llmstream::cli {
namespace {

std::atomic<bool> g_requested{false};
int g_pipe[2] = {-1, -1};  // [0] read end, [1] write end; written by the handler

void OnSigint(int) {
  g_requested.store(true);
  const int saved_errno = errno;
  const char byte = 'i';
  [[maybe_unused]] ssize_t ignored = write(g_pipe[1], &byte, 1);
  errno = saved_errno;
  signal(SIGINT, SIG_DFL);  // the second Ctrl-C ends the process at once
}

}  // namespace

Interrupt::Interrupt() {
  if (pipe(g_pipe) == 0) {
    for (int fd : g_pipe) fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(g_pipe[1], F_SETFL, O_NONBLOCK);  // the handler must never block
  }
  struct sigaction action {};
  action.sa_handler = OnSigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
}

void Interrupt::StopWatching() {
  if (!watcher_.joinable()) return;
  const char byte = 'q';  // wakes the watcher; it sees no request and returns
  [[maybe_unused]] ssize_t ignored = write(g_pipe[1], &byte, 1);
  watcher_.join();
}

Interrupt::~Interrupt() {
  signal(SIGINT, SIG_DFL);
  StopWatching();
  for (int& fd : g_pipe) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

bool Interrupt::requested() const { return g_requested.load(); }

void Interrupt::OnInterrupt(std::function<void()> on_interrupt) {
  watcher_ = std::thread([on_interrupt = std::move(on_interrupt)] {
    char byte = 0;
    while (read(g_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    if (g_requested.load()) on_interrupt();
  });
}

bool Interrupt::Sleep(double ms) const {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point until =
      Clock::now() + std::chrono::microseconds(static_cast<int64_t>(std::max(0.0, ms) * 1000));
  while (!requested()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return true;
    pollfd fd{g_pipe[0], POLLIN, 0};
    poll(&fd, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
  }
  return false;
}

}  // namespace llmstream::cli
