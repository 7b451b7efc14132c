// What the user sees: events as text (stdout: the answer and tool calls; stderr: reasoning,
// warnings, retries, errors) or as JSON lines (--json). Flushes after every event so that the
// answer streams even through a pipe.
//
// Text mode never passes a control character through (terminal_text.h): the answer and the
// reasoning go through a ControlFilter each, messages are neutralized whole and kept on one line.
// --json lines are exact (DEL and C1 written as \u escapes).
//
// Secrets are masked however the deltas split them (secret_scrubber.h): the answer and the
// reasoning go through a SecretStream each; in --json the deltas of each stream (the answer, a
// refusal, reasoning, one tool call's arguments, per choice) go through one, and an event waits,
// with every event after it, until no later delta can make its text part of a secret. Events are
// never split or merged.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "cli/secret_scrubber.h"
#include "cli/terminal_text.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/metrics.h"

namespace llmstream::cli {

struct PrinterOptions {
  bool json = false;
  bool quiet = false;          // no reasoning, warnings, retry notices
  bool dim_reasoning = false;  // ANSI dim around reasoning (stderr is a tty, colour allowed)
  bool stdout_is_tty = false;  // end the answer's line before a message when both share a tty
};

class Printer {
 public:
  // `scrubber` must outlive the printer.
  Printer(PrinterOptions options, const SecretScrubber& scrubber, std::FILE* out = stdout,
          std::FILE* err = stderr);

  void Print(const Event& event);
  // Ends the answer with a newline if it did not end with one (text mode).
  void Finish();
  // One "llmstream: <level>: <text>" line on stderr (newlines in `text` become spaces).
  void Message(std::string_view level, std::string_view text);
  // The metrics summary as the last JSON line: {"type":"metrics",...}.
  void PrintMetricsJson(const MetricsSummary& summary);

 private:
  // An event owned until its JSON line can be written. `stream`: the SecretStream its text went
  // into (null: not a delta; its line is scrubbed whole).
  struct HeldEvent {
    Event event;  // its views are pointed at the members below when the line is written
    std::string text, id, name;
    std::optional<Usage> usage;
    std::optional<Cost> cost;
    std::optional<Error> error;
    std::optional<RetryInfo> retry;
    SecretStream* stream = nullptr;
  };
  using StreamKey = std::tuple<EventKind, uint32_t, uint32_t, uint8_t>;

  void PrintText(const Event& event);
  void QueueJson(const Event& event);
  // Writes the JSON lines of the held events that are decided (all of them when `all`).
  void DrainJson(bool all);
  void Out(std::string_view text);  // stdout, scrubbed (and neutralized in text mode)
  void WriteOut(std::string_view bytes);
  void WriteReasoning(std::string_view bytes);
  void EndOutLine();
  void EndErrLine();

  PrinterOptions options_;
  const SecretScrubber& scrubber_;
  std::FILE* out_;
  std::FILE* err_;
  SecretStream out_secrets_{scrubber_};        // stdout in text mode
  SecretStream reasoning_secrets_{scrubber_};  // reasoning on stderr
  ControlFilter out_filter_;                   // stdout in text mode
  ControlFilter reasoning_filter_;             // reasoning on stderr
  std::map<StreamKey, SecretStream> json_streams_;
  std::deque<HeldEvent> json_held_;
  bool out_mid_line_ = false;
  bool err_mid_line_ = false;  // reasoning left stderr in the middle of a line
};

// "rate_limited: <message> (HTTP 429, retry after 2 s)": the text after "llmstream: error: ".
std::string DescribeError(const Error& error);

}  // namespace llmstream::cli
