// Every fault the local provider can inject, through the native client: retries before output,
// none after it, typed errors, partial results kept, timeouts, cancellation that the server sees.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "llmstream/client.h"
#include "local_provider.h"

namespace llmstream {
namespace {

using testing::Hello;
using testing::LocalProvider;
using testing::UniqueKey;

struct StreamRun {
  Completion completion;
  Error error;
  int attempts = 0;
  std::vector<EventKind> kinds;
  std::vector<std::pair<int, int64_t>> retries;  // (attempt, delay ms) of each kRetry event
  std::string text;
  int errors = 0;
};

StreamRun Drive(const ClientOptions& options, CompletionRequest request = Hello()) {
  StreamRun run;
  CompletionStream stream = Client(options).StreamCompletion(std::move(request));
  for (const Event& event : stream) {
    run.kinds.push_back(event.kind);
    if (event.kind == EventKind::kText) run.text.append(event.text);
    if (event.kind == EventKind::kError) ++run.errors;
    if (event.retry) run.retries.emplace_back(event.retry->attempt, event.retry->delay_ms);
  }
  run.completion = stream.result();
  run.error = stream.error();
  run.attempts = stream.attempts();
  return run;
}

class ClientFaultsTest : public ::testing::Test {
 protected:
  LocalProvider server_;
};

TEST_F(ClientFaultsTest, RateLimitIsRetriedAfterRetryAfterThenSucceeds) {
  ASSERT_TRUE(server_.ok());
  std::string key = UniqueKey();
  StreamRun run = Drive(server_.Options("status=429; retry_after_ms=120; times=1; key=" + key));
  EXPECT_FALSE(run.error) << run.error.message;
  EXPECT_EQ(run.attempts, 2);
  ASSERT_EQ(run.retries.size(), 1u);
  EXPECT_EQ(run.retries[0].first, 1);
  EXPECT_EQ(run.retries[0].second, 120);  // the server's Retry-After, exactly
  EXPECT_EQ(run.errors, 0);
  EXPECT_FALSE(run.text.empty());
}

TEST_F(ClientFaultsTest, ServerErrorsGiveUpAfterMaxRetriesWithOneTypedError) {
  ASSERT_TRUE(server_.ok());
  ClientOptions options = server_.Options("status=500; times=10; key=" + UniqueKey());
  options.retry.max_retries = 2;
  StreamRun run = Drive(options);
  EXPECT_EQ(run.error.code, ErrorCode::kServer);
  EXPECT_EQ(run.error.http_status, 500);
  EXPECT_EQ(run.attempts, 3);
  EXPECT_EQ(run.retries.size(), 2u);
  EXPECT_EQ(run.errors, 1);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kServer);
}

TEST_F(ClientFaultsTest, AuthErrorIsNotRetried) {
  ASSERT_TRUE(server_.ok());
  StreamRun run = Drive(server_.Options("status=401"));
  EXPECT_EQ(run.error.code, ErrorCode::kAuth);
  EXPECT_EQ(run.attempts, 1);
  EXPECT_TRUE(run.retries.empty());
  EXPECT_FALSE(run.error.message.empty());
}

TEST_F(ClientFaultsTest, ResetBeforeOutputIsRetried) {
  ASSERT_TRUE(server_.ok());
  StreamRun run = Drive(server_.Options("reset_after=0; times=1; key=" + UniqueKey()));
  EXPECT_FALSE(run.error) << run.error.message;
  EXPECT_EQ(run.attempts, 2);
  EXPECT_FALSE(run.text.empty());
}

TEST_F(ClientFaultsTest, ResetAfterOutputKeepsThePartialResultAndIsNotRetried) {
  ASSERT_TRUE(server_.ok());
  StreamRun run = Drive(server_.Options("tokens=40; reset_after=6"));
  EXPECT_EQ(run.error.code, ErrorCode::kNetwork);
  EXPECT_EQ(run.attempts, 1);
  EXPECT_FALSE(run.text.empty());
  EXPECT_EQ(run.completion.text(), run.text);
  // The provider never reported usage: it is estimated, and says so.
  EXPECT_TRUE(run.completion.usage.estimated);
  EXPECT_GT(run.completion.usage.output_tokens.value_or(0), 0);
}

TEST_F(ClientFaultsTest, ContinuationSplicesTheRestOfTheAnswerWithoutRepeating) {
  ASSERT_TRUE(server_.ok());
  for (WireApi api : {WireApi::kChatCompletions, WireApi::kAnthropicMessages}) {
    Completion whole = Client(server_.Options("tokens=40", api)).Complete(Hello());
    ClientOptions options =
        server_.Options("tokens=40; reset_after=10; times=1; key=" + UniqueKey(), api);
    options.continuation = true;
    std::string partial_before_retry;
    std::string streamed;
    std::string retry_kind;
    CompletionStream stream = Client(options).StreamCompletion(Hello());
    for (const Event& event : stream) {
      if (event.kind == EventKind::kText) streamed.append(event.text);
      if (event.kind == EventKind::kRetry) {
        retry_kind = event.retry->continuation ? "continuation" : "retry";
        partial_before_retry = streamed;
      }
    }
    EXPECT_FALSE(stream.error()) << WireApiName(api) << ": " << stream.error().message;
    EXPECT_EQ(stream.attempts(), 2);
    EXPECT_EQ(retry_kind, "continuation");
    EXPECT_FALSE(partial_before_retry.empty());
    // The local provider continues a prefilled / "continue" turn where the partial text ended,
    // as a model would; the splice must then give exactly the uninterrupted answer.
    EXPECT_EQ(streamed, whole.text()) << WireApiName(api);
    EXPECT_EQ(stream.result().text(), whole.text()) << WireApiName(api);
  }
}

TEST_F(ClientFaultsTest, BodyEndingWithoutTerminalSignalIsTruncated) {
  ASSERT_TRUE(server_.ok());
  ClientOptions options = server_.Options("tokens=40; close_after=8");
  StreamRun run = Drive(options);
  EXPECT_EQ(run.error.code, ErrorCode::kTruncated);
  EXPECT_EQ(run.attempts, 1);  // output was delivered: never re-sent
  EXPECT_TRUE(run.completion.truncated);
  EXPECT_FALSE(run.text.empty());
}

TEST_F(ClientFaultsTest, InBandErrorEndsTheStreamWithTheProviderMessage) {
  ASSERT_TRUE(server_.ok());
  for (WireApi api : {WireApi::kChatCompletions, WireApi::kAnthropicMessages}) {
    StreamRun run = Drive(server_.Options("tokens=40; error_after=6", api));
    EXPECT_EQ(run.error.code, ErrorCode::kProviderError) << WireApiName(api);
    EXPECT_FALSE(run.error.message.empty());
    EXPECT_FALSE(run.text.empty()) << WireApiName(api);
    EXPECT_EQ(run.errors, 1);
  }
}

TEST_F(ClientFaultsTest, StallIsDetectedByTheIdleTimeoutAndTheConnectionClosed) {
  ASSERT_TRUE(server_.ok());
  std::string key = UniqueKey();
  ClientOptions options = server_.Options("tokens=40; stall_after=5; key=" + key);
  options.timeouts.idle_ms = 150;
  StreamRun run = Drive(options);
  EXPECT_EQ(run.error.code, ErrorCode::kStalled);
  EXPECT_FALSE(run.text.empty());
  EXPECT_TRUE(server_.WaitForOutcome(key, "client_disconnected").has_value());
}

TEST_F(ClientFaultsTest, SlowHeadersHitTheFirstByteTimeout) {
  ASSERT_TRUE(server_.ok());
  ClientOptions options = server_.Options("headers_delay_ms=3000; key=" + UniqueKey());
  options.timeouts.first_byte_ms = 100;
  options.retry.max_retries = 0;
  StreamRun run = Drive(options);
  EXPECT_EQ(run.error.code, ErrorCode::kTimeout);
  EXPECT_TRUE(run.text.empty());
}

TEST_F(ClientFaultsTest, ConnectionRefusedIsANetworkError) {
  ClientOptions options;
  options.provider.provider = Provider::kLocal;
  options.provider.base_url = "http://127.0.0.1:1/v1";  // port 1: nothing listens there
  options.retry.max_retries = 1;
  options.retry.base_delay_ms = 1;
  StreamRun run = Drive(options);
  EXPECT_EQ(run.error.code, ErrorCode::kNetwork);
  EXPECT_EQ(run.attempts, 2);
}

TEST_F(ClientFaultsTest, CancelFromAnotherThreadClosesTheConnection) {
  ASSERT_TRUE(server_.ok());
  std::string key = UniqueKey();
  CompletionStream stream =
      Client(server_.Options("tokens=40; stall_after=3; key=" + key)).StreamCompletion(Hello());
  std::string text;
  std::thread canceller;
  int errors = 0;
  for (const Event& event : stream) {
    if (event.kind == EventKind::kText) {
      text.append(event.text);
      // Cancel once output began; the iterator is then blocked on the stalled socket.
      if (!canceller.joinable()) canceller = std::thread([&stream] { stream.Cancel(); });
    }
    if (event.kind == EventKind::kError) ++errors;
  }
  canceller.join();
  EXPECT_EQ(stream.error().code, ErrorCode::kAborted);
  EXPECT_EQ(errors, 1);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(stream.result().text(), text);
  EXPECT_TRUE(server_.WaitForOutcome(key, "client_disconnected").has_value());
}

TEST_F(ClientFaultsTest, StoppingEarlyReportsEstimatedUsageAndCost) {
  ASSERT_TRUE(server_.ok());
  std::string key = UniqueKey();
  ClientOptions options = server_.Options("tokens=200; pace_ms=5; key=" + key);
  int texts = 0;
  bool saw_estimated_usage = false;
  Completion completion = Client(options).StreamCompletion(Hello(), [&](const Event& event) {
    if (event.kind == EventKind::kUsage && event.usage->estimated) saw_estimated_usage = true;
    return event.kind != EventKind::kText || ++texts < 5;  // stop after five text deltas
  });
  EXPECT_EQ(completion.error.code, ErrorCode::kAborted);
  EXPECT_TRUE(saw_estimated_usage);
  EXPECT_TRUE(completion.usage.estimated);
  EXPECT_GT(completion.usage.output_tokens.value_or(0), 0);
  EXPECT_GT(completion.usage.input_tokens.value_or(0), 0);
  EXPECT_TRUE(server_.WaitForOutcome(key, "client_disconnected").has_value());
}

TEST_F(ClientFaultsTest, ASlowConsumerStopsTheServerWritingInsteadOfBuffering) {
  ASSERT_TRUE(server_.ok());
  std::string key = UniqueKey();
  // ~30 MB of events: far more than the socket buffers can hold.
  CompletionStream stream =
      Client(server_.Options("tokens=200000; key=" + key)).StreamCompletion(Hello());
  const Event* first = stream.Next();
  ASSERT_NE(first, nullptr);
  // While nobody pulls, the server cannot finish: its writes block on the full socket.
  EXPECT_FALSE(server_.WaitForOutcome(key, "completed", 500).has_value());
  auto [status, log] = server_.Get("/_llmstream/requests?key=" + key);
  EXPECT_NE(log.find("in_progress"), std::string::npos) << log;
  stream.Cancel();
  while (stream.Next() != nullptr) {
  }
  EXPECT_EQ(stream.error().code, ErrorCode::kAborted);
}

}  // namespace
}  // namespace llmstream
