#include "framing/event_stream_framer.h"

#include <algorithm>
#include <cstring>

#include "framing/crc32.h"

namespace llmstream::framing {
namespace {

constexpr size_t kPrelude = 12;             // total length, headers length, prelude CRC
constexpr size_t kOverhead = kPrelude + 4;  // and the message CRC

uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

// Bytes of a header value after its type byte, for the fixed-size types; -1 for the two with a
// u16 length (6 byte array, 7 string), -2 for types the spec does not define.
int FixedValueSize(unsigned type) {
  static constexpr int8_t kSizes[10] = {0, 0, 1, 2, 4, 8, -1, -1, 8, 16};
  return type < 10 ? kSizes[type] : -2;
}

// Parses `headers`; false when a header runs past the end, has an empty name or an unknown type.
bool ParseHeaders(std::string_view headers, EventStreamFramer::Headers* out) {
  using Field = EventStreamFramer::Headers::Field;
  const char* p = headers.data();
  const char* const end = p + headers.size();
  while (p < end) {
    const size_t name_size = static_cast<unsigned char>(*p++);
    if (name_size == 0 || static_cast<size_t>(end - p) < name_size + 1) return false;
    const std::string_view name(p, name_size);
    p += name_size;
    const unsigned type = static_cast<unsigned char>(*p++);
    int size = FixedValueSize(type);
    if (size == -2) return false;
    if (size == -1) {
      if (end - p < 2) return false;
      size = (static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]);
      p += 2;
    }
    if (end - p < size) return false;
    if (type == 7 && name.size() > 1 && name[0] == ':') {
      const Field value{static_cast<uint32_t>(p - headers.data()), static_cast<uint32_t>(size)};
      if (name == ":message-type") {
        out->message_type = value;
      } else if (name == ":event-type") {
        out->event_type = value;
      } else if (name == ":exception-type") {
        out->exception_type = value;
      } else if (name == ":error-code") {
        out->error_code = value;
      } else if (name == ":error-message") {
        out->error_message = value;
      }
    }
    p += size;
  }
  return true;
}

}  // namespace

bool EventStreamFramer::Feed(std::string_view bytes) {
  if (!Accept(bytes)) return false;
  while (!bytes.empty()) {
    if (held_.empty()) {
      // Messages that lie inside this read are read in place.
      uint32_t total = 0;
      while (bytes.size() >= kPrelude) {
        if (!ReadPrelude(bytes.data(), &total)) return false;
        if (bytes.size() < total) break;
        if (!Message(bytes.substr(0, total), /*in_read=*/true)) return false;
        bytes.remove_prefix(total);
      }
      if (bytes.empty()) break;
      needed_ = bytes.size() >= kPrelude ? total : 0;
    }
    const size_t want = needed_ != 0 ? needed_ : kPrelude;
    const size_t take = std::min(want - held_.size(), bytes.size());
    AppendBounded(&held_, bytes.substr(0, take), want);
    bytes.remove_prefix(take);
    if (held_.size() < want) break;
    if (needed_ == 0) {
      if (!ReadPrelude(held_.data(), &needed_)) return false;
      continue;  // total >= 16: the message goes on
    }
    if (!Message(held_, /*in_read=*/false)) return false;
    held_.clear();
    needed_ = 0;
  }
  return true;
}

bool EventStreamFramer::ReadPrelude(const char* p, uint32_t* total) {
  // The CRC first: corrupted lengths are reported as corruption, not as a message too large.
  if (Crc32(0, std::string_view(p, 8)) != Be32(p + 8)) {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream prelude CRC mismatch");
  }
  *total = Be32(p);
  const uint32_t headers = Be32(p + 4);
  if (*total < kOverhead || headers > *total - kOverhead) {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message of " + std::to_string(*total) +
                                          " bytes cannot hold its " + std::to_string(headers) +
                                          " bytes of headers, prelude and CRCs");
  }
  if (*total > limits().max_frame_bytes) return FailTooLarge("AWS event-stream message");
  return true;
}

bool EventStreamFramer::Message(std::string_view message, bool in_read) {
  const size_t crc_at = message.size() - 4;
  // The message CRC covers the prelude too; ReadPrelude found the prelude CRC field equal to
  // the CRC of the first 8 bytes, so the field's value is where the message CRC goes on from.
  const uint32_t crc = Crc32(Be32(message.data() + 8), message.substr(8, crc_at - 8));
  if (crc != Be32(message.data() + crc_at)) {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message CRC mismatch");
  }
  const size_t headers_size = Be32(message.data() + 4);
  const std::string_view block = message.substr(kPrelude, headers_size);
  const Headers* headers = HeadersOf(block);
  if (headers == nullptr) {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message with malformed headers");
  }
  const std::string_view message_type = headers->message_type.In(block);
  const std::string_view payload =
      message.substr(kPrelude + headers_size, crc_at - kPrelude - headers_size);
  if (headers->kind == Headers::Kind::kException) {
    return Deliver(headers->exception_type.In(block), payload, message_type);
  }
  if (headers->kind == Headers::Kind::kError) {
    return Deliver(headers->error_code.In(block), headers->error_message.In(block), message_type);
  }
  const std::string_view event_type = headers->event_type.In(block);
  // Most Bedrock messages are deltas the dialect's template matches: then no event is built and
  // the payload's UTF-8 is checked only where its holes are. Not for a held message: the delta
  // would point into held_, which the next message overwrites (Stream copies what Deliver hands
  // it from outside the read; the shortcut has no such copy).
  if (in_read && shortcut() != nullptr &&
      shortcut()->MatchPayload(event_type, message_type, payload) == payload.size() &&
      !payload.empty()) {
    shortcut()->TakePayload();
    return true;
  }
  return Deliver(event_type, payload, message_type);
}

const EventStreamFramer::Headers* EventStreamFramer::HeadersOf(std::string_view block) {
  // Bedrock sends the same headers before every delta (event type, content type, message type:
  // ~90 bytes): one comparison with the last block replaces the parse, whose name comparisons
  // were a tenth of a message's cost. The fields are offsets, so they hold in an equal block.
  if (cached_ && block.size() == last_headers_.size() &&
      std::memcmp(block.data(), last_headers_.data(), block.size()) == 0) {
    return &parsed_;
  }
  cached_ = false;
  parsed_ = {};
  if (!ParseHeaders(block, &parsed_)) return nullptr;
  const std::string_view message_type = parsed_.message_type.In(block);
  parsed_.kind = message_type == "exception" ? Headers::Kind::kException
                 : message_type == "error"   ? Headers::Kind::kError
                                             : Headers::Kind::kEvent;
  if (block.size() <= kMaxCachedHeaders) {  // (the copy stays small whatever the limits)
    last_headers_.assign(block);
    cached_ = true;
  }
  return &parsed_;
}

FramingEnd EventStreamFramer::Finish() {
  FramingEnd end;
  if (failed()) return end;
  end.partial_payload = !held_.empty();
  held_.clear();
  needed_ = 0;
  return end;
}

void EventStreamFramer::Reset() {
  held_.clear();
  needed_ = 0;
  cached_ = false;
  ResetBase();
}

}  // namespace llmstream::framing
