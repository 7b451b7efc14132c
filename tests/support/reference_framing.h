// Reference framers for the non-SSE framings (llmstream/framing.h): whole body in, payloads out,
// written for obviousness (index loops over the complete body, a bitwise CRC), not speed, as the
// independent side of the differential tests and fuzz_framing. Also an AWS event-stream encoder
// for building messages by hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/framing.h"

namespace llmstream::testing {

struct RefPayload {
  std::string type, data, id;
  bool operator==(const RefPayload&) const = default;
};

struct RefResult {
  std::vector<RefPayload> payloads;
  bool failed = false;     // the framing refused the body (bad frame or too large)
  bool truncated = false;  // the body ended inside a payload or an open array
};

// The rules of each framing, over the whole body. UTF-8 is taken as is: compare on bodies that
// are valid UTF-8, or repair both sides.
RefResult ReferenceFrame(Framing framing, std::string_view body, size_t max_frame_bytes);

// CRC-32/ISO-HDLC, one bit at a time.
uint32_t BitwiseCrc32(std::string_view bytes);

// One header of an event-stream message: `value` is the encoded value after the type byte (for
// types 6 and 7 without the u16 length, which Encode adds).
struct EsHeader {
  std::string name;
  uint8_t type;
  std::string value;
};
// A message with correct lengths and CRCs.
std::string EncodeEventStream(const std::vector<EsHeader>& headers, std::string_view payload);
// A typical event: :message-type event, :event-type `type`, :content-type application/json.
std::string EventStreamEvent(std::string_view type, std::string_view payload);

}  // namespace llmstream::testing
