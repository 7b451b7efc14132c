// A deliberately naive SSE parser, the oracle for differential tests of the real one
// (tests/sse_parser_test.cpp and fuzz/fuzz_sse.cpp): WHATWG UTF-8 decoding to code points first,
// then the character loop of shared/docs/wire-formats.md section 1.7, one byte at a time, with
// none of the real parser's buffering or fast paths. No limits: inputs must be small.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream::testing {

struct SseRecord {
  std::string type;
  std::string data;
  std::string id;
  std::optional<int64_t> retry;  // the reconnection time known when the event was dispatched
  bool operator==(const SseRecord&) const = default;
};
// {event:"..", data:"..", id:"..", retry:N|null} with control and non-ASCII bytes as \xHH.
std::ostream& operator<<(std::ostream& os, const SseRecord& record);

class ReferenceSseParser {
 public:
  void Feed(std::string_view bytes);
  // End of stream: a partial UTF-8 sequence becomes U+FFFD (its line is discarded anyway).
  void Finish();

  std::vector<SseRecord> events;
  std::string last_id;
  std::optional<int64_t> retry;

 private:
  void Decode(unsigned char byte);
  void Char(uint32_t code_point);
  void Line();

  uint32_t cp_ = 0;
  int needed_ = 0, seen_ = 0;
  unsigned char lower_ = 0x80, upper_ = 0xBF;
  bool at_start_ = true, prev_cr_ = false;
  std::string line_, data_, type_, id_buf_;
};

}  // namespace llmstream::testing
