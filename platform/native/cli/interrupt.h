// Ctrl-C handling. The signal handler only sets an atomic flag and writes one byte to a pipe
// (both async-signal-safe); whatever must react does so outside the handler: a watcher thread
// calls CompletionStream::Cancel (which takes a mutex, so it must not run in the handler), and
// replay pacing waits on the pipe so that a Ctrl-C ends a long wait at once. A second Ctrl-C
// kills the process the default way, for when the clean stop itself hangs.
#pragma once

#include <functional>
#include <thread>

namespace llmstream::cli {

class Interrupt {
 public:
  // Installs the SIGINT handler (one Interrupt per process).
  Interrupt();
  // Stops the watcher thread and restores the default handler.
  ~Interrupt();
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

  bool requested() const;

  // Runs `on_interrupt` on a watcher thread when SIGINT arrives (at most once).
  void OnInterrupt(std::function<void()> on_interrupt);

  // Stops the watcher thread (joins it): call before whatever on_interrupt touches goes away.
  void StopWatching();

  // Waits up to `ms` (<= 0: returns at once); returns false when interrupted.
  bool Sleep(double ms) const;

 private:
  std::thread watcher_;
};

}  // namespace llmstream::cli
