// libFuzzer target for SseParser. Properties checked on every input:
//   1. the result (events, comments, retries, last event ID, retry, Finish report, error) does not
//      depend on how the body is split into reads: whole, split at positions derived from the
//      first input bytes (0-byte reads included), and byte by byte for small inputs;
//   2. every type / data / id / comment string handed out is valid UTF-8;
//   3. with default limits, the events equal those of a naive reference that decodes to code
//      points first and then runs the WHATWG character loop (wire-formats.md 1.7).
// Each read is copied into its own heap buffer that is scribbled over after Feed, so a view the
// parser keeps into the caller's bytes shows up (ASan or a mismatch).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/sse_parser.h"

namespace {

using llmstream::ErrorCode;
using llmstream::SseEnd;
using llmstream::SseEvent;
using llmstream::SseLimits;
using llmstream::SseParser;
using llmstream::SseSink;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_sse: property violated: %s\n", what);
    std::abort();
  }
}

// Independent of core/src/sse/utf8.cpp on purpose.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

struct Item {
  char kind;  // 'e' event, 'c' comment, 'r' retry
  std::string type, data, id;
  int64_t retry = 0;
  bool operator==(const Item&) const = default;
};

class RecordingSink : public SseSink {
 public:
  void OnEvent(const SseEvent& event) override {
    Check(IsValidUtf8(event.type) && IsValidUtf8(event.data) && IsValidUtf8(event.id),
          "event strings are valid UTF-8");
    Check(!event.type.empty(), "event type is never empty");
    items.push_back(
        {'e', std::string(event.type), std::string(event.data), std::string(event.id), 0});
  }
  void OnComment(std::string_view text) override {
    Check(IsValidUtf8(text), "comment is valid UTF-8");
    items.push_back({'c', {}, std::string(text), {}, 0});
  }
  void OnRetry(int64_t ms) override {
    Check(ms >= 0, "retry is not negative");
    items.push_back({'r', {}, {}, {}, ms});
  }
  std::vector<Item> items;
};

struct Result {
  std::vector<Item> items;
  std::string last_id;
  std::optional<int64_t> retry;
  bool partial_line = false;
  bool pending_event = false;
  ErrorCode error = ErrorCode::kNone;
  bool operator==(const Result&) const = default;
};

Result Parse(std::string_view body, const std::vector<size_t>& sizes, const SseLimits& limits) {
  RecordingSink sink;
  SseParser parser(&sink, limits);
  size_t offset = 0;
  auto feed = [&](size_t size) {
    std::string buffer(body.substr(offset, size));
    buffer.shrink_to_fit();
    parser.Feed(buffer);
    for (char& c : buffer) c = '\xAA';
    offset += size;
  };
  for (size_t size : sizes) {
    if (offset >= body.size()) size = 0;
    feed(std::min(size, body.size() - offset));
  }
  if (offset < body.size()) feed(body.size() - offset);
  const SseEnd end = parser.Finish();
  Check(IsValidUtf8(parser.last_event_id()), "last event ID is valid UTF-8");
  Result result;
  result.items = std::move(sink.items);
  result.last_id = std::string(parser.last_event_id());
  result.retry = parser.retry_ms();
  result.partial_line = end.partial_line;
  result.pending_event = end.pending_event;
  result.error = parser.error().code;
  Check(parser.bytes_fed() <= body.size(), "bytes_fed counts at most the body");
  return result;
}

// The naive reference: WHATWG UTF-8 decode to code points, then the section 1.7 loop.
class Reference {
 public:
  explicit Reference(std::string_view body) {
    for (const char c : body) Decode(static_cast<unsigned char>(c));
  }
  std::vector<Item> events;
  std::string last_id;
  std::optional<int64_t> retry;

 private:
  void Decode(unsigned char byte) {
    if (needed_ == 0) {
      if (byte <= 0x7F) return Char(byte);
      if (byte >= 0xC2 && byte <= 0xDF) {
        needed_ = 1;
        cp_ = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower_ = 0xA0;
        if (byte == 0xED) upper_ = 0x9F;
        needed_ = 2;
        cp_ = byte & 0xF;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower_ = 0x90;
        if (byte == 0xF4) upper_ = 0x8F;
        needed_ = 3;
        cp_ = byte & 0x7;
      } else {
        Char(0xFFFD);
      }
      return;
    }
    if (byte < lower_ || byte > upper_) {
      cp_ = 0;
      needed_ = seen_ = 0;
      lower_ = 0x80;
      upper_ = 0xBF;
      Char(0xFFFD);
      return Decode(byte);
    }
    lower_ = 0x80;
    upper_ = 0xBF;
    cp_ = (cp_ << 6) | (byte & 0x3F);
    if (++seen_ != needed_) return;
    const uint32_t cp = cp_;
    cp_ = 0;
    needed_ = seen_ = 0;
    Char(cp);
  }
  void Char(uint32_t cp) {
    if (at_start_) {
      at_start_ = false;
      if (cp == 0xFEFF) return;
    }
    if (prev_cr_) {
      prev_cr_ = false;
      if (cp == '\n') return;
    }
    if (cp == '\r') {
      prev_cr_ = true;
      Line();
    } else if (cp == '\n') {
      Line();
    } else if (cp < 0x80) {
      line_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      line_ += static_cast<char>(0xC0 | (cp >> 6));
      line_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      line_ += static_cast<char>(0xE0 | (cp >> 12));
      line_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      line_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      line_ += static_cast<char>(0xF0 | (cp >> 18));
      line_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      line_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      line_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  void Line() {
    std::string line;
    line.swap(line_);
    if (line.empty()) {
      last_id = id_buf_;
      if (data_.empty()) {
        type_.clear();
        return;
      }
      data_.pop_back();
      events.push_back({'e', type_.empty() ? "message" : type_, data_, last_id, 0});
      data_.clear();
      type_.clear();
      return;
    }
    if (line[0] == ':') return;
    const size_t colon = line.find(':');
    const std::string name = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (name == "event") type_ = value;
    if (name == "data") data_ += value + "\n";
    if (name == "id" && value.find('\0') == std::string::npos) id_buf_ = value;
    if (name == "retry" && !value.empty() &&
        value.find_first_not_of("0123456789") == std::string::npos) {
      int64_t ms = 0;
      for (const char c : value) {
        const int64_t digit = c - '0';
        constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
        ms = ms > (kMax - digit) / 10 ? kMax : ms * 10 + digit;
      }
      retry = ms;
    }
  }

  uint32_t cp_ = 0;
  int needed_ = 0;
  int seen_ = 0;
  unsigned char lower_ = 0x80;
  unsigned char upper_ = 0xBF;
  bool at_start_ = true;
  bool prev_cr_ = false;
  std::string line_, data_, type_, id_buf_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  // Small limits for inputs whose first byte is odd, so the failure paths get exercised too.
  SseLimits limits;
  const bool small_limits = size >= 3 && (data[0] & 1) != 0;
  if (small_limits) {
    limits.max_line_bytes = data[1] % 64;
    limits.max_event_bytes = data[2] % 96;
  }

  const Result whole = Parse(body, {size}, limits);

  // Read sizes from a generator seeded by the first bytes; 0-byte reads included.
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < size && i < 8; ++i) seed = (seed ^ data[i]) * 0x100000001B3ull;
  const size_t max_read = 1 + (seed >> 60);  // 1..16
  std::vector<size_t> sizes;
  for (size_t total = 0; total < size;) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    const size_t read = seed % (max_read + 1);
    sizes.push_back(read);
    total += read;
  }
  Check(Parse(body, sizes, limits) == whole, "split at derived positions == whole");

  // Every two-read split and byte by byte (with empty reads between) for small inputs.
  if (size <= 512) {
    for (size_t at = 0; at <= size; at += 1 + size / 64) {
      Check(Parse(body, {at}, limits) == whole, "two reads == whole");
    }
    std::vector<size_t> bytes;
    for (size_t i = 0; i < size; ++i) {
      bytes.push_back(1);
      bytes.push_back(0);
    }
    Check(Parse(body, bytes, limits) == whole, "byte by byte == whole");
  }

  if (!small_limits) {
    Check(whole.error == ErrorCode::kNone, "default limits are not hit by small inputs");
    const Reference reference(body);
    std::vector<Item> events;
    for (const Item& item : whole.items) {
      if (item.kind == 'e') events.push_back(item);
    }
    Check(events == reference.events, "events == naive reference");
    Check(whole.last_id == reference.last_id, "last event ID == naive reference");
    Check(whole.retry == reference.retry, "retry == naive reference");
  }
  return 0;
}
