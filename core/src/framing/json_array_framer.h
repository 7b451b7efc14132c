// JsonArrayFramer: a streamed JSON array (Gemini streamGenerateContent without alt=sse) into one
// payload per top-level element:
//
//   ws [ ws ELEMENT ws , ws ELEMENT ws ... ] ws        or   ws [ ws ] ws
//
// ELEMENT is an object or an array, pretty-printed across lines or not. Its end is found by
// counting brackets outside strings (a string ends at a quote not escaped by a backslash), one
// byte at a time with the state kept across reads, so the work is linear whatever the split.
// Brackets are counted, not matched: `{"a":1]` ends an element, and the dialect's JSON reader
// refuses it. Anything else between elements (no `[`, a scalar element, a missing comma, a
// trailing comma, bytes after `]`) ends the stream with kBadFrame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "framing/framer.h"

namespace llmstream::framing {

class JsonArrayFramer final : public Framer {
 public:
  JsonArrayFramer(SseSink* sink, FramingLimits limits) : Framer(sink, limits) {}

  bool Feed(std::string_view bytes) override;
  FramingEnd Finish() override;
  void Reset() override;

 private:
  enum class State : uint8_t {
    kStart,         // before the `[`
    kFirst,         // after `[`: an element or `]`
    kElement,       // inside an element
    kAfterElement,  // `,` or `]`
    kNext,          // after `,`: an element
    kDone,          // after `]`: only whitespace
  };
  // Scans element bytes from `p`: the end of the element (one past its closing bracket), or
  // nullptr when `end` came first.
  const char* ScanElement(const char* p, const char* end);
  bool Unexpected(char c);

  State state_ = State::kStart;
  size_t depth_ = 0;  // open brackets of the element
  bool in_string_ = false;
  bool escaped_ = false;  // in a string, after a backslash
  std::string held_;      // the start of an element that straddles reads
};

}  // namespace llmstream::framing
