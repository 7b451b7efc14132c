#include "cli/printer.h"

#include <string>

#include "llmstream/to_json.h"

namespace llmstream::cli {
namespace {

std::string FormatMs(int64_t ms) {
  char buffer[32];
  if (ms < 1000) {
    std::snprintf(buffer, sizeof(buffer), "%lld ms", static_cast<long long>(ms));
  } else {
    std::snprintf(buffer, sizeof(buffer), "%g s", static_cast<double>(ms) / 1000);
  }
  return buffer;
}

}  // namespace

std::string DescribeError(const Error& error) {
  std::string line(ErrorCodeName(error.code));
  line += ": ";
  line += error.message.empty() ? "(no message)" : error.message;
  // Classified HTTP errors already say "HTTP 429 from ..." in the message: no need to repeat it.
  std::string detail;
  const std::string status = "HTTP " + std::to_string(error.http_status);
  if (error.http_status != 0 && error.message.find(status) == std::string::npos) detail = status;
  if (error.retry_after_ms) {
    if (!detail.empty()) detail += ", ";
    detail += "retry after " + FormatMs(*error.retry_after_ms);
  }
  if (!detail.empty()) line += " (" + detail + ")";
  // One line: providers' messages sometimes carry newlines.
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

Printer::Printer(PrinterOptions options, const SecretScrubber& scrubber, std::FILE* out,
                 std::FILE* err)
    : options_(options), scrubber_(scrubber), out_(out), err_(err) {}

void Printer::Out(std::string_view text) {
  if (text.empty()) return;
  if (options_.json) {
    std::string clean = scrubber_.Scrubbed(text);
    EscapeJsonControls(&clean);
    WriteOut(clean);
    return;
  }
  out_secrets_.Push(text);
  std::string safe;
  out_filter_.Push(out_secrets_.TakeBytes(), &safe);
  WriteOut(safe);
}

void Printer::WriteOut(std::string_view bytes) {
  if (bytes.empty()) return;
  std::fwrite(bytes.data(), 1, bytes.size(), out_);
  out_mid_line_ = bytes.back() != '\n';
}

void Printer::WriteReasoning(std::string_view bytes) {
  if (bytes.empty()) return;
  if (options_.dim_reasoning) std::fputs("\033[2m", err_);
  std::fwrite(bytes.data(), 1, bytes.size(), err_);
  if (options_.dim_reasoning) std::fputs("\033[0m", err_);
  err_mid_line_ = bytes.back() != '\n';
}

// Straight to the output, not through the filter: the line break is ours, and whatever the filter
// holds back (a CR, part of a character) still belongs to the answer's next piece.
void Printer::EndOutLine() {
  if (out_mid_line_) WriteOut("\n");
}

void Printer::EndErrLine() {
  if (err_mid_line_) {
    std::fputc('\n', err_);
    err_mid_line_ = false;
  }
}

void Printer::Message(std::string_view level, std::string_view text) {
  // On a shared terminal the message would otherwise continue the answer's line. Through a pipe
  // stdout stays byte-exact.
  if (options_.stdout_is_tty) {
    EndOutLine();
    std::fflush(out_);
  }
  EndErrLine();
  // Upstream text (error bodies, warnings) may carry newlines, which could forge a line of its
  // own, and terminal controls.
  std::string body = scrubber_.Scrubbed(text);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  const std::string line =
      "llmstream: " + std::string(level) + ": " + NeutralizeControls(body) + "\n";
  std::fwrite(line.data(), 1, line.size(), err_);
  std::fflush(err_);
}

void Printer::Print(const Event& event) {
  if (event.kind == EventKind::kError && event.error) {
    Message("error", DescribeError(*event.error));
  }
  if (options_.json) {
    QueueJson(event);
    DrainJson(false);
    std::fflush(out_);
    return;
  }
  PrintText(event);
  std::fflush(out_);
}

void Printer::QueueJson(const Event& event) {
  HeldEvent& held = json_held_.emplace_back();
  held.event = event;
  held.text.assign(event.text);
  held.id.assign(event.id);
  held.name.assign(event.name);
  if (event.usage != nullptr) held.usage = *event.usage;
  if (event.cost != nullptr) held.cost = *event.cost;
  if (event.error != nullptr) held.error = *event.error;
  if (event.retry != nullptr) held.retry = *event.retry;
  std::optional<StreamKey> key;
  switch (event.kind) {
    case EventKind::kText:
    case EventKind::kRefusal:
      key = StreamKey{event.kind, event.choice, 0, 0};
      break;
    case EventKind::kReasoning:
      key = StreamKey{event.kind, event.choice, 0, event.part};
      break;
    case EventKind::kToolCallDelta:
      key = StreamKey{event.kind, event.choice, event.block, 0};
      break;
    default:
      break;
  }
  if (key) {
    held.stream = &json_streams_.try_emplace(*key, scrubber_).first->second;
    held.stream->Push(held.text);
  }
}

void Printer::DrainJson(bool all) {
  if (all) {
    for (auto& [key, stream] : json_streams_) stream.Finish();
  }
  while (!json_held_.empty()) {
    HeldEvent& held = json_held_.front();
    if (held.stream != nullptr) {
      if (!held.stream->PieceReady()) break;
      held.text = held.stream->TakePiece();  // same length, secrets masked
    }
    Event& event = held.event;
    event.text = held.text;
    event.id = held.id;
    event.name = held.name;
    event.usage = held.usage ? &*held.usage : nullptr;
    event.cost = held.cost ? &*held.cost : nullptr;
    event.error = held.error ? &*held.error : nullptr;
    event.retry = held.retry ? &*held.retry : nullptr;
    std::string line;
    AppendJson(&line, event);
    line.push_back('\n');
    Out(line);
    json_held_.pop_front();
  }
}

void Printer::PrintText(const Event& event) {
  switch (event.kind) {
    case EventKind::kText:
    case EventKind::kRefusal:
      EndErrLine();
      Out(event.text);
      break;
    case EventKind::kReasoning: {
      if (options_.quiet || event.text.empty()) break;
      const ReasoningPart part = event.reasoning_part();
      if (part != ReasoningPart::kText && part != ReasoningPart::kSummary) break;
      if (options_.stdout_is_tty) EndOutLine();
      std::fflush(out_);
      reasoning_secrets_.Push(event.text);
      std::string safe;
      reasoning_filter_.Push(reasoning_secrets_.TakeBytes(), &safe);
      WriteReasoning(safe);
      std::fflush(err_);
      break;
    }
    case EventKind::kToolCallEnd:
      EndErrLine();
      EndOutLine();
      Out("[tool call " + std::string(event.name) + " " + std::string(event.text) + "]\n");
      break;
    case EventKind::kWarning:
      if (!options_.quiet) Message("warning", event.text);
      break;
    case EventKind::kRetry:
      if (!options_.quiet) {
        const RetryInfo retry = event.retry ? *event.retry : RetryInfo{};
        std::string text = retry.continuation ? "continuing the partial answer" : "retrying";
        text += " (attempt " + std::to_string(retry.attempt + 1) + ", in " +
                FormatMs(retry.delay_ms) + ")";
        if (event.error) text += " after " + DescribeError(*event.error);
        Message("note", text);
      }
      break;
    case EventKind::kFinish:
      if (!options_.quiet && event.text == "length") {
        Message("warning", "the answer hit the output token limit (finish reason: length)");
      }
      break;
    default:
      break;
  }
}

void Printer::Finish() {
  DrainJson(true);
  std::string held;
  out_secrets_.Finish();
  out_filter_.Push(out_secrets_.TakeBytes(), &held);
  out_filter_.Flush(&held);
  WriteOut(held);
  if (!options_.json) EndOutLine();
  held.clear();
  reasoning_secrets_.Finish();
  reasoning_filter_.Push(reasoning_secrets_.TakeBytes(), &held);
  reasoning_filter_.Flush(&held);
  WriteReasoning(held);
  EndErrLine();
  std::fflush(out_);
  std::fflush(err_);
}

void Printer::PrintMetricsJson(const MetricsSummary& summary) {
  std::string json = ToJson(summary);
  // ToJson always returns an object: splice the type in front of its first member.
  json.replace(0, 1, "{\"type\":\"metrics\",");
  json.push_back('\n');
  Out(json);
  std::fflush(out_);
}

}  // namespace llmstream::cli
