// Reader: the hot-path JSON pull parser.
//
// Every provider event is one small JSON object, and the dialects need only a few of its fields.
// Building a DOM (nlohmann: ~2,400 ns per OpenAI chunk) would cost 25x the whole per-token budget,
// so dialects walk the text with this pull parser instead: they ask for the fields they want and
// Skip the rest. Skipping still validates: a payload that is not valid JSON (RFC 8259) is always
// reported as an error, even when the broken part is in a field nobody reads. Strings without
// escapes come back as views into the input (zero copy); escaped ones are unescaped into an Arena.
//
// Usage:
//   Reader reader(payload, &arena);
//   if (!reader.BeginObject()) return Error();
//   std::string_view key;
//   while (reader.NextField(&key)) {
//     if (key == "text") {
//       if (!reader.GetString(&text) && !reader.Skip()) break;  // wrong type: ignore it
//     } else if (!reader.Skip()) {
//       break;
//     }
//   }
//   if (!reader.Finish()) return Error(reader.error_message());
//
// Protocol. The reader is always either positioned at a value (at the start, and after NextField /
// NextElement returned true), or inside a container between values. A value is consumed by
// exactly one of Get*, Skip, SkipRaw, or BeginObject/BeginArray followed by Next* calls until they
// return false. Calling a method out of turn (e.g. NextField while positioned at a value, Finish
// before the top-level value was consumed) puts the reader in the failed state.
//
// Errors. A syntax error puts the reader in the failed state: every later call returns false (Peek
// returns kInvalid) and failed(), error_offset() and error_message() describe the first error.
// A type mismatch is not an error: Get*/Begin* return false, consume nothing, and the caller may
// try another getter or Skip.
//
// Strictness matches nlohmann::json 3.11's parser on valid UTF-8 input, with three exceptions: a
// leading UTF-8 byte order mark is an error here (nlohmann skips it); a NUL byte after the value
// is an error here (nlohmann stops reading at a NUL, so "{}\0junk" passes there); and nesting
// deeper than kMaxDepth is an error (kTooDeepError) instead of growing without bound. Like
// nlohmann, the reader rejects lone surrogate escapes; numbers that overflow a double (1e400)
// are valid syntax for Skip, but GetDouble refuses them (nlohmann rejects the whole text). UTF-8
// inside strings is not validated (the SSE layer guarantees it); bytes >= 0x80 outside strings
// are errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json/arena.h"

namespace llmstream::json {

enum class ValueType : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject, kInvalid };

class Reader {
 public:
  // Containers nest at most this deep (the top-level value's container has depth 1).
  static constexpr uint32_t kMaxDepth = 512;
  // error_message() after nesting deeper than kMaxDepth, so callers can tell the limit apart
  // from invalid JSON.
  static constexpr std::string_view kTooDeepError = "nesting deeper than 512 levels";

  // `text` must outlive the reader and every view it returns; `arena` receives unescaped strings
  // (and the rare long number copy). A null arena makes escaped strings an error.
  Reader(std::string_view text, Arena* arena);

  // Reader is a small value (about 110 bytes, no heap): copying it is a cheap way to look ahead.
  Reader(const Reader&) = default;
  Reader& operator=(const Reader&) = default;

  // Classifies the value the reader is positioned at by its first byte, skipping whitespace.
  // kInvalid when that byte cannot start a value, when the reader is not positioned at a value,
  // or after an error. Consumes nothing (and never fails the reader).
  ValueType Peek();

  // Consumes '{'. False (no error, nothing consumed) when the value is not an object.
  bool BeginObject();
  // Moves to the next field of the current object: true with *key (unescaped, valid like
  // GetString's views) when positioned at that field's value, which the caller must consume
  // next. False when the object ended ('}' consumed; the object counts as consumed) or on error.
  // Handles the ',' and ':' separators itself.
  bool NextField(std::string_view* key);

  // Consumes '['. False (no error, nothing consumed) when the value is not an array.
  bool BeginArray();
  // Same contract as NextField, for arrays: true when positioned at the next element.
  bool NextElement();

  // The unescaped string. A view into the input when the string has no escapes, else into the
  // arena (valid until arena->Reset()).
  bool GetString(std::string_view* out);
  // The bytes between the quotes, still escaped (but validated: the escapes are well-formed).
  // Handy for passing strings through to another JSON text without unescaping them.
  bool GetRawString(std::string_view* out);
  // An integer without fraction or exponent that fits int64_t ("-0" gives 0). Any other number
  // (1.0, 1e3, 9223372036854775808) is a type mismatch: false, not consumed, no error, so the
  // caller may GetDouble or Skip it.
  bool GetInt(int64_t* out);
  // Any number, correctly rounded to the nearest double. A number whose magnitude overflows a
  // double (1e400) is a mismatch like GetInt's range check: false, not consumed, no error.
  // Underflow gives 0 (or the nearest subnormal), as strtod does.
  bool GetDouble(double* out);
  bool GetBool(bool* out);
  // Consumes `null`; false (no error) when the value is something else.
  bool GetNull();

  // Consumes any value, validating all of it.
  bool Skip();
  // Skip, and set *raw to the value's exact text (a view into the input, no surrounding
  // whitespace). Useful to forward a sub-object as JSON without re-serializing it.
  bool SkipRaw(std::string_view* raw);

  // True iff there was no error, the top-level value was consumed, and only whitespace follows.
  // Otherwise false, and the reader is failed (with the offset of the first stray byte).
  bool Finish();

  bool failed() const { return state_ == State::kFailed; }
  // Byte offset in the text of the first error (0 when none).
  size_t error_offset() const { return error_offset_; }
  // A short English description of the first error; empty when none.
  std::string_view error_message() const { return error_message_; }

 private:
  enum class State : uint8_t {
    kValue,        // positioned at a value
    kFirstMember,  // just inside '{' or '[': a field/element or the closing bracket comes next
    kNextMember,   // after a member: ',' or the closing bracket comes next
    kDone,         // the top-level value was consumed
    kFailed,       // an error happened; everything returns false
  };

  // Puts the reader in the failed state (keeping the first error) and returns false.
  bool Fail(const char* at, std::string_view message);
  // The slow exit of calls that need State::kValue: false, and a failure unless already failed.
  bool NotAtValue();
  // After a value was consumed: the state for what may follow.
  void ValueDone() { state_ = depth_ == 0 ? State::kDone : State::kNextMember; }
  bool PushContainer(bool is_object, const char* at);
  bool TopIsObject() const {
    uint32_t level = depth_ - 1;
    return (kinds_[level >> 6] >> (level & 63)) & 1;
  }
  // At p, after a member of the current container, neither ',' followed: the closing bracket
  // (consumed; returns false without error) or an error.
  bool CloseOrFail(const char* p, bool is_object);
  // Parses a string whose opening quote is at `p`: returns the closing quote, or nullptr after
  // calling Fail. *has_escapes tells whether the body contains a backslash.
  const char* ScanString(const char* p, bool* has_escapes);
  // The general (escaped, long, or erroneous) path of reading the string at p into *out; moves
  // pos_ past it.
  bool ReadStringSlow(const char* p, std::string_view* out);
  // Skips one value starting at the non-whitespace byte `p` (nested containers included).
  bool SkipValue(const char* p);

  const char* begin_;
  const char* pos_;
  const char* end_;
  Arena* arena_;
  uint32_t depth_ = 0;
  State state_ = State::kValue;
  bool in_object_ = false;  // the innermost open container is an object (cache of kinds_)
  std::string_view error_message_;
  size_t error_offset_ = 0;
  // Bit `level` is 1 when the container at that nesting level is an object, 0 for an array.
  uint64_t kinds_[kMaxDepth / 64] = {};
};

}  // namespace llmstream::json
