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

  // The headers the dialects need, all strings (type 7), as offsets into the header block;
  // others are skipped.
  struct Headers {
    struct Field {
      uint32_t at = 0, size = 0;
      // (The parse put the field inside its block: no bounds check.)
      std::string_view In(std::string_view block) const { return {block.data() + at, size}; }
    };
    Field message_type, event_type, exception_type, error_code, error_message;
    // What the message type says, read once per distinct header block.
    enum class Kind : uint8_t { kEvent, kException, kError } kind = Kind::kEvent;
  };

  bool Feed(std::string_view bytes) override;
  FramingEnd Finish() override;
  void Reset() override;

 private:
  // Checks the 12-byte prelude at `p` and sets *total to the message's length.
  bool ReadPrelude(const char* p, uint32_t* total);
  // ReadPrelude's failure (out of line: the per-message path stays small enough to inline).
  bool BadPrelude(const char* p, bool crc_mismatch);
  // One whole message (total length bytes, prelude already checked); `in_read`: a view into the
  // bytes being fed (else into held_).
  bool Message(std::string_view message, bool in_read);
  // The parsed headers of `block` (not the cached one), nullptr when they do not parse; cached
  // when small.
  const Headers* ParseBlock(std::string_view block);

  // Header blocks up to this size are kept for the comparison (Bedrock's are ~90 bytes).
  static constexpr size_t kMaxCachedHeaders = 256;

  std::string held_;     // the start of a message that straddles reads
  uint32_t needed_ = 0;  // the held message's total length, 0 while its prelude is incomplete
  // The last header block (when small) and its fields, valid while cached_.
  std::string last_headers_;
  Headers parsed_;
  bool cached_ = false;
  // The last payload offered to the shortcut was offered with the cached block's names.
  bool offered_ = false;
};

}  // namespace llmstream::framing
