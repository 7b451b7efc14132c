// JsonArrayFramer: a streamed JSON array (Gemini streamGenerateContent without alt=sse) into one
// payload per top-level element:
//
//   ws [ ws ELEMENT ws , ws ELEMENT ws ... ] ws        or   ws [ ws ] ws
//
// ELEMENT is an object or an array, pretty-printed across lines or not. Its end is found by
// counting brackets outside strings (a string ends at a quote not escaped by a backslash), with
// the state kept across reads, so the work is linear whatever the split: 64 bytes at a time
// with SIMD where a block holds no backslash, byte by byte (skipping runs) where it does.
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

  // For the tests, which run both: false makes x86-64 classify blocks with SSE2 (the baseline)
  // even where the CPU has AVX2.
  static void UseAvx2(bool use) { use_avx2_ = use; }

 private:
  enum class State : uint8_t {
    kStart,         // before the `[`
    kFirst,         // after `[`: an element or `]`
    kElement,       // inside an element
    kAfterElement,  // `,` or `]`
    kNext,          // after `,`: an element
    kDone,          // after `]`: only whitespace
  };
  // One bit per byte of a 64-byte block: inside a string if no string was open before the block
  // (a prefix XOR of the quotes), brackets, bytes >= 0x80; and whether it has a backslash.
  struct Block {
    uint64_t strings = 0, bracket = 0, non_ascii = 0;
    bool backslash = false;
  };

  // Scans element bytes from `p`: the end of the element (one past its closing bracket), or
  // nullptr when `end` came first.
  const char* ScanElement(const char* p, const char* end);
  // The same over whole 64-byte blocks from *at; *at is left where the blocks stopped (at the
  // end of the one where the element ended, or with less than a block to `end`).
  const char* ScanBlocks(const char** at, const char* end);
  const char* ScanBlocksAvx2(const char** at, const char* end);  // (x86-64 only)
  // The same over the 64 bytes at `p`, classified in `block` (which has no backslash).
  const char* ScanBlock(const char* p, const Block& block);
  // The same byte by byte, for blocks with a backslash (or builds without SIMD).
  const char* ScanBytes(const char* p, const char* end);
  void NoteNonAscii(const char* p, uint64_t bits);
  bool Unexpected(char c);

  State state_ = State::kStart;
  size_t depth_ = 0;  // open brackets of the element
  bool in_string_ = false;
  bool escaped_ = false;  // in a string, after a backslash
  std::string held_;      // the start of an element that straddles reads
  // The element's first and one-past-last byte >= 0x80 (nullptr: none), known while every byte
  // of it went through ScanBlock: Deliver then checks the UTF-8 of that range only.
  const char* non_ascii_begin_ = nullptr;
  const char* non_ascii_end_ = nullptr;
  bool non_ascii_known_ = false;

  static bool use_avx2_;
};

}  // namespace llmstream::framing
