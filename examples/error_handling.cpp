// Error handling: automatic retries, typed errors, partial results and continuation.
// Mirrors the seed guide's "Error Handling in Streams": "Stream Error Recovery"
// (StreamErrorHandler: maxRetries 3, retryDelay 1000, isRetriable) and "Partial Response
// Handling" (PartialResponseHandler: keep the accumulated text when the stream breaks, then
// completePartialResponse asks the model to continue it). "Best Practices > 3. Handle Connection
// Interruptions" is part 4.
//
// What differs from the JS: nothing throws. A failure is an llmstream::Error value with a stable
// code (error.h); the retry loop is the client's own (RetryPolicy), and it retries only before
// any output reached the caller, because a retry after that would show the text twice. What
// arrived before a failure stays in result().
//
// Against the local provider the failures are injected with scenarios (server/lib/scenario.mjs);
// against a real provider parts 1 and 2 use a normal request and a wrong key, part 3 cancels the
// stream instead of breaking it, and part 4 (needs a broken connection) is skipped.
#include <chrono>
#include <iostream>
#include <string>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/retry_policy.h"

namespace {

using llmstream::ErrorCode;
using llmstream::Event;
using llmstream::EventKind;

// What to tell a user for each kind of failure: the switch the typed codes make possible.
std::string_view Advice(const llmstream::Error& error) {
  switch (error.code) {
    case ErrorCode::kAuth:
      return "check the API key";
    case ErrorCode::kRateLimited:
      return "slow down; retry_after_ms says when to come back";
    case ErrorCode::kBadRequest:
    case ErrorCode::kInvalidRequest:
      return "fix the request (model name, options); retrying will not help";
    case ErrorCode::kServer:
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
    case ErrorCode::kStalled:
    case ErrorCode::kTruncated:
      return "transient: the partial result is kept, a later retry may succeed";
    case ErrorCode::kAborted:
      return "cancelled by us";
    case ErrorCode::kContentFilter:
      return "the provider stopped the output for policy reasons";
    default:
      return "see the message";
  }
}

// Streams `request`, printing retries as they happen; cancels after `cancel_after` text deltas
// when > 0. Returns the stream so the caller can inspect error() and result().
llmstream::CompletionStream Run(const llmstream::ClientOptions& options,
                                const llmstream::CompletionRequest& request, int cancel_after = 0) {
  llmstream::CompletionStream stream = llmstream::Client(options).StreamCompletion(request);
  int deltas = 0;
  for (const Event& event : stream) {
    if (event.kind == EventKind::kRetry) {
      // choice: the attempt about to start; block: the delay before it; text: the policy's why.
      std::cout << "  Stream error, " << (event.name == "continuation" ? "continuing" : "retrying")
                << " (" << event.choice << "/" << options.retry.max_retries << ") in "
                << event.block << " ms: " << examples::Describe(*event.error) << "\n";
    } else if (event.kind == EventKind::kText && cancel_after > 0 && ++deltas == cancel_after) {
      stream.Cancel();  // the remaining events: estimated usage, then kAborted
    }
  }
  return stream;
}

void Report(const llmstream::CompletionStream& stream) {
  const llmstream::Error& error = stream.error();
  std::cout << "  attempts: " << stream.attempts() << ", text: " << stream.result().text().size()
            << " characters";
  if (error) {
    std::cout << "\n  error: " << examples::Describe(error)
              << "\n  retryable: " << (llmstream::IsRetryableError(error) ? "yes" : "no")
              << "; advice: " << Advice(error);
  }
  std::cout << "\n";
}

// Scenario counters are per key on the server: a fresh key per run makes "fail the first N
// requests" hold however often the example runs against the same server.
std::string UniqueKey(std::string_view name) {
  return std::string(name) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Shows retries, typed errors, partial results and continuation.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);
  const llmstream::CompletionRequest request{
      .model = setup.model, .prompt = "Explain how rainbows form", .max_tokens = 200};
  bool as_expected = true;

  // 1. Retries: the seed's maxRetries = 3, retryDelay = 1000 (doubled per retry, with jitter).
  //    The local provider answers 503 twice, with retry-after-ms: 100, which the policy obeys.
  std::cout << "1. transient failures are retried before any output\n";
  {
    llmstream::ClientOptions options = examples::WithScenario(
        setup, "status=503; retry_after_ms=100; times=2; key=" + UniqueKey("retry"));
    options.retry = {.max_retries = 3, .base_delay_ms = 1000};
    llmstream::CompletionStream stream = Run(options, request);
    Report(stream);
    as_expected &= !stream.error() && !stream.result().text().empty();
    if (setup.local) as_expected &= stream.attempts() == 3;
  }

  // 2. A typed error that no retry can fix: one attempt, code kAuth.
  std::cout << "2. a non-retryable error ends the stream at once\n";
  {
    llmstream::ClientOptions options = examples::WithScenario(setup, "status=401");
    if (!setup.local) options.provider.api_key = "sk-not-a-valid-key";
    llmstream::CompletionStream stream = Run(options, request);
    Report(stream);
    as_expected &= stream.error().code == ErrorCode::kAuth && stream.attempts() == 1;
  }

  // 3. The connection breaks after output was delivered: no retry (the user saw the text), and
  //    the partial answer stays in result() (the seed's {type: 'partial', text: accumulated}).
  std::cout << "3. a failure after output keeps the partial result\n";
  {
    const llmstream::ClientOptions options = examples::WithScenario(setup, "reset_after=12");
    llmstream::CompletionStream stream = Run(options, request, setup.local ? 0 : 10);
    Report(stream);
    const llmstream::Completion& partial = stream.result();
    std::cout << "  partial text: \"" << partial.text()
              << "\"\n  usage: " << partial.usage.output_tokens.value_or(0) << " output tokens"
              << (partial.usage.estimated ? " (estimated locally)" : "") << "\n";
    as_expected &= !partial.text().empty() && stream.attempts() == 1 &&
                   stream.error().code == (setup.local ? ErrorCode::kNetwork : ErrorCode::kAborted);
  }

  // 4. Opt-in continuation: after such a failure, re-send with the partial answer and splice the
  //    continuation on (the seed's completePartialResponse and streamWithReconnect, built in).
  std::cout << "4. continuation finishes a broken answer\n";
  if (setup.local) {
    llmstream::ClientOptions options =
        examples::WithScenario(setup, "reset_after=12; times=1; key=" + UniqueKey("continue"));
    options.continuation = true;
    options.retry.base_delay_ms = 100;
    llmstream::CompletionStream stream = Run(options, request);
    Report(stream);
    as_expected &= !stream.error() && stream.attempts() == 2;
  } else {
    std::cout << "  skipped: needs the local provider to break a connection\n";
  }

  if (!as_expected) {
    std::cerr << "error: a part did not behave as described\n";
    return 1;
  }
  return 0;
}
