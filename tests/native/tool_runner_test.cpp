// RunTools (llmstream/tool_runner.h) against the local provider's scripted tool-calling model
// (scenario `tool_steps=K; tool_call=N`, server/lib/tool-steps.mjs): it calls the request's tools
// in order, N in parallel, until the conversation holds K turns with calls, then answers
// "Results: " + the last step's results joined by " | ", so the final text shows what reached
// the model. Chat Completions and Anthropic Messages.
#include "llmstream/tool_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "local_provider.h"

namespace llmstream {
namespace {

using testing::Hello;
using testing::LocalProvider;

constexpr const char* kCitySchema =
    R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})";

// A count that tools wait on with a deadline (never a sleep): proves calls run at the same time.
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : parties_(parties) {}
  // True when all parties arrived within 10 s.
  bool ArriveAndWait() {
    std::unique_lock lock(mutex_);
    if (++arrived_ >= parties_) all_.notify_all();
    return all_.wait_for(lock, std::chrono::seconds(10), [this] { return arrived_ >= parties_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_;
  int parties_;
  int arrived_ = 0;
};

Tool Returning(std::string name, std::string output) {
  return Tool{
      .definition = {.name = name, .description = "test tool", .parameters_json = kCitySchema},
      .run = [output](const ToolCallRequest&) { return ToolOutcome{.output = output}; }};
}

class ToolRunnerTest : public ::testing::TestWithParam<WireApi> {
 protected:
  Client ClientFor(std::string_view scenario) const {
    return Client(server_.Options(scenario, GetParam()));
  }
  LocalProvider server_;
};

TEST_P(ToolRunnerTest, ParallelCallsRunTogetherAndTheirResultsReachTheModel) {
  ASSERT_TRUE(server_.ok());
  Rendezvous both(2);
  std::vector<Tool> tools;
  for (std::string name : {"weather", "time"}) {
    tools.push_back(Tool{.definition = {.name = name, .parameters_json = kCitySchema},
                         .run = [&both, name](const ToolCallRequest& call) {
                           // Each waits for the other: sequential calls would time out here.
                           const bool together = both.ArriveAndWait();
                           return ToolOutcome{.output = name + (together ? " ok " : " alone ") +
                                                        call.arguments};
                         }});
  }
  std::vector<int> event_steps;
  int results = 0;
  ToolRunResult result =
      RunTools(ClientFor("tool_steps=1; tool_call=2"), Hello("Weather and time in Paris?"), tools,
               {.on_event = [&](const ToolLoopEvent& e) {
                 if (e.kind == ToolLoopEvent::Kind::kEvent) event_steps.push_back(e.step);
                 if (e.kind == ToolLoopEvent::Kind::kToolResult) ++results;
                 return true;
               }});
  EXPECT_EQ(result.stop, LoopStop::kFinalAnswer) << result.error.message;
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(results, 2);
  // The arguments the model wrote for a {city} schema (server/lib/tool-args.mjs): "Paris".
  EXPECT_EQ(result.text(), R"(Results: weather ok {"city":"Paris"} | time ok {"city":"Paris"})");
  ASSERT_EQ(result.conversation.size(), 5u);  // user, assistant (2 calls), 2 results, answer
  const auto& m = result.conversation.messages();
  EXPECT_EQ(m[1].role, "assistant");
  ASSERT_EQ(m[1].tool_calls.size(), 2u);
  EXPECT_EQ(m[2].tool_call_id, m[1].tool_calls[0].id);
  EXPECT_EQ(m[3].tool_call_id, m[1].tool_calls[1].id);
  EXPECT_EQ(m[4].content, result.text());
  // Every event says its step; step 1's come before step 2's.
  ASSERT_FALSE(event_steps.empty());
  EXPECT_EQ(event_steps.front(), 1);
  EXPECT_EQ(event_steps.back(), 2);
  EXPECT_TRUE(std::is_sorted(event_steps.begin(), event_steps.end()));
  // Usage summed over the two steps.
  EXPECT_EQ(result.usage.output_tokens.value_or(-1),
            result.steps[0].usage.output_tokens.value_or(0) +
                result.steps[1].usage.output_tokens.value_or(0));
  EXPECT_GT(result.usage.input_tokens.value_or(0), result.steps[0].usage.input_tokens.value_or(0));
}

TEST_P(ToolRunnerTest, AFailingToolGoesBackToTheModelAsAnErrorResult) {
  ASSERT_TRUE(server_.ok());
  std::vector<Tool> tools = {{.definition = {.name = "weather", .parameters_json = kCitySchema},
                              .run = [](const ToolCallRequest&) -> ToolOutcome {
                                throw std::runtime_error("no such city");
                              }},
                             Returning("time", "noon")};
  ToolRunResult result = RunTools(ClientFor("tool_steps=1; tool_call=2"), Hello("Weather?"), tools);
  EXPECT_EQ(result.stop, LoopStop::kFinalAnswer) << result.error.message;
  EXPECT_EQ(result.text(), "Results: tool 'weather' failed: no such city | noon");
  ASSERT_EQ(result.conversation.size(), 5u);
  EXPECT_TRUE(result.conversation.messages()[2].is_error);
  EXPECT_FALSE(result.conversation.messages()[3].is_error);
}

TEST_P(ToolRunnerTest, ACallToAnUnknownToolGoesBackAsAnErrorResult) {
  ASSERT_TRUE(server_.ok());
  CompletionRequest request = Hello("Weather?");
  // The model may call "ghost", which has no function here.
  request.tools.push_back({.name = "ghost", .parameters_json = kCitySchema});
  ToolRunResult result =
      RunTools(ClientFor("tool_steps=1; tool_call=2"), request, {Returning("weather", "sunny")});
  EXPECT_EQ(result.stop, LoopStop::kFinalAnswer) << result.error.message;
  EXPECT_EQ(result.text(), "Results: unknown tool 'ghost' (the tools: weather) | sunny");
}

TEST_P(ToolRunnerTest, StopsAtTheStepLimit) {
  ASSERT_TRUE(server_.ok());
  int calls = 0;
  std::vector<Tool> tools = {{.definition = {.name = "weather", .parameters_json = kCitySchema},
                              .run = [&calls](const ToolCallRequest&) {
                                return ToolOutcome{.output = std::to_string(++calls)};
                              }}};
  ToolRunResult result =
      RunTools(ClientFor("tool_steps=5"), Hello("Weather?"), tools, {.max_steps = 2});
  EXPECT_EQ(result.stop, LoopStop::kStepLimit);
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(calls, 2);
  // user, (assistant, result) x 2: the last results are kept, ready for a next request.
  ASSERT_EQ(result.conversation.size(), 5u);
  EXPECT_EQ(result.conversation.messages().back().content, "2");
  EXPECT_TRUE(result.conversation.PendingToolCalls().empty());
}

TEST_P(ToolRunnerTest, ACancelMidStreamStopsWithTheConversationSoFar) {
  ASSERT_TRUE(server_.ok());
  int steps_started = 0;
  ToolRunResult result =
      RunTools(ClientFor("tool_steps=2"), Hello("Weather?"), {Returning("weather", "sunny")},
               {.on_event = [&](const ToolLoopEvent& e) {
                 if (e.kind == ToolLoopEvent::Kind::kStepStart) ++steps_started;
                 // Step 2's first tool call: stop while that step streams.
                 return !(e.step == 2 && e.kind == ToolLoopEvent::Kind::kEvent &&
                          e.event->kind == EventKind::kToolCallStart);
               }});
  EXPECT_EQ(result.stop, LoopStop::kAborted);
  EXPECT_EQ(result.error.code, ErrorCode::kAborted);
  EXPECT_EQ(steps_started, 2);
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(result.steps[1].error.code, ErrorCode::kAborted);
  // Step 1 and its result are kept; the cancelled step 2 is not appended.
  ASSERT_EQ(result.conversation.size(), 3u);
  EXPECT_EQ(result.conversation.messages()[2].content, "sunny");
}

TEST_P(ToolRunnerTest, ACancelWhileToolsRunAnswersTheRestCancelled) {
  ASSERT_TRUE(server_.ok());
  std::stop_source stop;
  std::mutex mutex;
  std::condition_variable changed;
  bool weather_reported = false;  // the loop reported weather's result
  bool time_reported = false;     // the loop reported time's (cancelled) result
  const auto wait_for = [&](const bool& flag) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::seconds(10), [&] { return flag; });
  };
  std::vector<Tool> tools = {Returning("weather", "sunny"),
                             {.definition = {.name = "time", .parameters_json = kCitySchema},
                              .run = [&](const ToolCallRequest&) {
                                wait_for(weather_reported);
                                stop.request_stop();  // the user cancels while this tool runs
                                wait_for(time_reported);
                                return ToolOutcome{.output = "too late"};
                              }}};
  std::vector<std::string> outcomes;
  ToolRunResult result =
      RunTools(ClientFor("tool_steps=1; tool_call=2"), Hello("Weather?"), tools,
               {.on_event =
                    [&](const ToolLoopEvent& e) {
                      if (e.kind == ToolLoopEvent::Kind::kToolResult) {
                        outcomes.push_back(e.outcome->output);
                        std::lock_guard lock(mutex);
                        (e.call->name == "time" ? time_reported : weather_reported) = true;
                        changed.notify_all();
                      }
                      return true;
                    },
                .stop = stop.get_token()});
  EXPECT_EQ(result.stop, LoopStop::kAborted);
  EXPECT_EQ(result.error.code, ErrorCode::kAborted);
  ASSERT_EQ(result.conversation.size(), 4u);
  const auto& m = result.conversation.messages();
  EXPECT_EQ(m[2].content, "sunny");
  EXPECT_FALSE(m[2].is_error);
  EXPECT_EQ(m[3].content, "tool 'time' was cancelled");
  EXPECT_TRUE(m[3].is_error);
  EXPECT_TRUE(result.conversation.PendingToolCalls().empty());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"sunny", "tool 'time' was cancelled"}));
}

INSTANTIATE_TEST_SUITE_P(ChatAndMessages, ToolRunnerTest,
                         ::testing::Values(WireApi::kChatCompletions, WireApi::kAnthropicMessages),
                         [](const ::testing::TestParamInfo<WireApi>& param_info) {
                           return std::string(WireApiName(param_info.param));
                         });

}  // namespace
}  // namespace llmstream
