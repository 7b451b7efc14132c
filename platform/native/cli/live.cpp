// RunLive: one completion over the network through the native Client, fed to the printer, the
// metrics and (with --record) the recording as it arrives.
#include <memory>
#include <utility>

#include "cli/recording.h"
#include "cli/run.h"
#include "llmstream/client.h"

namespace llmstream::cli {

namespace {

RecordingHeader HeaderFor(const Setup& setup) {
  RecordingHeader header;
  header.provider = setup.options.provider.provider;
  header.api = ResolveApi(setup.options.provider);
  HttpRequest url_only;
  url_only.url = setup.options.provider.base_url;
  header.base_url = Redacted(url_only).url;  // a key in a query parameter stays out
  header.request = setup.request;
  header.retry = setup.options.retry;
  header.timeouts = setup.options.timeouts;
  header.continuation = setup.options.continuation;
  header.estimate_usage = setup.options.estimate_usage;
  return header;
}

std::string Title(const Setup& setup) {
  return setup.request.model + " via " +
         std::string(ProviderName(setup.options.provider.provider)) + " (" +
         std::string(WireApiName(ResolveApi(setup.options.provider))) + ")";
}

}  // namespace

RunOutcome RunLive(const Args& args, Setup setup, RunIo io) {
  RunOutcome outcome;
  outcome.title = Title(setup);

  std::unique_ptr<RecordingWriter> recorder;
  if (!args.record.empty()) {
    std::string error;
    recorder = RecordingWriter::Open(args.record, HeaderFor(setup), io.scrubber, &error);
    if (!recorder) {
      io.printer.Message("error", error);
      outcome.file_failed = true;
      return outcome;
    }
  }

  // The wire tap runs on this thread (inside Next), so metrics and recorder need no lock. Times
  // come from our own clock rather than the tap's int64 ms, for sub-millisecond precision.
  double first_request_ms = -1;
  auto since_first = [&](double now) { return first_request_ms < 0 ? 0 : now - first_request_ms; };
  WireTap& tap = setup.options.wire_tap;
  tap.on_request = [&](int attempt, const HttpRequest& redacted) {
    const double now = SteadyMs();
    if (first_request_ms < 0) first_request_ms = now;
    io.metrics.OnRequestStart(now);
    if (recorder) recorder->Attempt(attempt, redacted, since_first(now));
  };
  tap.on_response = [&](int status, const HeaderList& headers, int64_t) {
    const double now = SteadyMs();
    io.metrics.OnResponse(status, now);
    if (recorder) recorder->Response(status, headers, since_first(now));
  };
  tap.on_body = [&](std::string_view bytes, int64_t) {
    const double now = SteadyMs();
    io.metrics.OnBytes(bytes.size(), now);
    if (recorder) recorder->Body(bytes, since_first(now));
  };

  Client client(setup.options);
  CompletionStream stream = client.StreamCompletion(std::move(setup.request));
  io.interrupt.OnInterrupt([&stream] { stream.Cancel(); });
  while (const Event* event = stream.Next()) {
    const double now = SteadyMs();
    io.metrics.OnEvent(*event, now);
    if (recorder) {
      // The events say how each attempt's transfer ended (the tap has no end callback).
      if (event->kind == EventKind::kRetry || event->kind == EventKind::kError) {
        recorder->End(since_first(now), event->error);
      } else if (event->kind == EventKind::kDone) {
        recorder->End(since_first(now), nullptr);
      }
    }
    io.printer.Print(*event);
  }
  // The watcher holds a reference to `stream`: stop it before the stream goes away.
  io.interrupt.StopWatching();
  outcome.error = stream.error();
  outcome.now_ms = SteadyMs();
  if (recorder) {
    std::string error;
    if (!recorder->Close(&error)) {
      io.printer.Message("error", error);
      outcome.file_failed = true;
    }
  }
  return outcome;
}

}  // namespace llmstream::cli
