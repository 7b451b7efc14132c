#include "framing/framer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "sse/utf8.h"

namespace llmstream {

std::string_view FramingName(Framing framing) {
  switch (framing) {
    case Framing::kSse:
      return "sse";
    case Framing::kNdjson:
      return "ndjson";
    case Framing::kAwsEventStream:
      return "aws-eventstream";
    case Framing::kJsonArray:
      return "json-array";
  }
  return "unknown";
}

namespace framing {
namespace {

template <typename T>
T Load(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

class NullSink final : public SseSink {
 public:
  void OnEvent(const SseEvent& /*event*/) override {}
};

// Whether `text` (up to a few words) is ASCII: word loads, the last one overlapping.
bool IsShortAscii(std::string_view text) {
  const char* const p = text.data();
  const size_t n = text.size();
  uint64_t bits = 0;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) bits |= Load<uint64_t>(p + i);
    bits |= Load<uint64_t>(p + n - 8);
  } else if (n >= 4) {
    bits = Load<uint32_t>(p) | Load<uint32_t>(p + n - 4);
  } else {
    for (size_t i = 0; i < n; ++i) bits |= static_cast<unsigned char>(p[i]);
  }
  return (bits & 0x8080808080808080u) == 0;
}

// `text` itself when valid UTF-8, else its repair in `scratch`. Types and ids are short and
// ASCII nearly always (a framer's "message", an empty id, Bedrock's event types), which is
// checked inline: the general check was a tenth of a JSON-array element's cost.
__attribute__((noinline)) std::string_view RepairedSlow(std::string_view text,
                                                        std::string* scratch) {
  const size_t valid = sse::ValidUtf8Prefix(text);
  if (valid == text.size()) return text;
  scratch->assign(text.data(), valid);
  sse::AppendRepairedUtf8(text.substr(valid), scratch);
  return *scratch;
}

// (The check inline, the rest, with its saved registers, out of line.)
inline std::string_view Repaired(std::string_view text, std::string* scratch) {
  return text.size() <= 32 && IsShortAscii(text) ? text : RepairedSlow(text, scratch);
}

}  // namespace

Framer::Framer(SseSink* sink, FramingLimits limits) : sink_(sink), limits_(limits) {
  static NullSink null_sink;
  if (sink_ == nullptr) sink_ = &null_sink;
}

bool Framer::Accept(std::string_view bytes) {
  if (failed_) return false;
  bytes_fed_ += bytes.size();
  return true;
}

bool Framer::Deliver(std::string_view type, std::string_view data, std::string_view id,
                     NonAscii non_ascii) {
  // Only the range can hold a bad byte; a sequence cut at its edges is bad in both (the bytes
  // outside are ASCII), so the range is valid exactly when the whole is.
  const size_t begin = std::min(non_ascii.begin, data.size());
  const size_t end = std::clamp(non_ascii.end, begin, data.size());
  if (!sse::IsValidUtf8(data.substr(begin, end - begin))) {
    const size_t valid = sse::ValidUtf8Prefix(data);
    // Sized first, so a repair that would pass the limit (up to 3 bytes per bad byte) is refused
    // before it is built.
    const size_t repaired = valid + sse::RepairedUtf8Size(data.substr(valid));
    if (repaired > limits_.max_frame_bytes) return FailTooLarge("payload after UTF-8 repair");
    repaired_data_.assign(data.data(), valid);
    sse::AppendRepairedUtf8(data.substr(valid), &repaired_data_);
    data = repaired_data_;
  }
  SseEvent event;
  event.type = Repaired(type, &repaired_type_);
  event.data = data;
  event.id = Repaired(id, &repaired_id_);
  sink_->OnEvent(event);
  return true;
}

bool Framer::Fail(ErrorCode code, std::string message) {
  failed_ = true;
  error_.code = code;
  error_.message = std::move(message);
  return false;
}

bool Framer::FailTooLarge(std::string_view what) {
  return Fail(ErrorCode::kFrameTooLarge, std::string(what) + " larger than " +
                                             std::to_string(limits_.max_frame_bytes) +
                                             " bytes (FramingLimits::max_frame_bytes)");
}

void Framer::ResetBase() {
  bytes_fed_ = 0;
  failed_ = false;
  error_ = Error{};
}

void Framer::AppendBounded(std::string* buffer, std::string_view bytes, size_t cap) {
  const size_t needed = buffer->size() + bytes.size();
  const size_t capacity = buffer->capacity();
  if (needed > capacity) {
    const size_t target = std::max(needed, std::min(cap, 2 * capacity));
    if (target >= 2 * capacity) {
      buffer->reserve(target);
    } else {
      // libstdc++ rounds a smaller reserve up to twice the capacity, past the cap: a fresh
      // string gets exactly `target`.
      std::string fresh;
      fresh.reserve(target);
      fresh.append(*buffer);
      buffer->swap(fresh);
    }
  }
  buffer->append(bytes);
}

}  // namespace framing
}  // namespace llmstream
