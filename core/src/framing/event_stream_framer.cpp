#include "framing/event_stream_framer.h"

#include <algorithm>
#include <cstring>

#include "common/equal_bytes.h"
#include "framing/crc32.h"

#if defined(__SSE2__) && !defined(__EMSCRIPTEN__)
#include <emmintrin.h>
#endif

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

// Equality of a header block with the cached one (<= kMaxCachedHeaders bytes). Natively 16
// bytes per step, differences ORed and tested once (the blocks nearly always match), the last
// block loaded overlapping: libc's memcmp spent about as much on its call and size dispatch as
// on Bedrock's ~90 bytes.
inline bool SameBlock(const char* a, const char* b, size_t size) {
#if defined(__SSE2__) && !defined(__EMSCRIPTEN__)
  if (size >= 16) {
    const auto load = [](const char* p) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    };
    __m128i diff = _mm_xor_si128(load(a + size - 16), load(b + size - 16));
    for (size_t i = 0; i + 16 <= size; i += 16) {
      diff = _mm_or_si128(diff, _mm_xor_si128(load(a + i), load(b + i)));
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) == 0xFFFF;
  }
#endif
  return common::EqualBytes(a, b, size);
}

}  // namespace

inline bool EventStreamFramer::ReadPrelude(const char* p, uint32_t* total) {
  // The CRC first: corrupted lengths are reported as corruption, not as a message too large.
  const bool crc_ok = Crc32(0, std::string_view(p, 8)) == Be32(p + 8);
  *total = Be32(p);
  const uint32_t headers = Be32(p + 4);
  if (!crc_ok || *total < kOverhead || headers > *total - kOverhead ||
      *total > limits().max_frame_bytes) [[unlikely]] {
    return BadPrelude(p, !crc_ok);
  }
  return true;
}

bool EventStreamFramer::BadPrelude(const char* p, bool crc_mismatch) {
  if (crc_mismatch) return Fail(ErrorCode::kBadFrame, "AWS event-stream prelude CRC mismatch");
  const uint32_t total = Be32(p);
  const uint32_t headers = Be32(p + 4);
  if (total < kOverhead || headers > total - kOverhead) {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message of " + std::to_string(total) +
                                          " bytes cannot hold its " + std::to_string(headers) +
                                          " bytes of headers, prelude and CRCs");
  }
  return FailTooLarge("AWS event-stream message");
}

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

const EventStreamFramer::Headers* EventStreamFramer::ParseBlock(std::string_view block) {
  cached_ = false;
  offered_ = false;
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

bool EventStreamFramer::Message(std::string_view message, bool in_read) {
  // (ReadPrelude checked the lengths: views are built without substr's bounds checks.)
  const char* const m = message.data();
  const size_t crc_at = message.size() - 4;
  // The message CRC covers the prelude too; ReadPrelude found the prelude CRC field equal to
  // the CRC of the first 8 bytes, so the field's value is where the message CRC goes on from.
  const uint32_t crc = Crc32(Be32(m + 8), std::string_view(m + 8, crc_at - 8));
  if (crc != Be32(m + crc_at)) [[unlikely]] {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message CRC mismatch");
  }
  const size_t headers_size = Be32(m + 4);
  const std::string_view block(m + kPrelude, headers_size);
  // Bedrock sends the same headers before every delta (event type, content type, message type:
  // ~90 bytes): one comparison with the last block replaces the parse, whose name comparisons
  // were a tenth of a message's cost. The fields are offsets, so they hold in an equal block.
  const bool same_block = cached_ && block.size() == last_headers_.size() &&
                          SameBlock(block.data(), last_headers_.data(), block.size());
  const Headers* headers = same_block ? &parsed_ : ParseBlock(block);
  if (headers == nullptr) [[unlikely]] {
    return Fail(ErrorCode::kBadFrame, "AWS event-stream message with malformed headers");
  }
  const std::string_view message_type = headers->message_type.In(block);
  const std::string_view payload(m + kPrelude + headers_size, crc_at - kPrelude - headers_size);
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
  if (in_read && shortcut() != nullptr) {
    // The names are those of the last offer when both came from the cached block.
    const bool same_names = same_block && offered_;
    offered_ = cached_;
    if (shortcut()->MatchPayload(event_type, message_type, payload, same_names) == payload.size() &&
        !payload.empty()) {
      shortcut()->TakePayload();
      return true;
    }
  }
  return Deliver(event_type, payload, message_type);
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
  offered_ = false;
  ResetBase();
}

}  // namespace llmstream::framing
