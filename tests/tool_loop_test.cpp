// ToolLoop (llmstream/tool_loop.h): the loop's decisions on completions written by hand, and the
// Message JSON of the npm package (hand-written expected text).
#include "llmstream/tool_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmstream/to_json.h"

namespace llmstream {
namespace {

const ProviderConfig kConfig{.provider = Provider::kLocal};

ToolCall Call(std::string id, std::string name, std::string arguments) {
  return ToolCall{.id = std::move(id),
                  .type = "function",
                  .name = std::move(name),
                  .arguments = std::move(arguments),
                  .complete = true,
                  .arguments_valid = true};
}

Completion Step(std::string text, std::vector<ToolCall> calls, int64_t in = 10, int64_t out = 5) {
  Completion c;
  Choice choice;
  choice.role = "assistant";
  choice.text = std::move(text);
  choice.tool_calls = std::move(calls);
  choice.finish_reason = choice.tool_calls.empty() ? "stop" : "tool_calls";
  c.choices.push_back(std::move(choice));
  c.usage.input_tokens = in;
  c.usage.output_tokens = out;
  c.cost.total_usd = 0.5;
  c.cost.input_usd = 0.25;
  c.cost.output_usd = 0.25;
  c.cost.source = CostSource::kPriceTable;
  c.finished = true;
  return c;
}

TEST(ToolLoop, RunsStepsUntilAFinalAnswerAndSumsUsage) {
  ToolLoop loop(kConfig, {.model = "m", .prompt = "Weather?"}, {"weather", "time"});
  EXPECT_EQ(loop.step(), 1);
  CompletionRequest first = loop.NextRequest();
  EXPECT_TRUE(first.prompt.empty());
  ASSERT_EQ(first.messages.size(), 1u);
  EXPECT_EQ(first.messages[0].role, "user");
  EXPECT_EQ(first.messages[0].content, "Weather?");

  auto calls = loop.OnStepEnd(
      Step("", {Call("c1", "weather", R"({"city":"Paris"})"), Call("c2", "time", "")}));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(loop.Check(calls[0]));
  EXPECT_FALSE(loop.Check(calls[1]));  // "" counts as {}
  // Outcomes in another order than the calls: the results follow the calls' order.
  loop.OnToolOutcome("c2", {.output = "noon"});
  EXPECT_EQ(loop.step(), 1);
  loop.OnToolOutcome("c1", {.output = "sunny"});
  EXPECT_EQ(loop.step(), 2);
  EXPECT_FALSE(loop.done());
  CompletionRequest second = loop.NextRequest();
  ASSERT_EQ(second.messages.size(), 4u);
  EXPECT_EQ(second.messages[1].role, "assistant");
  ASSERT_EQ(second.messages[1].tool_calls.size(), 2u);
  EXPECT_EQ(second.messages[2].tool_call_id, "c1");
  EXPECT_EQ(second.messages[2].content, "sunny");
  EXPECT_EQ(second.messages[3].tool_call_id, "c2");
  EXPECT_EQ(second.messages[3].content, "noon");

  EXPECT_TRUE(loop.OnStepEnd(Step("Sunny at noon.", {}, 20, 7)).empty());
  EXPECT_EQ(loop.stop(), LoopStop::kFinalAnswer);
  EXPECT_EQ(loop.conversation().size(), 5u);
  EXPECT_EQ(loop.steps().size(), 2u);
  EXPECT_EQ(loop.usage().input_tokens, 30);
  EXPECT_EQ(loop.usage().output_tokens, 12);
  EXPECT_EQ(loop.usage().Total(), 42);
  EXPECT_DOUBLE_EQ(loop.cost().total_usd, 1.0);
  EXPECT_EQ(loop.cost().source, CostSource::kPriceTable);
}

TEST(ToolLoop, UnknownToolsAndArgumentsThatAreNoObjectGoBackAsErrorResults) {
  ToolLoop loop(kConfig, {.prompt = "x"}, {"weather", "time"});
  auto unknown = loop.Check({.id = "c", .name = "ghost", .arguments = "{}"});
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->is_error);
  EXPECT_EQ(unknown->output, "unknown tool 'ghost' (the tools: weather, time)");
  auto cut = loop.Check({.id = "c", .name = "weather", .arguments = R"({"city":"Par)"});
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->output, "the arguments of 'weather' are not a JSON object: not valid JSON");
  EXPECT_EQ(loop.Check({.name = "time", .arguments = "[1]"})->output,
            "the arguments of 'time' are not a JSON object: a JSON array");
  EXPECT_EQ(loop.Check({.name = "time", .arguments = "null"})->output,
            "the arguments of 'time' are not a JSON object: null");
}

TEST(ToolLoop, StopsAtTheStepLimitWithTheLastResultsAppended) {
  ToolLoop loop(kConfig, {.prompt = "x"}, {"t"}, 2);
  loop.OnStepEnd(Step("", {Call("a", "t", "{}")}));
  loop.OnToolOutcome("a", {.output = "1"});
  EXPECT_EQ(loop.step(), 2);
  loop.OnStepEnd(Step("", {Call("b", "t", "{}")}));
  loop.OnToolOutcome("b", {.output = "2"});
  EXPECT_EQ(loop.stop(), LoopStop::kStepLimit);
  EXPECT_EQ(loop.conversation().messages().back().content, "2");
  EXPECT_EQ(loop.step(), 2);
}

TEST(ToolLoop, AFailedStepStopsAndIsNotAppended) {
  ToolLoop loop(kConfig, {.prompt = "x"}, {"t"});
  Completion failed = Step("partial", {});
  failed.error.code = ErrorCode::kProviderError;
  failed.error.message = "boom";
  EXPECT_TRUE(loop.OnStepEnd(failed).empty());
  EXPECT_EQ(loop.stop(), LoopStop::kError);
  EXPECT_EQ(loop.conversation().size(), 1u);
  ASSERT_EQ(loop.steps().size(), 1u);
  EXPECT_EQ(loop.steps()[0].text(), "partial");

  ToolLoop cancelled(kConfig, {.prompt = "x"}, {"t"});
  failed.error.code = ErrorCode::kAborted;
  cancelled.OnStepEnd(failed);
  EXPECT_EQ(cancelled.stop(), LoopStop::kAborted);
}

TEST(ToolLoop, AbortWhileToolsRunAnswersTheRestCancelled) {
  ToolLoop loop(kConfig, {.prompt = "x"}, {"t"});
  loop.OnStepEnd(Step("", {Call("a", "t", "{}"), Call("b", "t", "{}")}));
  loop.OnToolOutcome("b", {.output = "done"});
  loop.Abort();
  EXPECT_EQ(loop.stop(), LoopStop::kAborted);
  const auto& m = loop.conversation().messages();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[2].tool_call_id, "a");
  EXPECT_TRUE(m[2].is_error);
  EXPECT_EQ(m[2].content, "tool 't' was cancelled");
  EXPECT_EQ(m[3].content, "done");
  EXPECT_FALSE(m[3].is_error);
  EXPECT_TRUE(loop.conversation().PendingToolCalls().empty());
}

TEST(ToolLoop, NamesAndTemplates) {
  EXPECT_EQ(LoopStopName(LoopStop::kFinalAnswer), "final_answer");
  EXPECT_EQ(LoopStopName(LoopStop::kStepLimit), "step_limit");
  EXPECT_EQ(FillToolMessage("{name}/{tools}/{why}/{other}", "n", "t", "w"), "n/t/w/{other}");
}

TEST(MessageJson, WritesTheNpmMessageShapeLeavingEmptyMembersOut) {
  Message turn{.role = "assistant", .content = "Hi"};
  turn.parts = {
      MessagePart{
          .kind = PartKind::kReasoning, .text = "think", .signature = "sig", .type = "thinking"},
      MessagePart{.kind = PartKind::kText, .text = "Hi", .type = "text"},
      MessagePart{.kind = PartKind::kToolCall,
                  .type = "tool_use",
                  .tool_call = {.id = "toolu_1", .name = "t", .arguments = R"({"a":1})"}}};
  turn.tool_calls = {turn.parts[2].tool_call};
  turn.origin = MessageOrigin{.provider = Provider::kAnthropic, .api = WireApi::kAnthropicMessages};
  std::string out;
  AppendJson(&out, turn);
  EXPECT_EQ(out, R"({"role":"assistant","content":"Hi","toolCalls":[{"id":"toolu_1","name":"t",)"
                 R"("arguments":"{\"a\":1}"}],"parts":[{"type":"reasoning","text":"think",)"
                 R"("signature":"sig","blockType":"thinking"},{"type":"text","text":"Hi",)"
                 R"("blockType":"text"},{"type":"tool_call","blockType":"tool_use","toolCall":)"
                 R"({"id":"toolu_1","name":"t","arguments":"{\"a\":1}"}}],)"
                 R"("origin":{"provider":"anthropic","api":"anthropic_messages"}})");

  Message result{.role = "tool", .content = "no such city", .tool_call_id = "toolu_1"};
  result.is_error = true;
  out.clear();
  AppendJson(&out, result);
  EXPECT_EQ(out,
            R"({"role":"tool","content":"no such city","toolCallId":"toolu_1","isError":true})");
}

}  // namespace
}  // namespace llmstream
