// What the CLI writes for a person to read (the answer on stdout in text mode, everything on
// stderr) is text, never commands for their terminal. Model output and upstream error bodies are
// untrusted: an ESC can clear the screen, set the window title, or write the clipboard (OSC 52),
// and a lone CR can overwrite a line already shown. So every control character is replaced with
// a visible escape:
//
//   C0 controls (0x00-0x1F) and DEL  ->  \xNN (two lowercase hex digits), e.g. ESC -> \x1b
//                                         kept: LF, TAB, and CR when an LF follows it (CRLF)
//   C1 controls U+0080-U+009F        ->  \u00NN, e.g. U+009B (CSI) -> \u009b
//   bytes that are not valid UTF-8   ->  \xNN each (a raw 0x9B is CSI to an 8-bit terminal)
//
// Everything else (printable ASCII, valid UTF-8 above U+009F) passes unchanged. The filter works
// byte by byte with at most 3 bytes held between calls (a CR whose LF may follow, or an
// incomplete UTF-8 character), so the result does not depend on how the text was split.
//
// --json is exact instead: JSON escaping makes C0 safe, and EscapeJsonControls writes DEL and C1
// as \u escapes, which decode to the same text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmstream::cli {

class ControlFilter {
 public:
  // Appends `text` to *out, neutralized; may hold up to 3 bytes back until the next call.
  void Push(std::string_view text, std::string* out);
  // The end of the text: what was held back is appended, neutralized.
  void Flush(std::string* out);
  bool holding() const { return !held_.empty(); }
  // Bytes copied or filtered so far (tests check that it stays linear in the input).
  uint64_t work() const { return work_; }

 private:
  void Filter(std::string_view text, bool final, std::string* out);
  std::string held_;
  uint64_t work_ = 0;
};

// The whole of `text` at once (a message, a report).
std::string NeutralizeControls(std::string_view text);

// One JSON document in place: DEL and the C1 code points become \u007f, \u0080-\u009f. Valid
// only for JSON text (outside strings there are no such bytes; a 0xC2 byte always starts a
// character).
void EscapeJsonControls(std::string* json);

}  // namespace llmstream::cli
