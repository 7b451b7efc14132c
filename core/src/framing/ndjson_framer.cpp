#include "framing/ndjson_framer.h"

#include <cstring>

#include "json/arena.h"
#include "json/reader.h"

namespace llmstream::framing {
namespace {

constexpr char kMessage[] = "message";

std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Only JSON whitespace (what a JSON text may hold around its value): nothing to deliver.
bool IsBlank(std::string_view line) {
  for (const char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

bool IsOneJsonValue(std::string_view text) {
  json::Arena arena;
  json::Reader reader(text, &arena);
  return reader.Skip() && reader.Finish();
}

}  // namespace

bool NdjsonFramer::Feed(std::string_view bytes) {
  if (!Accept(bytes)) return false;
  const size_t limit = limits().max_frame_bytes;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    const void* found = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* const eol = found ? static_cast<const char*>(found) : end;
    const std::string_view piece(p, static_cast<size_t>(eol - p));
    if (held_.empty() && eol != end) {
      if (!Line(piece)) return false;  // the line lies inside this read: no copy
    } else {
      // A line may hold limit bytes and the CR of its CRLF: more than that can never fit.
      if (held_.size() + piece.size() > limit + 1) return FailTooLarge("NDJSON line");
      AppendBounded(&held_, piece, limit + 1);
      if (eol == end) break;
      if (!Line(held_)) return false;
      held_.clear();
    }
    p = eol + 1;
  }
  return true;
}

bool NdjsonFramer::Line(std::string_view line) {
  line = WithoutCr(line);
  if (line.size() > limits().max_frame_bytes) return FailTooLarge("NDJSON line");
  if (IsBlank(line)) return true;
  return Deliver(kMessage, line, {});
}

FramingEnd NdjsonFramer::Finish() {
  FramingEnd end;
  if (failed()) return end;
  const std::string_view last = WithoutCr(held_);
  if (last.size() > limits().max_frame_bytes) {
    FailTooLarge("NDJSON line");
    return end;
  }
  if (!IsBlank(last)) {
    if (IsOneJsonValue(last)) {
      if (!Deliver(kMessage, last, {})) return end;
    } else {
      end.partial_payload = true;
    }
  }
  held_.clear();
  return end;
}

void NdjsonFramer::Reset() {
  held_.clear();
  ResetBase();
}

}  // namespace llmstream::framing
