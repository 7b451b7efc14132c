// Several prompts streamed at once on one thread.
// Mirrors the seed guide's "Performance Optimization > Parallel Streaming" (streamMultiple:
// Promise.all over streamCompletion, then processStream collects {index, text, tokenCount,
// startTime, endTime, duration} for each).
//
// MultiRunner drives every stream from one libcurl multi handle and one epoll loop on the
// calling thread: no thread per stream, and callbacks never run concurrently, so they can
// update shared state without locks.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/multi_runner.h"

namespace {

using Clock = std::chrono::steady_clock;

struct StreamResult {
  size_t index = 0;
  std::string text;
  int token_count = 0;  // text deltas
  Clock::time_point start_time;
  Clock::time_point end_time;
  llmstream::Error error;
};

long Milliseconds(Clock::duration duration) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Streams several prompts concurrently on one thread with MultiRunner.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);
  const llmstream::Client client(setup.options);

  const std::vector<std::string> prompts = {
      "Write a haiku about the sea",
      "Explain recursion in one paragraph",
      "List three facts about Mars",
      "Give a one-sentence summary of Hamlet",
  };

  llmstream::MultiRunner runner;
  std::vector<StreamResult> results(prompts.size());
  const Clock::time_point started = Clock::now();
  for (size_t i = 0; i < prompts.size(); ++i) {
    results[i].index = i;
    results[i].start_time = Clock::now();
    runner.Add(
        client, {.model = setup.model, .prompt = prompts[i], .max_tokens = 200},
        [&results, i](llmstream::MultiRunner::StreamId, const llmstream::Event& event) {
          if (event.kind == llmstream::EventKind::kText) {
            results[i].text.append(event.text);
            ++results[i].token_count;
          }
          return true;  // false would cancel this stream only
        },
        [&results, i](llmstream::MultiRunner::StreamId, const llmstream::Completion& completion) {
          results[i].end_time = Clock::now();
          results[i].error = completion.error;
        });
  }
  runner.Run();  // until every stream has ended
  const Clock::duration wall = Clock::now() - started;

  bool ok = true;
  Clock::duration sum{};
  for (const StreamResult& result : results) {
    const Clock::duration duration = result.end_time - result.start_time;
    sum += duration;
    std::cout << "#" << result.index << " \"" << prompts[result.index]
              << "\": " << result.token_count << " chunks in " << Milliseconds(duration)
              << " ms\n  " << result.text << "\n";
    if (result.error) {
      std::cout << "  error: " << examples::Describe(result.error) << "\n";
      ok = false;
    }
  }
  // Concurrency shows as a wall time well under the sum of the streams' durations.
  std::cout << "all " << results.size() << " streams: " << Milliseconds(wall) << " ms wall, "
            << Milliseconds(sum) << " ms summed\n";
  return ok ? 0 : 1;
}
