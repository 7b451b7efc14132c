// Many streams on one thread: one libcurl multi handle driven by epoll, so thousands of
// concurrent streams cost one thread and a few KB each (see bench/). Callbacks run on the thread
// that calls Run / RunOnce.
//
//   llmstream::MultiRunner runner;
//   for (auto& prompt : prompts) {
//     runner.Add(client, {.model = "gpt-4o-mini", .prompt = prompt},
//                [](llmstream::MultiRunner::StreamId id, const llmstream::Event& event) {
//                  ...;            // return false to stop this stream
//                  return true;
//                });
//   }
//   runner.Run();                  // until every stream ended
//   for (auto id : ids) runner.result(id)->text();
//
// Fan-out of one prompt to several providers and race / hedge are built on it (race.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "llmstream/client.h"

namespace llmstream {

class MultiRunner {
 public:
  using StreamId = uint64_t;
  // Return false to cancel that stream. The Event is valid during the call only. An exception
  // thrown by a callback cancels its stream and is rethrown by RunOnce / Run after that turn.
  using EventCallback = std::function<bool(StreamId, const Event&)>;
  // The stream ended (normally, with an error, or cancelled). `completion.error` says which.
  using DoneCallback = std::function<void(StreamId, const Completion&)>;

  MultiRunner();
  ~MultiRunner();
  MultiRunner(const MultiRunner&) = delete;
  MultiRunner& operator=(const MultiRunner&) = delete;

  // Starts a stream (the request goes out on the next RunOnce). Safe to call from callbacks.
  StreamId Add(const Client& client, CompletionRequest request, EventCallback on_event = {},
               DoneCallback on_done = {});

  // Stops one stream (its last events are the usage estimate and a kAborted error). Thread-safe;
  // unknown or finished ids are ignored.
  void Cancel(StreamId id);
  // Stops every running stream. Loop thread only.
  void CancelAll();

  // Runs until every stream has ended.
  void Run();
  // One turn of the loop, waiting at most max_wait_ms for I/O or timers (-1: as long as needed
  // while streams run). Returns the number of streams still running.
  size_t RunOnce(int64_t max_wait_ms);

  // Streams added and not yet ended.
  size_t active() const;
  // The assembled completion of a stream: live while it runs, final after it ended (kept until
  // Forget). nullptr for an unknown id.
  const Completion* result(StreamId id) const;
  // Frees a finished stream's result.
  void Forget(StreamId id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmstream
