// llmstream: streams one completion from a provider (or replays a recorded one) to the terminal.
// See HelpText() in args.cpp for the options, the environment and the exit codes; the README's
// "CLI" section for the recording format.
//
// main only wires the pieces: parse the command line, pick the prompt and the key, run live or
// replay, then report metrics and choose the exit code.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/metrics_report.h"
#include "cli/printer.h"
#include "cli/provider_setup.h"
#include "cli/read_file.h"
#include "cli/run.h"
#include "cli/secret_scrubber.h"
#include "cli/terminal_text.h"
#include "llmstream/url_redaction.h"

namespace {

using namespace llmstream;
using namespace llmstream::cli;

int UsageError(const std::string& message) {
  // The message may quote the command line or a server's words: no terminal controls.
  std::fprintf(stderr, "llmstream: error: %s\n", NeutralizeControls(message).c_str());
  return kExitUsage;
}

// Every key the process could use, and secret --header values, so that no output shows them.
SecretScrubber MakeScrubber(const Args& args) {
  SecretScrubber scrubber;
  for (uint8_t value = 0; value < kProviderCount; ++value) {
    const std::string variable(ApiKeyVariable(static_cast<Provider>(value)));
    if (const char* key = std::getenv(variable.c_str())) {
      scrubber.Add(key);
    }
  }
  // Bedrock's: its API key and the AWS credentials (the access key id too: it names the account).
  for (const char* variable : {"AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID",
                               "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    if (const char* secret = std::getenv(variable)) scrubber.Add(secret);
  }
  for (const auto& [name, value] : args.headers) {
    if (!IsSensitiveHeader(name)) continue;
    scrubber.Add(value);
    scrubber.Add(std::string_view(value).substr(value.find_last_of(' ') + 1));  // after "Bearer"
  }
  // The base URL's password and signatures: a server may echo one without the URL around it.
  for (const std::string& secret : UrlSecrets(args.base_url)) scrubber.Add(secret);
  return scrubber;
}

// The prompt: the words joined, or all of stdin. nullopt + *error when stdin cannot be read (a
// directory, a closed descriptor): a file error, not an empty prompt.
std::optional<std::string> ReadPrompt(const Args& args, std::string* error) {
  if (!args.PromptFromStdin()) {
    std::string prompt;
    for (const std::string& word : args.prompt) {
      if (!prompt.empty()) prompt.push_back(' ');
      prompt += word;
    }
    return prompt;
  }
  if (isatty(STDIN_FILENO))
    std::fputs("llmstream: reading the prompt from stdin (end with Ctrl-D)\n", stderr);
  std::optional<std::string> read = ReadAll(STDIN_FILENO, error);
  if (!read) return std::nullopt;
  std::string prompt = std::move(*read);
  while (!prompt.empty() && (prompt.back() == '\n' || prompt.back() == '\r')) prompt.pop_back();
  return prompt;
}

// After Ctrl-C without --metrics: what the partial answer cost, in one line.
void PrintPartialSummary(const MetricsSummary& s, Printer& printer) {
  std::string line = std::to_string(s.output_chunks) + " output chunks before the stop";
  if (s.usage) {
    line += "; usage: input " +
            (s.usage->input_tokens ? std::to_string(*s.usage->input_tokens) : "?") + ", output " +
            (s.usage->output_tokens ? std::to_string(*s.usage->output_tokens) : "?") +
            (s.usage->estimated ? " tokens (estimated)" : " tokens");
  }
  if (s.cost && s.cost->known()) {
    char cost[64];
    std::snprintf(cost, sizeof(cost), "; cost $%.6f", s.cost->total_usd);
    line += cost;
  }
  printer.Message("interrupted", line);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> raw(argv + 1, argv + argc);
  ParseResult parsed = ParseArgs(raw);
  if (!parsed.args) return UsageError(parsed.error);
  const Args& args = *parsed.args;
  if (args.help) {
    std::fputs(HelpText().c_str(), stdout);
    return kExitOk;
  }

  const SecretScrubber scrubber = MakeScrubber(args);
  PrinterOptions printer_options;
  printer_options.json = args.json;
  printer_options.quiet = args.quiet;
  printer_options.stdout_is_tty = isatty(STDOUT_FILENO) != 0;
  printer_options.dim_reasoning =
      !args.no_color && std::getenv("NO_COLOR") == nullptr && isatty(STDERR_FILENO) != 0;
  Printer printer(printer_options, scrubber);
  MetricsRecorder metrics;

  std::optional<Setup> setup;
  if (args.replay.empty()) {
    std::string read_error;
    std::optional<std::string> prompt = ReadPrompt(args, &read_error);
    if (!prompt) {
      std::fprintf(stderr, "llmstream: error: cannot read the prompt from stdin: %s\n",
                   read_error.c_str());
      return kExitFile;
    }
    if (prompt->empty()) return UsageError("empty prompt (give it as arguments or on stdin)");
    std::string error;
    setup = MakeSetup(
        args, std::move(*prompt), [](const char* name) { return std::getenv(name); }, &error);
    if (!setup) return UsageError(scrubber.Scrubbed(error));
  }

  // Installed only now: until the stream starts, Ctrl-C may simply end the process.
  Interrupt interrupt;
  RunIo io{printer, metrics, interrupt, scrubber};
  RunOutcome outcome = setup ? RunLive(args, std::move(*setup), io) : RunReplay(args, io);
  printer.Finish();
  const bool interrupted = interrupt.requested();

  const MetricsSummary summary = metrics.Summary(outcome.now_ms);
  if (args.metrics && !outcome.title.empty()) {
    if (args.json) {
      printer.PrintMetricsJson(summary);
    } else {
      // The title names the model, which a --replay file may spell with terminal controls.
      const std::string report = FormatMetricsReport(summary, outcome.title);
      std::fputs(NeutralizeControls(scrubber.Scrubbed(report)).c_str(), stderr);
    }
  } else if (interrupted && !args.quiet && !args.json) {
    PrintPartialSummary(summary, printer);
  }
  std::fflush(stdout);

  if (outcome.file_failed) return kExitFile;
  if (outcome.usage_failed) return kExitUsage;
  if (interrupted) return kExitInterrupted;
  return ExitCodeFor(outcome.error);
}
