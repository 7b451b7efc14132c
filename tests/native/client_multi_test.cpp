// Many streams on one thread: MultiRunner, fan-out, race and hedge against the local provider.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "llmstream/multi_runner.h"
#include "llmstream/race.h"
#include "local_provider.h"

namespace llmstream {
namespace {

using testing::Hello;
using testing::LocalProvider;
using testing::UniqueKey;

TEST(MultiRunnerTest, RunsManyStreamsOnOneThreadEachComplete) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  Client client(server.Options("tokens=20; pace_ms=2"));
  Completion reference = client.Complete(Hello("stream 0"));
  MultiRunner runner;
  std::map<MultiRunner::StreamId, std::string> streamed;
  std::map<MultiRunner::StreamId, int> done_calls;
  std::vector<MultiRunner::StreamId> ids;
  for (int i = 0; i < 24; ++i) {
    ids.push_back(runner.Add(
        client, Hello("stream " + std::to_string(i)),
        [&](MultiRunner::StreamId id, const Event& event) {
          if (event.kind == EventKind::kText) streamed[id].append(event.text);
          return true;
        },
        [&](MultiRunner::StreamId id, const Completion&) { ++done_calls[id]; }));
  }
  EXPECT_EQ(runner.active(), 24u);
  runner.Run();
  EXPECT_EQ(runner.active(), 0u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const Completion* result = runner.result(ids[i]);
    ASSERT_NE(result, nullptr);
    EXPECT_FALSE(result->error) << result->error.message;
    EXPECT_EQ(result->text(), streamed[ids[i]]);
    EXPECT_EQ(done_calls[ids[i]], 1);
    EXPECT_EQ(result->usage.output_tokens.value_or(0), 20);
  }
  EXPECT_EQ(runner.result(ids[0])->text(), reference.text());
}

TEST(MultiRunnerTest, CancellingOneStreamLeavesTheOthersRunning) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::string stalled_key = UniqueKey();
  Client stalled(server.Options("tokens=20; stall_after=3; key=" + stalled_key));
  Client healthy(server.Options("tokens=20"));
  MultiRunner runner;
  MultiRunner::StreamId stalled_id = 0;
  stalled_id = runner.Add(stalled, Hello(), [&](MultiRunner::StreamId id, const Event& event) {
    if (event.kind == EventKind::kText) runner.Cancel(id);
    return true;
  });
  MultiRunner::StreamId healthy_id = runner.Add(healthy, Hello());
  runner.Run();
  EXPECT_EQ(runner.result(stalled_id)->error.code, ErrorCode::kAborted);
  EXPECT_FALSE(runner.result(healthy_id)->error);
  EXPECT_TRUE(server.WaitForOutcome(stalled_key, "client_disconnected").has_value());
}

TEST(FanOutTest, OnePromptToSeveralApisSideBySide) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  // Each client names its own model (ClientOptions::model); the shared request has none.
  ClientOptions chat = server.Options("tokens=15", WireApi::kChatCompletions);
  chat.model = "local-echo";
  ClientOptions messages = server.Options("tokens=15", WireApi::kAnthropicMessages);
  messages.model = "local-fast";
  ClientOptions failing = server.Options("status=401", WireApi::kChatCompletions);
  failing.model = "local-echo";
  std::vector<Client> clients = {Client(chat), Client(messages), Client(failing)};
  CompletionRequest request = Hello();
  request.model.clear();
  std::vector<int> text_events(clients.size(), 0);
  std::vector<Completion> results = FanOut(clients, request, [&](size_t index, const Event& event) {
    if (event.kind == EventKind::kText) ++text_events[index];
    return true;
  });
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].error);
  EXPECT_FALSE(results[1].error);
  EXPECT_EQ(results[2].error.code, ErrorCode::kAuth);
  EXPECT_GT(text_events[0], 0);
  EXPECT_GT(text_events[1], 0);
  EXPECT_EQ(text_events[2], 0);
  EXPECT_EQ(results[0].text(), results[1].text());  // same deterministic text, two wire formats
  EXPECT_EQ(results[0].model, "local-echo");
  EXPECT_EQ(results[1].model, "local-fast");
}

TEST(RaceTest, FirstToProduceOutputWinsAndTheLoserIsDisconnected) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::string slow_key = UniqueKey();
  std::vector<Client> clients = {
      Client(server.Options("headers_delay_ms=5000; key=" + slow_key)),
      Client(server.Options("tokens=10")),
  };
  std::string text;
  RaceResult race = Race(clients, Hello(), [&](const Event& event) {
    if (event.kind == EventKind::kText) text.append(event.text);
    return true;
  });
  EXPECT_EQ(race.winner, 1);
  EXPECT_EQ(race.started, 2);
  EXPECT_FALSE(race.completion.error);
  EXPECT_EQ(race.completion.text(), text);
  EXPECT_EQ(race.errors[0].code, ErrorCode::kAborted);
  EXPECT_TRUE(server.WaitForOutcome(slow_key, "client_disconnected").has_value());
}

TEST(RaceTest, HedgeStartsTheNextContenderOnlyWhenTheFirstIsSlow) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::vector<Client> fast_first = {Client(server.Options("tokens=5")),
                                    Client(server.Options("tokens=5"))};
  RaceResult quick = Race(fast_first, Hello(), {}, {.hedge_delay_ms = 5000});
  EXPECT_EQ(quick.winner, 0);
  EXPECT_EQ(quick.started, 1);  // the hedge was never needed

  std::vector<Client> slow_first = {Client(server.Options("stall_after=0")),
                                    Client(server.Options("tokens=5"))};
  RaceResult hedged = Race(slow_first, Hello(), {}, {.hedge_delay_ms = 100});
  EXPECT_EQ(hedged.winner, 1);
  EXPECT_EQ(hedged.started, 2);
  EXPECT_EQ(hedged.errors[0].code, ErrorCode::kAborted);
}

TEST(RaceTest, EveryContenderFailingReportsNoWinner) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::vector<Client> clients = {Client(server.Options("status=401")),
                                 Client(server.Options("status=400"))};
  RaceResult race = Race(clients, Hello());
  EXPECT_EQ(race.winner, -1);
  EXPECT_TRUE(race.completion.error);
  EXPECT_EQ(race.errors[0].code, ErrorCode::kAuth);
  EXPECT_EQ(race.errors[1].code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace llmstream
