// A streaming tool loop over the native Client: each step streams as it arrives (events with
// their step number), the function calls of a step run in parallel (one thread each) as soon as
// their arguments are complete, their results go back to the model, and the next step streams,
// until a final answer, the step limit, a cancel, or an error. The decisions are the core
// ToolLoop's (llmstream/tool_loop.h), the same rules as the npm package's `tools` loop.
//
//   std::vector<llmstream::Tool> tools = {
//       {.definition = {.name = "weather", .description = "Weather in a city",
//                       .parameters_json =
//                       R"({"type":"object","properties":{"city":{"type":"string"}}})"},
//        .run = [](const llmstream::ToolCallRequest& call) {
//          return llmstream::ToolOutcome{.output = LookUp(call.arguments)};
//        }}};
//   llmstream::ToolRunResult result = llmstream::RunTools(
//       client, {.prompt = "Weather in Paris and Rome?"}, tools,
//       {.on_event = [](const llmstream::ToolLoopEvent& e) {
//         if (e.kind == llmstream::ToolLoopEvent::Kind::kEvent &&
//             e.event->kind == llmstream::EventKind::kText) std::cout << e.event->text;
//         return true;  // false cancels
//       }});
//   result.stop;           // kFinalAnswer, kStepLimit, kAborted, kError
//   result.conversation;   // every turn, ready for the next request
//
// A tool that throws, a call to an unknown tool and arguments that are not a JSON object go back
// to the model as error results (Message::is_error), not as failures. Nothing else throws: an
// exception from on_event stops the loop (running tools are joined) and is rethrown.
#pragma once

#include <functional>
#include <stop_token>
#include <string_view>
#include <vector>

#include "llmstream/client.h"
#include "llmstream/tool_loop.h"

namespace llmstream {

// A tool the model may call: its definition (sent with every step) and the function that runs
// it, on a thread of its own. `run` may be called concurrently with itself (parallel calls of
// one tool). Long-running tools should watch ToolRunOptions::stop.
struct Tool {
  ToolDefinition definition{};
  std::function<ToolOutcome(const ToolCallRequest&)> run{};
};

// What the loop reports, on the thread that called RunTools, in order.
struct ToolLoopEvent {
  enum class Kind : uint8_t {
    kStepStart = 0,   // step `step` is about to be requested
    kEvent = 1,       // `event`: one event of the step's stream (as Client::StreamCompletion)
    kToolResult = 2,  // `call` has its `outcome` (as it finished; an error result included)
    kStepEnd = 3,     // `completion`: the step's assembled completion (failed ones too)
  };
  Kind kind = Kind::kStepStart;
  int step = 1;
  const Event* event = nullptr;
  const ToolCallRequest* call = nullptr;
  const ToolOutcome* outcome = nullptr;
  const Completion* completion = nullptr;
};

struct ToolRunOptions {
  // The model is called at most this many times.
  int max_steps = kDefaultMaxSteps;
  // Every ToolLoopEvent; returning false cancels the loop (kAborted). May be empty.
  std::function<bool(const ToolLoopEvent&)> on_event{};
  // Cancels the loop from any thread: the stream is closed, running tools are told through this
  // same token (pass it to them) and joined, calls without a result get a "cancelled" error
  // result.
  std::stop_token stop{};
};

struct ToolRunResult {
  Conversation conversation;      // the request's turns and every appended step, with results
  std::vector<Completion> steps;  // each step's completion, a failed last one included
  LoopStop stop = LoopStop::kRunning;
  Error error;  // the failed step's error (kError), or the cancel (kAborted); else none
  Usage usage;  // summed over the steps
  Cost cost;    // summed over the steps
  // The last step's answer text ("" when no step ran).
  std::string_view text() const { return steps.empty() ? std::string_view() : steps.back().text(); }
};

// Runs the loop. `request.tools` gets the definitions of `tools` appended (definitions already
// there stay: the model may call them, and those calls get an unknown-tool error result).
ToolRunResult RunTools(const Client& client, CompletionRequest request,
                       const std::vector<Tool>& tools, const ToolRunOptions& options = {});

}  // namespace llmstream
