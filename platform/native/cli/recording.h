// --record / --replay files: the raw wire bytes of every attempt with their timing, enough to
// drive the core Session again without a network and get the same events.
//
// Format (version 1). Text lines end with "\n"; times are ms since the first request was sent:
//
//   #llmstream-recording v1
//   {"provider":"local","api":"chat_completions","baseUrl":"...","model":"local-echo",
//    "request":{...},"retry":{...},"timeouts":{...},"continuation":false,"estimateUsage":true}
//   #attempt {"attempt":0,"ms":0,"method":"POST","url":"...","headers":[["Name","value"],...],
//             "body":"..."}
//   #response {"ms":12.5,"status":200,"headers":[["content-type","text/event-stream"],...]}
//   @15.250 123
//   <exactly 123 raw body bytes>
//   #end {"ms":130.2}                       the body ended normally (or)
//   #end {"ms":130.2,"error":{"code":"network","message":"...","httpStatus":0}}
//   #attempt {"attempt":1,...}              a retry: the next section, and so on
//
// Times are finite, from 0 to kMaxRecordedMs (24 h); a byte count must fit in the rest of the
// file. Anything else is a malformed recording (a crafted file must not make a replay spin, sleep
// for ever or read past the end).
//
// The second line (one JSON object) holds what the request was built from, so that a replay
// rebuilds the same Session. Each frame is "@<ms> <byte count>\n", the bytes exactly as read,
// then "\n" (not part of the bytes). "#end" says how the attempt's transfer ended as the CLI saw
// it through the events: no error, or the error of the kRetry / kError event that closed it.
//
// Secrets: the request comes from Redacted() (no key, masked secret query parameters), response
// headers for which IsSensitiveHeader is true are left out, and every line and frame passes
// through the SecretScrubber (same-length masking, so byte counts stay right). An attempt's
// frames go through one BodyScrubber, so a key split across reads, or across the model's deltas,
// is masked too: a frame that a later read may still change is written when that read (or the
// attempt's end) decides it. The BodyScrubber reads the body in the framing the replay will
// (the API and the response's Content-Type): an AWS event-stream message that had a secret
// masked gets its CRC computed again, so the replay accepts it.
// The file is created readable by its owner only (0600; an existing file is set to 0600): it
// holds the prompt and the answer.
#pragma once

#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/body_scrubber.h"
#include "cli/secret_scrubber.h"
#include "llmstream/error.h"
#include "llmstream/http_error.h"
#include "llmstream/request.h"
#include "llmstream/retry_policy.h"
#include "llmstream/session.h"

namespace llmstream::cli {

inline constexpr std::string_view kRecordingMagic = "#llmstream-recording v1";

// The largest time a recording may hold, in ms since the first request (24 h, the longest
// timeout the command line accepts).
inline constexpr double kMaxRecordedMs = 24.0 * 3600 * 1000;

// What the request was built from (the header line).
struct RecordingHeader {
  Provider provider = Provider::kLocal;
  WireApi api = WireApi::kChatCompletions;
  std::string base_url;  // redacted
  CompletionRequest request;
  RetryPolicy retry;
  Timeouts timeouts;
  bool continuation = false;
  bool estimate_usage = true;
};

struct RecordedFrame {
  double ms = 0;
  std::string bytes;
};

struct RecordedAttempt {
  int attempt = 0;
  double start_ms = 0;
  std::optional<double> response_ms;  // set when a response (status line) arrived
  int status = 0;
  HeaderList headers;
  std::vector<RecordedFrame> frames;
  std::optional<double> end_ms;  // set by "#end"
  Error end_error;               // code kNone: ended normally
};

struct Recording {
  RecordingHeader header;
  std::vector<RecordedAttempt> attempts;
};

// Writes a recording as the run goes. Write errors are remembered (ok() false), never thrown.
class RecordingWriter {
 public:
  // Creates (truncates) `path` and writes the magic and header lines. nullptr + *error on failure.
  static std::unique_ptr<RecordingWriter> Open(const std::string& path,
                                               const RecordingHeader& header,
                                               const SecretScrubber& scrubber, std::string* error);
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  void Attempt(int attempt, const HttpRequest& redacted, double ms);
  void Response(int status, const HeaderList& headers, double ms);
  void Body(std::string_view bytes, double ms);
  // The current attempt ended; `error` null or kNone = normally.
  void End(double ms, const Error* error);

  // Flushes and closes; false (+ *error) when any write failed.
  bool Close(std::string* error);

 private:
  RecordingWriter(std::FILE* file, std::string path, const SecretScrubber& scrubber, WireApi api);
  void Write(std::string_view bytes);
  void Record(std::string_view tag, const std::string& json);
  // Writes the frames the BodyScrubber has decided (all of them when `all`).
  void WriteFrames(bool all);

  std::FILE* file_;
  std::string path_;
  const SecretScrubber& scrubber_;
  WireApi api_;  // with the Content-Type, the framing of the bodies
  bool failed_ = false;
  bool attempt_open_ = false;           // an attempt without its "#end" yet
  std::unique_ptr<BodyScrubber> body_;  // the current attempt's frames
  std::deque<double> frame_ms_;         // the times of the frames body_ holds
};

// True when `data` starts with the magic line.
bool IsRecording(std::string_view data);

// Parses a whole recording; nullopt + *error (naming the line) when it is malformed.
std::optional<Recording> ParseRecording(std::string_view data, std::string* error);

}  // namespace llmstream::cli
