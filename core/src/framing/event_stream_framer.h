// EventStreamFramer: the AWS event-stream encoding (application/vnd.amazon.eventstream, used by
// Bedrock ConverseStream) into one payload per message. A message is
//
//   total length u32 BE | headers length u32 BE | prelude CRC32 (of the 8 bytes before it)
//   headers: name length u8 (1..255), name, type u8, value by type | payload |
//   message CRC32 (of every byte before it)
//
// (smithy "Amazon Event Stream Specification"; CRC-32/ISO-HDLC, see crc32.h). Both CRCs are
// checked, as the spec requires of clients: a mismatch, a length that cannot hold the 16 bytes of
// prelude and CRCs or the headers, or headers that do not parse end the stream with kBadFrame.
// What reaches the sink per message type is documented at Framing::kAwsEventStream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "framing/framer.h"

namespace llmstream::framing {

class EventStreamFramer final : public Framer {
 public:
  EventStreamFramer(SseSink* sink, FramingLimits limits) : Framer(sink, limits) {}

  bool Feed(std::string_view bytes) override;
  FramingEnd Finish() override;
  void Reset() override;

 private:
  // Checks the 12-byte prelude at `p` and sets *total to the message's length.
  bool ReadPrelude(const char* p, uint32_t* total);
  // One whole message (total length bytes, prelude already checked).
  bool Message(std::string_view message);

  std::string held_;     // the start of a message that straddles reads
  uint32_t needed_ = 0;  // the held message's total length, 0 while its prelude is incomplete
};

}  // namespace llmstream::framing
