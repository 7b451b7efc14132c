// RunTools: the native tool loop (llmstream/tool_runner.h). The core ToolLoop decides; this file
// streams the steps through the Client and runs the calls on threads.
#include "llmstream/tool_runner.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace llmstream {
namespace {

const Tool* FindTool(const std::vector<Tool>& tools, std::string_view name) {
  for (const Tool& tool : tools) {
    if (tool.definition.name == name && tool.run) return &tool;
  }
  return nullptr;
}

ToolOutcome RunOne(const Tool& tool, const ToolCallRequest& call) {
  try {
    return tool.run(call);
  } catch (const std::exception& e) {
    return {FillToolMessage(kToolFailedMessage, call.name, {}, e.what()), true};
  } catch (...) {
    return {FillToolMessage(kToolFailedMessage, call.name, {}, "an exception"), true};
  }
}

// The calls of one step: started as soon as their arguments are complete, each on a thread,
// their outcomes collected for the loop's thread. Joins every thread it started on destruction.
class StepCalls {
 public:
  StepCalls(const ToolLoop& loop, const std::vector<Tool>& tools) : loop_(loop), tools_(tools) {}
  ~StepCalls() { threads_.clear(); }  // std::jthread joins

  // Starts `call` unless it was started already (by id).
  void Start(const ToolCallRequest& call) {
    std::lock_guard lock(mutex_);
    for (const Call& c : calls_) {
      if (!call.id.empty() && c.request.id == call.id) return;
    }
    const size_t index = calls_.size();
    calls_.push_back(Call{.request = call});
    if (std::optional<ToolOutcome> refused = loop_.Check(call)) {
      calls_[index].outcome = std::move(*refused);
      return;
    }
    const Tool* tool = FindTool(tools_, call.name);
    threads_.emplace_back([this, tool, call, index] {
      ToolOutcome outcome = RunOne(*tool, call);
      std::lock_guard done(mutex_);
      calls_[index].outcome = std::move(outcome);
      ready_.notify_all();
    });
  }

  // Waits for the next outcome not yet taken (true), or for `stop` (false); *call / *outcome get
  // copies. Returns false too when every call was taken.
  bool Next(const std::stop_token& stop, ToolCallRequest* call, ToolOutcome* outcome) {
    // Registered before the lock: a stop already requested runs the callback right here.
    std::stop_callback wake(stop, [this] {
      std::lock_guard inner(mutex_);
      ready_.notify_all();
    });
    std::unique_lock lock(mutex_);
    for (;;) {
      bool waiting = false;
      for (Call& c : calls_) {
        if (c.taken) continue;
        if (!c.outcome) {
          waiting = true;
          continue;
        }
        c.taken = true;
        *call = c.request;
        *outcome = *c.outcome;
        return true;
      }
      if (!waiting || stop.stop_requested()) return false;
      ready_.wait(lock);
    }
  }

 private:
  struct Call {
    ToolCallRequest request;
    std::optional<ToolOutcome> outcome{};
    bool taken = false;
  };
  const ToolLoop& loop_;
  const std::vector<Tool>& tools_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Call> calls_;
  std::vector<std::jthread> threads_;  // last: joined before the state they use goes
};

// The function call that just ended, from the assembled result (its kind: server tools are the
// provider's own, nothing to run).
std::optional<ToolCallRequest> EndedCall(const CompletionStream& stream, const Event& event) {
  if (event.kind != EventKind::kToolCallEnd || event.choice != 0 || event.id.empty()) {
    return std::nullopt;
  }
  const Choice* choice = stream.result().FindChoice(0);
  if (choice == nullptr) return std::nullopt;
  for (const ToolCall& call : choice->tool_calls) {
    if (call.id != event.id) continue;
    if (call.kind != ToolKind::kFunction) return std::nullopt;
    return ToolCallRequest{.id = call.id, .name = call.name, .arguments = call.arguments};
  }
  return std::nullopt;
}

}  // namespace

ToolRunResult RunTools(const Client& client, CompletionRequest request,
                       const std::vector<Tool>& tools, const ToolRunOptions& options) {
  std::vector<std::string> names;
  for (const Tool& tool : tools) {
    request.tools.push_back(tool.definition);
    if (tool.run) names.push_back(tool.definition.name);
  }
  ToolLoop loop(client.options().provider, std::move(request), std::move(names), options.max_steps);
  // on_event's false and options.stop both end here.
  std::stop_source cancel;
  std::stop_callback forward(options.stop, [&cancel] { cancel.request_stop(); });
  const auto emit = [&](ToolLoopEvent e) {
    if (options.on_event && !options.on_event(e)) cancel.request_stop();
  };
  while (!loop.done()) {
    if (cancel.stop_requested()) {  // cancelled between steps: no request for the next one
      loop.Abort();
      break;
    }
    const int step = loop.step();
    emit({.kind = ToolLoopEvent::Kind::kStepStart, .step = step});
    StepCalls calls(loop, tools);
    Completion completion;
    {
      CompletionStream stream = client.StreamCompletion(loop.NextRequest());
      std::stop_callback close(cancel.get_token(), [&stream] { stream.Cancel(); });
      while (const Event* event = stream.Next()) {
        emit({.kind = ToolLoopEvent::Kind::kEvent, .step = step, .event = event});
        if (std::optional<ToolCallRequest> call = EndedCall(stream, *event)) calls.Start(*call);
      }
      completion = stream.result();
    }
    emit({.kind = ToolLoopEvent::Kind::kStepEnd, .step = step, .completion = &completion});
    for (const ToolCallRequest& call : loop.OnStepEnd(completion)) calls.Start(call);
    ToolCallRequest call;
    ToolOutcome outcome;
    std::vector<std::string> answered;
    while (!loop.done() && calls.Next(cancel.get_token(), &call, &outcome)) {
      emit({.kind = ToolLoopEvent::Kind::kToolResult,
            .step = step,
            .call = &call,
            .outcome = &outcome});
      answered.push_back(call.id);
      loop.OnToolOutcome(call.id, std::move(outcome));
    }
    if (!loop.done() && cancel.stop_requested()) {
      // Cancelled while tools ran: the calls without a result answer "cancelled".
      const std::vector<ToolCallRequest> owed = loop.pending();
      loop.Abort();
      for (const ToolCallRequest& c : owed) {
        if (std::find(answered.begin(), answered.end(), c.id) != answered.end()) continue;
        ToolOutcome cancelled{FillToolMessage(kToolCancelledMessage, c.name), true};
        emit({.kind = ToolLoopEvent::Kind::kToolResult,
              .step = step,
              .call = &c,
              .outcome = &cancelled});
      }
    }
    // A step that stopped the loop while its calls still run (an error, the step limit ...):
    // `calls` joins them here; their outcomes are not needed.
  }
  ToolRunResult result;
  result.conversation = loop.conversation();
  result.steps = loop.steps();
  result.stop = loop.stop();
  result.usage = loop.usage();
  result.cost = loop.cost();
  if (!result.steps.empty()) result.error = result.steps.back().error;
  if (result.stop == LoopStop::kAborted && !result.error) {
    result.error.code = ErrorCode::kAborted;
    result.error.message = "the tool loop was cancelled";
  }
  return result;
}

}  // namespace llmstream
