// Where a relay stream stands (docs/relay-protocol.md): what its events said so far, over every
// connection of one stream. The RelayReader keeps it; the Session reads it to resume a cut stream
// after the last event, and to name the stream in a cancel. Header-only: the Session of the web
// core module, which reads no relay, compiles against it without the relay's code.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "llmstream/error.h"
#include "llmstream/relay.h"
#include "llmstream/sse_parser.h"

namespace llmstream {

struct RelayCursor {
  std::string stream_id{};  // from `start`
  std::string model{};      // from `start`
  // The id of the last event read (the Last-Event-ID of a resume); none before the first.
  std::optional<uint64_t> last_id{};
  // A resume read by a fresh reader (RelayDecoderOptions::resume_after): the first id is this + 1.
  std::optional<uint64_t> resume_after{};
  RelayEnd end = RelayEnd::kOpen;  // kOpen, kDone, kError or kBroken (a cut is the caller's)
  Error error{};                   // end kError / kBroken: why
  std::string completion{};        // the terminal event's `completion`, as JSON
};

// Every relay event is one data line: its line may be as long as the event limit allows (the
// limit that counts is the event's, sse_event_too_large), plus the "data: " before it.
inline SseLimits RelaySseLimits(SseLimits limits) {
  limits.max_line_bytes = std::max(limits.max_line_bytes, limits.max_event_bytes + 64);
  return limits;
}

}  // namespace llmstream
