// ToolLoop: the sans-I/O decisions of a tool-calling loop (llmstream/tool_loop.h).
#include "llmstream/tool_loop.h"

#include <algorithm>
#include <utility>

#include "request/request_internal.h"

namespace llmstream {
namespace {

// The most keys an arguments object may hold before it counts as not one (a bound on the parse,
// as for every text from outside).
constexpr size_t kMaxArgumentKeys = 4096;

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? std::string("none") : out;
}

// Why `arguments` is not a JSON object, or "" when it is one ("" counts as {}).
std::string NotAnObject(std::string_view arguments) {
  if (arguments.empty()) return "";
  request_internal::Json value;
  if (request_internal::ParseUntrustedJson(arguments, kMaxArgumentKeys, &value) !=
      request_internal::UntrustedJson::kOk) {
    return "not valid JSON";
  }
  if (value.is_object()) return "";
  if (value.is_null()) return "null";
  return std::string("a JSON ") + value.type_name();  // array, string, number, boolean
}

}  // namespace

std::string_view LoopStopName(LoopStop stop) {
  switch (stop) {
    case LoopStop::kRunning:
      return "running";
    case LoopStop::kFinalAnswer:
      return "final_answer";
    case LoopStop::kStepLimit:
      return "step_limit";
    case LoopStop::kAborted:
      return "aborted";
    case LoopStop::kError:
      return "error";
  }
  return "unknown";
}

std::string FillToolMessage(std::string_view message, std::string_view name, std::string_view tools,
                            std::string_view why) {
  const std::pair<std::string_view, std::string_view> values[] = {
      {"{name}", name}, {"{tools}", tools}, {"{why}", why}};
  std::string out;
  for (size_t i = 0; i < message.size();) {
    bool replaced = false;
    for (const auto& [key, value] : values) {
      if (message.substr(i, key.size()) == key) {
        out.append(value);
        i += key.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(message[i++]);
  }
  return out;
}

void AddUsage(Usage* sum, const Usage& step) {
  const auto add = [](std::optional<int64_t>* total, const std::optional<int64_t>& value) {
    if (value) *total = total->value_or(0) + *value;
  };
  // Each step's total as the provider reported it, else its input + output (Usage::Total).
  if (!step.empty()) sum->total_tokens = sum->Total() + step.Total();
  add(&sum->input_tokens, step.input_tokens);
  add(&sum->output_tokens, step.output_tokens);
  add(&sum->cached_input_tokens, step.cached_input_tokens);
  add(&sum->cache_write_tokens, step.cache_write_tokens);
  add(&sum->reasoning_tokens, step.reasoning_tokens);
  if (step.reported_cost_usd) {
    sum->reported_cost_usd = sum->reported_cost_usd.value_or(0) + *step.reported_cost_usd;
  }
  sum->estimated = sum->estimated || step.estimated;
}

void AddCost(Cost* sum, const Cost& step) {
  sum->total_usd += step.total_usd;
  sum->input_usd += step.input_usd;
  sum->cached_input_usd += step.cached_input_usd;
  sum->cache_write_usd += step.cache_write_usd;
  sum->output_usd += step.output_usd;
  // CostSource is in decreasing order of trust: the sum is as trusted as its least trusted part.
  sum->source = std::max(sum->source, step.source);
  if (sum->price_date.empty()) sum->price_date = step.price_date;
}

ToolLoop::ToolLoop(ProviderConfig config, CompletionRequest request,
                   std::vector<std::string> tool_names, int max_steps)
    : config_(std::move(config)),
      request_(std::move(request)),
      tool_names_(std::move(tool_names)),
      max_steps_(std::max(max_steps, 1)),
      conversation_(std::move(request_.messages)) {
  request_.messages.clear();
  if (!request_.prompt.empty()) conversation_.AppendUser(std::move(request_.prompt));
  request_.prompt.clear();
}

CompletionRequest ToolLoop::NextRequest() const {
  CompletionRequest request = request_;
  request.messages = conversation_.messages();
  return request;
}

std::optional<ToolOutcome> ToolLoop::Check(const ToolCallRequest& call) const {
  if (std::find(tool_names_.begin(), tool_names_.end(), call.name) == tool_names_.end()) {
    return ToolOutcome{FillToolMessage(kUnknownToolMessage, call.name, Joined(tool_names_)), true};
  }
  if (std::string why = NotAnObject(call.arguments); !why.empty()) {
    return ToolOutcome{FillToolMessage(kInvalidArgumentsMessage, call.name, {}, why), true};
  }
  return std::nullopt;
}

std::vector<ToolCallRequest> ToolLoop::OnStepEnd(const Completion& completion) {
  if (done() || !pending_.empty()) return {};
  steps_.push_back(completion);
  AddUsage(&usage_, completion.usage);
  AddCost(&cost_, completion.cost);
  if (completion.error) {
    stop_ = completion.error.code == ErrorCode::kAborted ? LoopStop::kAborted : LoopStop::kError;
    return {};
  }
  conversation_.Append(completion, config_);
  pending_ = conversation_.PendingToolCalls();
  outcomes_.assign(pending_.size(), std::nullopt);
  if (pending_.empty()) stop_ = LoopStop::kFinalAnswer;
  return pending_;
}

void ToolLoop::OnToolOutcome(std::string_view tool_call_id, ToolOutcome outcome) {
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i].id != tool_call_id || outcomes_[i]) continue;
    outcomes_[i] = std::move(outcome);
    break;
  }
  if (pending_.empty() || !std::all_of(outcomes_.begin(), outcomes_.end(),
                                       [](const auto& o) { return o.has_value(); })) {
    return;
  }
  AppendResults();
  if (step_ >= max_steps_) {
    stop_ = LoopStop::kStepLimit;
  } else {
    ++step_;
  }
}

void ToolLoop::Abort() {
  if (done()) return;
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!outcomes_[i]) {
      outcomes_[i] = ToolOutcome{FillToolMessage(kToolCancelledMessage, pending_[i].name), true};
    }
  }
  AppendResults();
  stop_ = LoopStop::kAborted;
}

void ToolLoop::AppendResults() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    conversation_.AppendToolResult(pending_[i].id, std::move(outcomes_[i]->output),
                                   outcomes_[i]->is_error);
  }
  pending_.clear();
  outcomes_.clear();
}

}  // namespace llmstream
