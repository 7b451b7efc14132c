// The decisions of a tool-calling loop, without I/O: which calls to run, what goes back for the
// ones that cannot run, the next request, when to stop. A platform runner (the native
// RunTools, llmstream/tool_runner.h; the npm package's `tools: {name: {execute}}`) streams each
// step and runs the tools; this class keeps the conversation and decides.
//
//   ToolLoop loop(config, request, {"weather", "time"});
//   while (!loop.done()) {
//     Completion completion = StreamIt(config, loop.NextRequest());   // step loop.step()
//     for (const ToolCallRequest& call : loop.OnStepEnd(completion)) {
//       std::optional<ToolOutcome> refused = loop.Check(call);        // unknown tool, bad JSON
//       loop.OnToolOutcome(call.id, refused ? *refused : Run(call));  // in parallel, any order
//     }
//   }
//   loop.stop();  // kFinalAnswer, kStepLimit, kAborted or kError; loop.conversation() holds it
//
// The conversation is always one a provider accepts: a step that failed or was cancelled is not
// appended (its partial completion is in steps()), and every call of an appended turn gets a
// result (an error result when its tool was cancelled). Tool errors go back to the model as
// error results (Message::is_error), never as a failure of the loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/completion.h"
#include "llmstream/conversation.h"
#include "llmstream/request.h"

namespace llmstream {

// The step limit when none is given: the model is called at most this many times (openai-node's
// runTools allows 10 model calls by default). The npm package's `maxSteps` default (abi.js).
inline constexpr int kDefaultMaxSteps = 10;

// What a tool call gives back to the model: its output, or why it failed (is_error).
struct ToolOutcome {
  std::string output{};
  bool is_error = false;
};

// Why a loop stopped.
enum class LoopStop : uint8_t {
  kRunning = 0,      // not stopped
  kFinalAnswer = 1,  // a step ended without function calls
  kStepLimit = 2,    // max_steps steps ran, the last one's calls answered
  kAborted = 3,      // cancelled: the stream or the running tools
  kError = 4,        // a step's stream failed (its error in the step's completion)
};
// "running", "final_answer", "step_limit", "aborted", "error" (the npm result's `stopReason`).
std::string_view LoopStopName(LoopStop stop);

// The error results the loop sends back instead of running a tool. Templates shared with the
// npm package (abi.js TOOL_LOOP.messages), `{name}`, `{tools}` and `{why}` filled in.
inline constexpr std::string_view kUnknownToolMessage =
    "unknown tool '{name}' (the tools: {tools})";
inline constexpr std::string_view kInvalidArgumentsMessage =
    "the arguments of '{name}' are not a JSON object: {why}";
inline constexpr std::string_view kToolFailedMessage = "tool '{name}' failed: {why}";
inline constexpr std::string_view kToolCancelledMessage = "tool '{name}' was cancelled";
// `message` with each `{key}` replaced by its value (unknown keys stay as they are).
std::string FillToolMessage(std::string_view message, std::string_view name,
                            std::string_view tools = {}, std::string_view why = {});

// Adds `step` to `sum` (each count that either has; estimated when either is).
void AddUsage(Usage* sum, const Usage& step);
// Adds `step` to `sum` (the least trusted source of the two, the first price date).
void AddCost(Cost* sum, const Cost& step);

class ToolLoop {
 public:
  // `request` is the first step's: its prompt becomes a user turn after its messages, and every
  // step sends its other options (system, tools, model ...) again. `tool_names`: the tools that
  // can run; a call to any other name gets kUnknownToolMessage. max_steps < 1 counts as 1.
  ToolLoop(ProviderConfig config, CompletionRequest request, std::vector<std::string> tool_names,
           int max_steps = kDefaultMaxSteps);

  // The request of step step(): the first request's options, the conversation as its messages.
  CompletionRequest NextRequest() const;
  // The step NextRequest is for (1, 2, ...); after the end, the last step that ran.
  int step() const { return step_; }
  int max_steps() const { return max_steps_; }

  // nullopt: run the call's tool. Else the error result to send back without running it: the
  // name is no tool of the loop, or the arguments are not a JSON object ("" counts as {}).
  std::optional<ToolOutcome> Check(const ToolCallRequest& call) const;

  // The end of step step(). A failed step (completion.error) stops the loop (kAborted for a
  // cancel, else kError) and is not appended. Else its turn is appended (choice 0) and the
  // function calls it made are returned, each owed an OnToolOutcome; none: kFinalAnswer.
  std::vector<ToolCallRequest> OnStepEnd(const Completion& completion);
  // The outcome of one call of the last step, in any order. When every call has one, the results
  // are appended in the calls' order and the loop goes on to the next step, or stops at
  // max_steps (kStepLimit). Unknown ids and second outcomes are ignored.
  void OnToolOutcome(std::string_view tool_call_id, ToolOutcome outcome);
  // Cancels: the calls still owed an outcome get kToolCancelledMessage (so the conversation
  // stays one a provider accepts) and the loop stops with kAborted. No-op once done.
  void Abort();

  bool done() const { return stop_ != LoopStop::kRunning; }
  LoopStop stop() const { return stop_; }
  // The calls of the last step still owed an outcome.
  const std::vector<ToolCallRequest>& pending() const { return pending_; }
  const Conversation& conversation() const { return conversation_; }
  // Every step's completion, failed ones included.
  const std::vector<Completion>& steps() const { return steps_; }
  // Summed over the steps.
  const Usage& usage() const { return usage_; }
  const Cost& cost() const { return cost_; }

 private:
  void AppendResults();

  ProviderConfig config_;
  CompletionRequest request_;  // without prompt and messages: they are in conversation_
  std::vector<std::string> tool_names_;
  int max_steps_;
  int step_ = 1;
  LoopStop stop_ = LoopStop::kRunning;
  Conversation conversation_;
  std::vector<Completion> steps_;
  std::vector<ToolCallRequest> pending_;
  std::vector<std::optional<ToolOutcome>> outcomes_;  // pending_'s, by index
  Usage usage_;
  Cost cost_;
};

}  // namespace llmstream
