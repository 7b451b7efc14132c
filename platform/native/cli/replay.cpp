// RunReplay: a --record file through the core Session (so retries, HTTP error classification,
// timeouts and usage estimates come out exactly as they did live), or a plain .sse body through
// the core Stream (the dialect and framing guessed from its name, replay_guess.h). No network
// either way.
//
// Time is virtual: the Session and the metrics see the recorded times, and the real waiting
// between them is scaled by --speed (recordings) or is --pace-ms per event (.sse files).
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <utility>

#include "cli/read_file.h"
#include "cli/recording.h"
#include "cli/replay_guess.h"
#include "cli/run.h"
#include "llmstream/session.h"
#include "llmstream/stream.h"

namespace llmstream::cli {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

int64_t Ms(double virtual_ms) { return std::llround(virtual_ms); }

void Deliver(std::span<const Event> events, double now, RunIo& io) {
  for (const Event& event : events) {
    io.metrics.OnEvent(event, now);
    io.printer.Print(event);
  }
}

// One recorded I/O happening, placed on the replay's virtual timeline.
struct Happening {
  enum Kind { kResponse, kBody, kEnd } kind;
  double at;
  const RecordedAttempt* attempt;
  const RecordedFrame* frame;  // kBody
};

// The recorded attempt `index` as happenings, shifted so that it starts at `send_ms`: the replay
// Session's retry delays differ from the live ones by their random jitter.
std::deque<Happening> Schedule(const RecordedAttempt& attempt, double send_ms) {
  const double shift = send_ms - attempt.start_ms;
  std::deque<Happening> queue;
  if (attempt.response_ms) {
    queue.push_back({Happening::kResponse, *attempt.response_ms + shift, &attempt, nullptr});
  }
  for (const RecordedFrame& frame : attempt.frames) {
    queue.push_back({Happening::kBody, frame.ms + shift, &attempt, &frame});
  }
  if (attempt.end_ms)
    queue.push_back({Happening::kEnd, *attempt.end_ms + shift, &attempt, nullptr});
  return queue;
}

std::span<const Event> Apply(const Happening& h, double now, Session* session, RunIo& io) {
  switch (h.kind) {
    case Happening::kResponse:
      io.metrics.OnResponse(h.attempt->status, now);
      return session->OnResponse(h.attempt->status, h.attempt->headers, Ms(now));
    case Happening::kBody:
      io.metrics.OnBytes(h.frame->bytes.size(), now);
      return session->OnBody(h.frame->bytes, Ms(now));
    case Happening::kEnd:
      break;
  }
  const Error& error = h.attempt->end_error;
  switch (error.code) {
    case ErrorCode::kNone:
      return session->OnEnd(Ms(now));
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
    case ErrorCode::kStalled:
      // A transport failure (or a timer the replay Session fires itself, usually first).
      return session->OnTransportError(error, Ms(now));
    case ErrorCode::kAborted:
      return session->Cancel(Ms(now));
    default:
      // HTTP errors, truncation, in-band errors: the Session finds them in what it was fed.
      return session->OnEnd(Ms(now));
  }
}

RunOutcome ReplayRecording(const Recording& recording, const Args& args, RunIo io) {
  const RecordingHeader& header = recording.header;
  RunOutcome outcome;
  outcome.title = "replay of " + header.request.model + " via " +
                  std::string(ProviderName(header.provider)) + " (" +
                  std::string(WireApiName(header.api)) + ")";
  SessionOptions options;
  options.provider.provider = header.provider;
  options.provider.api = header.api;
  options.provider.base_url = header.base_url;
  options.provider.api_key = "replay";    // never sent: hosted providers refuse to build without
  options.provider.region = "us-east-1";  // likewise (Bedrock's default URL names a region)
  options.request = header.request;
  options.retry = header.retry;
  options.timeouts = header.timeouts;
  options.continuation = header.continuation;
  options.estimate_usage = header.estimate_usage;
  options.keep_alive_events = args.json;
  Session session(std::move(options));

  double now = 0;  // virtual ms since the first request
  std::deque<Happening> pending;
  bool cancelled = false;
  bool cut_short = false;
  for (;;) {
    if (io.interrupt.requested() && !cancelled) {
      cancelled = true;
      Deliver(session.Cancel(Ms(now)), now, io);
    }
    const SessionStep step = session.Poll(Ms(now));
    Deliver(step.events, now, io);
    if (step.action == SessionAction::kDone) break;
    if (step.action == SessionAction::kAbortTransfer) {
      pending.clear();
      continue;
    }
    if (step.action == SessionAction::kSend) {
      io.metrics.OnRequestStart(now);
      const size_t index = static_cast<size_t>(step.attempt);
      if (index < recording.attempts.size()) {
        pending = Schedule(recording.attempts[index], now);
      } else {
        // The live run stopped before this attempt (e.g. Ctrl-C during a retry delay).
        Error error;
        error.code = ErrorCode::kNetwork;
        error.message = "the recording has no attempt " + std::to_string(index + 1);
        Deliver(session.OnTransportError(std::move(error), Ms(now)), now, io);
        continue;
      }
    }
    const double next_io = pending.empty() ? kNever : pending.front().at;
    const double wake = step.wake_at_ms >= 0 ? static_cast<double>(step.wake_at_ms) : kNever;
    if (next_io == kNever && wake == kNever) {
      if (cancelled || cut_short) break;  // nothing more can happen
      // A recording cut short (the file ends inside an attempt, e.g. the recording process was
      // killed): end it the way the live run would have seen a closed connection.
      cut_short = true;
      Deliver(session.OnEnd(Ms(now)), now, io);
      continue;
    }
    const double target = std::max(now, std::min(next_io, wake));
    if (args.speed > 0 && !io.interrupt.Sleep((target - now) / args.speed)) continue;
    now = target;
    if (next_io <= wake) {
      const Happening happening = pending.front();
      pending.pop_front();
      Deliver(Apply(happening, now, &session, io), now, io);
    }
  }
  outcome.error = session.error();
  outcome.now_ms = now;
  return outcome;
}

// Splits a recorded body into the pieces a server would have flushed: one SSE event (up to its
// blank line, LF or CRLF), one NDJSON line, one AWS event-stream message (by its length prefix),
// one line of a JSON array. Only the pacing depends on it: the Stream reads any split alike.
std::vector<std::string_view> SplitEvents(std::string_view body, Framing framing) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = std::string_view::npos;
    if (framing == Framing::kSse) {
      const size_t lf = body.find("\n\n", start);
      const size_t crlf = body.find("\r\n\r\n", start);
      end = std::min(lf == std::string_view::npos ? lf : lf + 2,
                     crlf == std::string_view::npos ? crlf : crlf + 4);
    } else if (framing == Framing::kAwsEventStream) {
      if (body.size() - start >= 4) {
        const auto byte = [&](size_t i) { return static_cast<uint8_t>(body[start + i]); };
        const size_t total = (size_t{byte(0)} << 24) | (size_t{byte(1)} << 16) |
                             (size_t{byte(2)} << 8) | size_t{byte(3)};
        // A length the framer will refuse: the rest in one piece, and the framer says why.
        if (total >= 16 && total <= body.size() - start) end = start + total;
      }
    } else {
      const size_t lf = body.find('\n', start);
      if (lf != std::string_view::npos) end = lf + 1;
    }
    if (end == std::string_view::npos) end = body.size();
    pieces.push_back(body.substr(start, end - start));
    start = end;
  }
  return pieces;
}

// "gemini-x.sse: cannot tell ..." as a usage error: the command line must say more.
RunOutcome UsageFailure(const std::string& message, RunIo io) {
  RunOutcome outcome;
  io.printer.Message("error", message);
  outcome.usage_failed = true;
  return outcome;
}

RunOutcome ReplaySse(const std::string& body, const Args& args, RunIo io) {
  ProviderConfig config;
  config.provider = args.provider;
  config.api = args.api;
  if (!args.provider_given && !args.api) {
    const std::optional<GuessedDialect> guess = GuessDialect(args.replay);
    if (!guess) {
      return UsageFailure("cannot tell which API " + args.replay +
                              " was recorded from: its name starts with none of " +
                              KnownDialectPrefixes() +
                              " (give --provider or --api, e.g. --api chat)",
                          io);
    }
    config.provider = guess->provider;
    config.api = guess->api;
  }
  StreamOptions options;
  options.provider = config.provider;
  options.api = ResolveApi(config);
  const std::optional<std::string_view> content_type = ContentTypeOfFile(args.replay);
  const std::optional<Framing> framing = FramingFor(options.api, content_type);
  if (!framing) {
    return UsageFailure(args.replay + ": its extension says " + std::string(*content_type) +
                            ", which " + std::string(WireApiName(options.api)) +
                            " does not stream (give the --api it was recorded from)",
                        io);
  }
  options.framing = *framing;
  options.model = args.model;
  options.keep_alive_events = args.json;
  RunOutcome outcome;
  outcome.title = "replay of " + args.replay + " (" + std::string(ProviderName(options.provider)) +
                  ", " + std::string(WireApiName(options.api)) + ")";

  Stream stream(options);
  double now = 0;
  io.metrics.OnRequestStart(now);
  for (std::string_view piece : SplitEvents(body, options.framing)) {
    if (io.interrupt.requested()) break;
    io.metrics.OnBytes(piece.size(), now);
    Deliver(stream.Feed(piece, Ms(now)), now, io);
    if (stream.ended()) break;
    if (args.pace_ms > 0) {
      if (!io.interrupt.Sleep(static_cast<double>(args.pace_ms))) break;
      now += static_cast<double>(args.pace_ms);
    }
  }
  if (io.interrupt.requested() && !stream.ended()) {
    Error aborted;
    aborted.code = ErrorCode::kAborted;
    aborted.message = "interrupted";
    Deliver(stream.Fail(std::move(aborted), Ms(now)), now, io);
  } else {
    Deliver(stream.Finish(Ms(now)), now, io);
  }
  outcome.error = stream.result().error;
  outcome.now_ms = now;
  return outcome;
}

}  // namespace

RunOutcome RunReplay(const Args& args, RunIo io) {
  std::string error;
  std::optional<std::string> data = ReadWholeFile(args.replay, &error);
  if (!data) {
    RunOutcome outcome;
    io.printer.Message("error", error);
    outcome.file_failed = true;
    return outcome;
  }
  if (!IsRecording(*data)) return ReplaySse(*data, args, io);
  std::optional<Recording> recording = ParseRecording(*data, &error);
  if (!recording) {
    RunOutcome outcome;
    io.printer.Message("error", args.replay + ": " + error);
    outcome.file_failed = true;
    return outcome;
  }
  return ReplayRecording(*recording, args, io);
}

}  // namespace llmstream::cli
