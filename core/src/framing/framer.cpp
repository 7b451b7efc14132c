#include "framing/framer.h"

#include <algorithm>
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

class NullSink final : public SseSink {
 public:
  void OnEvent(const SseEvent& /*event*/) override {}
};

// `text` itself when valid UTF-8, else its repair in `scratch`.
std::string_view Repaired(std::string_view text, std::string* scratch) {
  const size_t valid = sse::ValidUtf8Prefix(text);
  if (valid == text.size()) return text;
  scratch->assign(text.data(), valid);
  sse::AppendRepairedUtf8(text.substr(valid), scratch);
  return *scratch;
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

bool Framer::Deliver(std::string_view type, std::string_view data, std::string_view id) {
  const size_t valid = sse::ValidUtf8Prefix(data);
  if (valid != data.size()) {
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
