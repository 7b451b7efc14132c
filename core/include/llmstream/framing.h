// Framing: how a response body is cut into payloads before a dialect reads them. Most providers
// send Server-Sent Events (llmstream/sse_parser.h); some do not:
//
//   kNdjson          Ollama /api/chat and /api/generate: one JSON object per line.
//   kAwsEventStream  AWS Bedrock ConverseStream (application/vnd.amazon.eventstream): binary
//                    messages with a prelude, typed headers, a payload and two CRC32s.
//   kJsonArray       Gemini streamGenerateContent without alt=sse: one JSON array whose
//                    elements (pretty-printed objects) arrive one by one.
//
// StreamOptions::framing picks one (default kSse). Every framing hands the dialect the same
// SseEvent {type, data, id} the SSE parser does, so dialects need no second interface; what
// each field holds per framing is documented at Framing below and in docs/wire-formats.md.
// Like the SSE parser, every framer gives the same payloads for any split of the body into
// reads, holds at most FramingLimits::max_frame_bytes of one payload (failing, never truncating,
// past it) and hands out views into the caller's bytes when a payload lies inside one read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "llmstream/request.h"

namespace llmstream {

enum class Framing : uint8_t {
  // text/event-stream (SseParser). The default.
  kSse = 0,
  // One payload per line: type "message", data the line (CR of a CRLF removed), id "". Blank
  // lines are skipped. A last line without its LF is a payload when it is complete JSON (JSON
  // Lines: the final line separator is optional), else the body was cut (Finish reports it).
  kNdjson = 1,
  // One payload per message whose prelude and message CRC32s are right. `id` is the
  // `:message-type` header ("event", "exception", "error"; "" when absent); `type` is
  // `:event-type` for events, `:exception-type` for exceptions and `:error-code` for errors;
  // `data` is the payload, except for an "error" message, where it is `:error-message` (the
  // spec gives those no payload). A bad CRC or impossible lengths end the stream with
  // kBadFrame; a message past the limit with kFrameTooLarge.
  kAwsEventStream = 2,
  // One payload per top-level element of a JSON array: type "message", data the element's bytes
  // (an object or array; whitespace and commas between elements dropped), id "". Bytes that
  // cannot belong to such an array (no `[`, a missing comma, data after the `]`) end the stream
  // with kBadFrame; the elements' own syntax is the dialect's to check.
  kJsonArray = 3,
};

// "sse", "ndjson", "aws-eventstream", "json-array"; "unknown" for other values.
std::string_view FramingName(Framing framing);

// The media type a body of this framing is sent as: "text/event-stream",
// "application/x-ndjson", "application/vnd.amazon.eventstream", "application/json" (what an
// Accept header asks for; "" for other values).
std::string_view FramingMediaType(Framing framing);

// The framing `api` streams in when the response names no Content-Type: AWS event-stream for
// Bedrock ConverseStream, NDJSON for Ollama's chat and generate, SSE for every other API (Gemini
// included: its requests ask for alt=sse).
Framing DefaultFraming(WireApi api);

// The one rule for what a 2xx response of `api` is (the Session decides with it, and the CLI's
// --replay with a file's extension standing in for the header). `content_type` is the header's
// value (any case, parameters allowed; nullopt: the response had none). Returns the framing to
// read the body with, or nullopt when a body of that type is not a stream of `api` (an HTML page,
// a JSON error object, SSE from an API that never sends it): the Session then collects it as an
// error body. Accepted:
//   no Content-Type                       DefaultFraming(api): lenient, as some proxies and local
//                                         servers omit it
//   text/event-stream                     kSse, for every API but Bedrock and Ollama
//   application/json                      kJsonArray for Gemini only (streamGenerateContent
//                                         without alt=sse)
// Gemini's body may still be something else: the Session looks at its first byte other than
// whitespace when the type is application/json (not `[`: a JSON object such as {"error": ...},
// collected as an error body) or absent (`[`: a JSON array, else SSE).
//   application/x-ndjson (also
//   application/ndjson, application/jsonl) kNdjson for Ollama
//   application/vnd.amazon.eventstream    kAwsEventStream for Bedrock
std::optional<Framing> FramingFor(WireApi api, std::optional<std::string_view> content_type);

// The caps of the non-SSE framings (SseLimits caps the SSE parser). Only a payload that
// straddles reads is buffered; none is ever cut short: past the cap the stream fails with
// kFrameTooLarge.
struct FramingLimits {
  // Largest NDJSON line (without its line break), JSON-array element (after UTF-8 repair for
  // both) or AWS event-stream message (all of it, prelude and CRCs included). The default is the
  // largest message an AWS service may send (a 24 MiB payload, 128 KiB of headers and the
  // 16 bytes of prelude and CRCs), so every legal message fits.
  size_t max_frame_bytes = (size_t{24} << 20) + (size_t{128} << 10) + 16;
};

}  // namespace llmstream
