// PartialJson: follows a JSON text that arrives in fragments (streamed tool-call arguments) and
// can show, at any moment, the part that has arrived as a valid JSON text.
//
// Providers stream a tool call's arguments as fragments of one JSON object, cut anywhere: inside
// a key, inside a string, between the backslash and the rest of an escape, inside a number or a
// `true`. UIs want to render the arguments while they stream, and callers want to know as soon as
// the text can no longer be valid. Re-parsing the whole text for every fragment would be
// quadratic, so PartialJson is a byte-driven state machine with a container stack: Append looks at
// every byte exactly once, whatever the fragmentation.
//
// Usage:
//   PartialJson args;
//   for (...each fragment...) {
//     args.Append(fragment);
//     if (args.failed()) break;              // report args.error_offset()
//     Render(args.Snapshot());               // e.g. {"city":"Edinb"}
//   }
//   if (args.complete()) Use(args.text());
//
// Validity is exactly nlohmann::json 3.11's (RFC 8259 plus UTF-8 validation of string bytes; a
// lone surrogate escape is an error; a number that overflows a double, like 1e400, is an error),
// with two exceptions shared with json::Reader: a leading byte order mark is an error (nlohmann
// skips it), and so is a NUL byte after the value (nlohmann stops reading at a NUL). There is no
// nesting limit (the stack is a vector; nothing recurses).
//
// Snapshot rules. Snapshot() returns "" while the text is empty or whitespace only (so callers can
// tell "nothing yet"); otherwise a valid JSON text built as
//     (the text from its first non-whitespace byte up to a cut point) + (closers),
// where the cut point and closers are:
//   1. Inside a string value (not a key): the cut is after the string's last complete character,
//      so a trailing incomplete escape (`\`, `\u00`), a high surrogate escape still waiting for
//      its low half, or an incomplete UTF-8 sequence is dropped; then `"` closes the string.
//      `{"a":"Edinb` gives `{"a":"Edinb"}`; `["x\u00` gives `["x"]`.
//   2. Everywhere else, the cut is right after the last complete element of the innermost open
//      container, or right after its opening bracket when it has none. This drops a dangling
//      comma, a dangling key (complete or not) with its colon, and an incomplete literal (`tr`).
//      Numbers: a number inside a container counts as complete only once a byte that cannot
//      extend it has arrived (`[12` gives `[]`, `[12,` gives `[12]`), because `12` may still
//      become `123`; an invalid prefix such as `-` or `1.` is never kept.
//   3. Then one `]` or `}` per open container, innermost first. An open container is kept even
//      when empty: `{"a":[1,{"b":` gives `{"a":[1,{}]}`.
//   4. A top-level scalar is shown only when it is a valid JSON text by itself: a string per
//      rule 1 (`"ab` gives `"ab"`), a literal once complete, a number while its text is a valid
//      number (`12` gives `12`, `12.` gives "", `1e400` gives "").
//   After complete(), Snapshot() is the value's text without surrounding whitespace.
// Monotonicity: for a text without duplicate keys, every element or member that is complete in
// one snapshot appears unchanged in every later snapshot; only the last (open) string or
// container grows. Top-level numbers (rule 4) are the exception.
// After failed(), parsing stops at the offending byte and Snapshot() shows the state before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream {

class PartialJson {
 public:
  PartialJson() = default;

  // Adds the next fragment. Linear in the fragment's size; never re-parses earlier bytes. After
  // a failure the bytes are still appended to text() but no longer parsed.
  void Append(std::string_view fragment);

  // Everything appended so far, as received.
  const std::string& text() const { return text_; }

  // True when text() is one complete, valid JSON value with only whitespace around it (the text
  // parses as-is). A top-level number counts as complete as soon as it is a valid number.
  bool complete() const;

  // True when no continuation can make text() valid JSON any more. Reported at the offending
  // byte, except that a number too large for a double is reported once the number has ended.
  bool failed() const { return failed_; }
  // Offset in text() of the byte that made it invalid (0 when not failed).
  size_t error_offset() const { return error_offset_; }
  // What was wrong at error_offset(); empty when not failed.
  std::string_view error_message() const { return error_message_; }

  // A valid JSON text for what has arrived (see the rules above); "" when nothing has. O(size).
  std::string Snapshot() const;

  // Forgets everything (keeps the buffers' capacity).
  void Reset();

 private:
  enum class Mode : uint8_t;
  enum class NumberState : uint8_t;

  void Run();
  void Fail(size_t at, std::string_view message);
  // A value ended at `end` (exclusive): it becomes part of the safe prefix.
  void ValueEnded(size_t end);
  // Begins the value whose first byte is text_[at]; false when it cannot start a value.
  bool StartValue(size_t at);
  bool NumberIsComplete() const;
  // Whether the number text_[number_start_, end) is beyond the range of a double.
  bool NumberOverflows(size_t end) const;

  static constexpr size_t kNone = static_cast<size_t>(-1);

  std::string text_;
  std::vector<char> closers_;   // the closing bracket of every open container, innermost last
  size_t parsed_ = 0;           // bytes of text_ consumed by the state machine
  size_t value_start_ = kNone;  // first non-whitespace byte
  size_t safe_end_ = kNone;     // end of the safe prefix outside strings (rule 2)
  size_t string_safe_end_ = 0;  // end of the safe prefix inside the open string (rule 1)
  size_t number_start_ = 0;     // first byte of the number being read
  Mode mode_{};
  NumberState number_state_{};
  bool in_key_ = false;            // the open string is an object key
  bool in_low_surrogate_ = false;  // the \u escape being read is the low half of a pair
  uint8_t hex_digits_ = 0;         // hex digits read of the current \u escape
  uint8_t utf8_pending_ = 0;       // continuation bytes still expected
  uint8_t utf8_low_ = 0x80;        // allowed range of the next continuation byte
  uint8_t utf8_high_ = 0xBF;
  uint16_t code_unit_ = 0;    // value of the \u escape being read
  std::string_view literal_;  // "true", "false" or "null" while one is being read
  uint8_t literal_matched_ = 0;
  bool failed_ = false;
  size_t error_offset_ = 0;
  std::string_view error_message_;
};

}  // namespace llmstream
