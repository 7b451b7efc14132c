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
#include "support/reference_sse.h"

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

// by_event: each read goes in through FeedUntilEvent, one event at a time (as Stream does).
Result Parse(std::string_view body, const std::vector<size_t>& sizes, const SseLimits& limits,
             bool by_event = false) {
  RecordingSink sink;
  SseParser parser(&sink, limits);
  size_t offset = 0;
  auto feed = [&](size_t size) {
    std::string buffer(body.substr(offset, size));
    buffer.shrink_to_fit();
    if (!by_event) {
      parser.Feed(buffer);
    } else {
      std::string_view rest = buffer;
      while (!rest.empty()) {
        const size_t used = parser.FeedUntilEvent(rest);
        Check(used <= rest.size(), "FeedUntilEvent takes at most its input");
        Check(used == rest.size() || (used > 0 && parser.between_events()),
              "FeedUntilEvent stops only after an event, between events");
        rest.remove_prefix(used);
      }
    }
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
  Check(Parse(body, {size}, limits, /*by_event=*/true) == whole, "FeedUntilEvent == Feed");
  Check(Parse(body, sizes, limits, /*by_event=*/true) == whole, "FeedUntilEvent split == whole");

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
    llmstream::testing::ReferenceSseParser reference;
    reference.Feed(body);
    reference.Finish();
    std::vector<Item> expected;
    for (const llmstream::testing::SseRecord& event : reference.events) {
      expected.push_back({'e', event.type, event.data, event.id, 0});
    }
    std::vector<Item> events;
    for (const Item& item : whole.items) {
      if (item.kind == 'e') events.push_back(item);
    }
    Check(events == expected, "events == naive reference");
    Check(whole.last_id == reference.last_id, "last event ID == naive reference");
    Check(whole.retry == reference.retry, "retry == naive reference");
  }
  return 0;
}
