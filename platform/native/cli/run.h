// What the two ways of running (live over the network, replay from a file) share: where output
// and metrics go, and what they report back to main.
#pragma once

#include <string>

#include "cli/args.h"
#include "cli/interrupt.h"
#include "cli/printer.h"
#include "cli/provider_setup.h"
#include "cli/secret_scrubber.h"
#include "llmstream/error.h"
#include "llmstream/metrics.h"

namespace llmstream::cli {

// Milliseconds on the steady clock with sub-millisecond precision (the metrics' clock).
double SteadyMs();

struct RunIo {
  Printer& printer;
  MetricsRecorder& metrics;
  Interrupt& interrupt;
  const SecretScrubber& scrubber;
};

struct RunOutcome {
  Error error;                // the error that ended the stream; kNone = success
  std::string title;          // for the metrics report: "local-echo via local (chat_completions)"
  double now_ms = 0;          // the metrics clock at the end, for MetricsRecorder::Summary
  bool file_failed = false;   // a file could not be read / written (message already printed)
  bool usage_failed = false;  // the command line does not say enough (message already printed)
};

// Streams `setup` over the network (--record: also writes the recording).
RunOutcome RunLive(const Args& args, Setup setup, RunIo io);

// --replay: a recording (through the core Session, recorded timing scaled by --speed) or a plain
// body file (through the core Stream, --pace-ms between events; its dialect from --provider /
// --api or its name, its framing from its extension: replay_guess.h). Metrics use the recorded
// (virtual) time, so a replay reports the original latencies whatever the speed.
RunOutcome RunReplay(const Args& args, RunIo io);

}  // namespace llmstream::cli
