#include "json/reader.h"

#include <array>
#include <bit>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "json/escape.h"

#if defined(__GNUC__) || defined(__clang__)
#define LLMSTREAM_COLD __attribute__((noinline, cold))
#define LLMSTREAM_LIKELY(x) __builtin_expect(!!(x), 1)
#define LLMSTREAM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LLMSTREAM_COLD
#define LLMSTREAM_LIKELY(x) (x)
#define LLMSTREAM_UNLIKELY(x) (x)
#endif

namespace llmstream::json {

namespace {

constexpr std::string_view kNotAtValue = "not positioned at a value (API misuse)";
constexpr std::string_view kExpectedValue = "expected a JSON value";
constexpr std::string_view kBadLiteral = "invalid literal";
constexpr std::string_view kBadNumber = "invalid number";

inline bool IsWhitespace(char c) {
  constexpr uint64_t kMask = (1ULL << ' ') | (1ULL << '\t') | (1ULL << '\n') | (1ULL << '\r');
  unsigned char u = static_cast<unsigned char>(c);
  return u <= ' ' && ((kMask >> u) & 1);
}

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

inline const char* SkipSpaces(const char* p, const char* end) {
  while (p < end && IsWhitespace(*p)) ++p;
  return p;
}

inline bool Matches(const char* p, const char* end, std::string_view literal) {
  return static_cast<size_t>(end - p) >= literal.size() &&
         std::memcmp(p, literal.data(), literal.size()) == 0;
}

// The type of a value, by its first byte.
constexpr std::array<ValueType, 256> MakeTypeTable() {
  std::array<ValueType, 256> table{};
  for (auto& type : table) type = ValueType::kInvalid;
  table['{'] = ValueType::kObject;
  table['['] = ValueType::kArray;
  table['"'] = ValueType::kString;
  table['t'] = ValueType::kBool;
  table['f'] = ValueType::kBool;
  table['n'] = ValueType::kNull;
  table['-'] = ValueType::kNumber;
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = ValueType::kNumber;
  return table;
}
constexpr std::array<ValueType, 256> kTypeTable = MakeTypeTable();

// Skips a run of ASCII digits, eight at a time when it can.
inline const char* SkipDigits(const char* p, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    while (end - p >= 8) {
      uint64_t x;
      std::memcpy(&x, p, 8);
      // A byte is a digit iff x - '0' does not borrow and x + 0x46 does not reach 0x80. Carries
      // and borrows only move upward from a flagged byte, so the lowest flag is exact.
      uint64_t flags =
          ((x - 0x3030303030303030ULL) | (x + 0x4646464646464646ULL)) & 0x8080808080808080ULL;
      if (flags != 0) return p + (std::countr_zero(flags) >> 3);
      p += 8;
    }
  }
  while (p < end && IsDigit(*p)) ++p;
  return p;
}

// Validates the number at p (which starts with '-' or a digit) against the RFC 8259 grammar.
// Returns its end, or nullptr with *error_at at the offending byte. *is_integer is false when it
// has a fraction or an exponent.
inline const char* ScanNumber(const char* p, const char* end, bool* is_integer,
                              const char** error_at) {
  if (*p == '-') ++p;
  if (p == end) {
    *error_at = p;
    return nullptr;
  }
  if (*p == '0') {
    ++p;
  } else if (IsDigit(*p)) {
    p = SkipDigits(p + 1, end);
  } else {
    *error_at = p;
    return nullptr;
  }
  *is_integer = true;
  if (p < end && *p == '.') {
    ++p;
    if (p == end || !IsDigit(*p)) {
      *error_at = p;
      return nullptr;
    }
    p = SkipDigits(p + 1, end);
    *is_integer = false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) {
      *error_at = p;
      return nullptr;
    }
    p = SkipDigits(p + 1, end);
    *is_integer = false;
  }
  return p;
}

// Exact powers of ten: every one up to 1e22 is representable in a double.
constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Converts a validated number. Clinger's fast path (a mantissa of at most 53 bits scaled by an
// exact power of ten is one correctly rounded IEEE operation) covers the numbers providers send;
// the rest goes through strtod, correctly rounded by glibc and musl alike.
double ConvertNumber(const char* p, const char* end) {
  const char* cursor = p;
  bool negative = *cursor == '-';
  if (negative) ++cursor;
  uint64_t mantissa = 0;
  int significant_digits = 0;
  int64_t exponent = 0;
  bool in_fraction = false;
  for (; cursor < end; ++cursor) {
    char c = *cursor;
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (!IsDigit(c)) break;
    if (in_fraction) --exponent;
    if (mantissa == 0 && c == '0') continue;  // leading zeros are not significant
    if (++significant_digits <= 19) mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
  }
  if (cursor < end) {  // exponent part: [eE][+-]?digits, saturated far beyond any double's range
    ++cursor;
    bool negative_exponent = *cursor == '-';
    if (*cursor == '+' || *cursor == '-') ++cursor;
    int64_t value = 0;
    for (; cursor < end; ++cursor) {
      if (value < 100000000) value = value * 10 + (*cursor - '0');
    }
    exponent += negative_exponent ? -value : value;
  }
  if (mantissa == 0) return negative ? -0.0 : 0.0;
  if (significant_digits <= 19 && mantissa <= (uint64_t{1} << 53) && exponent >= -22 &&
      exponent <= 22) {
    double value = static_cast<double>(mantissa);
    value =
        exponent < 0 ? value / kExactPowersOfTen[-exponent] : value * kExactPowersOfTen[exponent];
    return negative ? -value : value;
  }
  // strtod needs a NUL-terminated copy, and it reads the locale's decimal point.
  size_t size = static_cast<size_t>(end - p);
  char small[128];
  std::string large;
  char* copy = small;
  if (size >= sizeof(small)) {
    large.assign(size + 1, '\0');
    copy = large.data();
  }
  std::memcpy(copy, p, size);
  copy[size] = '\0';
  const char decimal_point = *std::localeconv()->decimal_point;
  if (decimal_point != '.') {
    if (char* dot = static_cast<char*>(std::memchr(copy, '.', size))) *dot = decimal_point;
  }
  return std::strtod(copy, nullptr);
}

}  // namespace

Reader::Reader(std::string_view text, Arena* arena)
    : begin_(text.data()), pos_(text.data()), end_(text.data() + text.size()), arena_(arena) {}

// The fast paths below handle the common shapes inline (no whitespace, short unescaped strings,
// well-formed numbers) and leave everything else, including every error, to out-of-line code, so
// the hot functions keep small frames.

LLMSTREAM_COLD bool Reader::Fail(const char* at, std::string_view message) {
  if (state_ != State::kFailed) {
    state_ = State::kFailed;
    error_offset_ = static_cast<size_t>(at - begin_);
    error_message_ = message;
  }
  return false;
}

LLMSTREAM_COLD bool Reader::NotAtValue() {
  if (state_ == State::kFailed) return false;
  return Fail(pos_, kNotAtValue);
}

inline bool Reader::PushContainer(bool is_object, const char* at) {
  if (LLMSTREAM_UNLIKELY(depth_ >= kMaxDepth)) return Fail(at, kTooDeepError);
  uint64_t bit = uint64_t{1} << (depth_ & 63);
  if (is_object) {
    kinds_[depth_ >> 6] |= bit;
  } else {
    kinds_[depth_ >> 6] &= ~bit;
  }
  ++depth_;
  in_object_ = is_object;
  return true;
}

const char* Reader::ScanString(const char* p, bool* has_escapes) {
  const char* cursor = p + 1;
  while (true) {
    cursor = internal::FindStringSpecial(cursor, end_);
    if (LLMSTREAM_LIKELY(cursor < end_ && *cursor == '"')) return cursor;
    if (cursor == end_) {
      Fail(p, "unterminated string");
      return nullptr;
    }
    if (*cursor != '\\') {
      Fail(cursor, "control character in string");
      return nullptr;
    }
    *has_escapes = true;
    uint32_t code_point;
    const char* next = internal::DecodeEscape(cursor, end_, &code_point);
    if (next == nullptr) {
      Fail(cursor, "invalid escape sequence (or lone surrogate) in string");
      return nullptr;
    }
    cursor = next;
  }
}

bool Reader::ReadStringSlow(const char* p, std::string_view* out) {
  bool has_escapes = false;
  const char* close = ScanString(p, &has_escapes);
  if (close == nullptr) return false;
  const char* body = p + 1;
  size_t size = static_cast<size_t>(close - body);
  if (!has_escapes) {
    *out = std::string_view(body, size);
  } else {
    if (arena_ == nullptr) return Fail(p, "escaped string but no arena to unescape into");
    char* buffer = arena_->Allocate(size);
    char* written = internal::UnescapeTo(body, close, buffer);  // validated by ScanString
    *out = std::string_view(buffer, static_cast<size_t>(written - buffer));
  }
  pos_ = close + 1;
  return true;
}

LLMSTREAM_COLD bool Reader::CloseOrFail(const char* p, bool is_object) {
  if (p < end_ && *p == (is_object ? '}' : ']')) {
    pos_ = p + 1;
    --depth_;
    in_object_ = depth_ > 0 && TopIsObject();
    ValueDone();
    return false;
  }
  if (p == end_) return Fail(p, is_object ? "unterminated object" : "unterminated array");
  if (state_ == State::kFirstMember) {
    return Fail(p, is_object ? "expected a string key or '}'" : kExpectedValue);
  }
  return Fail(p, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
}

ValueType Reader::Peek() {
  if (state_ != State::kValue) return ValueType::kInvalid;
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_) return ValueType::kInvalid;
  return kTypeTable[static_cast<unsigned char>(*p)];
}

bool Reader::BeginObject() {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || *p != '{') return false;
  if (!PushContainer(true, p)) return false;
  pos_ = p + 1;
  state_ = State::kFirstMember;
  return true;
}

bool Reader::BeginArray() {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || *p != '[') return false;
  if (!PushContainer(false, p)) return false;
  pos_ = p + 1;
  state_ = State::kFirstMember;
  return true;
}

bool Reader::NextField(std::string_view* key) {
  const char* const end = end_;
  if (LLMSTREAM_UNLIKELY((state_ != State::kNextMember && state_ != State::kFirstMember) ||
                         !in_object_)) {
    if (state_ == State::kFailed) return false;
    return Fail(pos_, "NextField outside an object (API misuse)");
  }
  const char* p = SkipSpaces(pos_, end);
  if (state_ == State::kNextMember) {
    if (LLMSTREAM_UNLIKELY(p == end || *p != ',')) return CloseOrFail(p, true);
    p = SkipSpaces(p + 1, end);
  } else if (p == end || *p == '}') {
    return CloseOrFail(p, true);
  }
  if (LLMSTREAM_UNLIKELY(p == end || *p != '"')) return Fail(p, "expected a string key");
  const char* close = internal::FindStringSpecial(p + 1, end);
  if (LLMSTREAM_LIKELY(close < end && *close == '"')) {
    *key = std::string_view(p + 1, static_cast<size_t>(close - p - 1));
    p = close + 1;
  } else {
    if (!ReadStringSlow(p, key)) return false;
    p = pos_;
  }
  p = SkipSpaces(p, end);
  if (LLMSTREAM_UNLIKELY(p == end || *p != ':')) return Fail(p, "expected ':'");
  pos_ = p + 1;
  state_ = State::kValue;
  return true;
}

bool Reader::NextElement() {
  const char* const end = end_;
  if (LLMSTREAM_UNLIKELY((state_ != State::kNextMember && state_ != State::kFirstMember) ||
                         in_object_)) {
    if (state_ == State::kFailed) return false;
    return Fail(pos_, "NextElement outside an array (API misuse)");
  }
  const char* p = SkipSpaces(pos_, end);
  if (state_ == State::kNextMember) {
    if (LLMSTREAM_UNLIKELY(p == end || *p != ',')) return CloseOrFail(p, false);
    p = SkipSpaces(p + 1, end);
    // "[1,]": report the trailing comma here rather than at the caller's next getter.
    if (LLMSTREAM_UNLIKELY(p == end || *p == ']')) return Fail(p, kExpectedValue);
  } else if (p == end || *p == ']') {
    return CloseOrFail(p, false);
  }
  pos_ = p;
  state_ = State::kValue;
  return true;
}

bool Reader::GetString(std::string_view* out) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || *p != '"') return false;
  const char* close = internal::FindStringSpecial(p + 1, end_);
  if (LLMSTREAM_LIKELY(close < end_ && *close == '"')) {
    *out = std::string_view(p + 1, static_cast<size_t>(close - p - 1));
    pos_ = close + 1;
  } else if (!ReadStringSlow(p, out)) {
    return false;
  }
  ValueDone();
  return true;
}

bool Reader::GetRawString(std::string_view* out) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || *p != '"') return false;
  bool has_escapes = false;
  const char* close = ScanString(p, &has_escapes);
  if (close == nullptr) return false;
  *out = std::string_view(p + 1, static_cast<size_t>(close - p - 1));
  pos_ = close + 1;
  ValueDone();
  return true;
}

bool Reader::GetInt(int64_t* out) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || kTypeTable[static_cast<unsigned char>(*p)] != ValueType::kNumber) return false;
  bool is_integer = false;
  const char* error_at = nullptr;
  const char* number_end = ScanNumber(p, end_, &is_integer, &error_at);
  if (number_end == nullptr) return Fail(error_at, kBadNumber);
  if (!is_integer) return false;
  const bool negative = *p == '-';
  const char* digits = p + (negative ? 1 : 0);
  // No leading zeros, so more than 19 digits is always beyond int64 (and 19 fit in uint64).
  if (number_end - digits > 19) return false;
  uint64_t magnitude = 0;
  for (const char* d = digits; d < number_end; ++d) {
    magnitude = magnitude * 10 + static_cast<uint64_t>(*d - '0');
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (magnitude > kMaxPositive + 1) return false;
    // Two's complement negation of the magnitude, done in uint64_t to stay defined for -2^63.
    *out = static_cast<int64_t>(uint64_t{0} - magnitude);
  } else {
    if (magnitude > kMaxPositive) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  pos_ = number_end;
  ValueDone();
  return true;
}

bool Reader::GetDouble(double* out) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || kTypeTable[static_cast<unsigned char>(*p)] != ValueType::kNumber) return false;
  bool is_integer = false;
  const char* error_at = nullptr;
  const char* number_end = ScanNumber(p, end_, &is_integer, &error_at);
  if (number_end == nullptr) return Fail(error_at, kBadNumber);
  double value = ConvertNumber(p, number_end);
  if (!std::isfinite(value)) return false;  // overflow: a range mismatch, like nlohmann rejects
  *out = value;
  pos_ = number_end;
  ValueDone();
  return true;
}

bool Reader::GetBool(bool* out) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_) return false;
  if (*p == 't') {
    if (!Matches(p, end_, "true")) return Fail(p, kBadLiteral);
    *out = true;
    pos_ = p + 4;
  } else if (*p == 'f') {
    if (!Matches(p, end_, "false")) return Fail(p, kBadLiteral);
    *out = false;
    pos_ = p + 5;
  } else {
    return false;
  }
  ValueDone();
  return true;
}

bool Reader::GetNull() {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p == end_ || *p != 'n') return false;
  if (!Matches(p, end_, "null")) return Fail(p, kBadLiteral);
  pos_ = p + 4;
  ValueDone();
  return true;
}

bool Reader::Skip() {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* const end = end_;
  const char* p = SkipSpaces(pos_, end);
  // Inline fast paths for the scalars that fill provider payloads; SkipValue does the rest
  // (containers, escapes, and reporting every error).
  if (LLMSTREAM_LIKELY(p < end)) {
    const char c = *p;
    const char* value_end = nullptr;
    if (c == '"') {
      const char* close = internal::FindStringSpecial(p + 1, end);
      if (close < end && *close == '"') value_end = close + 1;
    } else if (c == 'n') {
      if (Matches(p, end, "null")) value_end = p + 4;
    } else if (c == '-' || IsDigit(c)) {
      bool is_integer;
      const char* error_at;
      value_end = ScanNumber(p, end, &is_integer, &error_at);
    }
    if (value_end != nullptr) {
      pos_ = value_end;
      ValueDone();
      return true;
    }
  }
  if (!SkipValue(p)) return false;
  ValueDone();
  return true;
}

bool Reader::SkipRaw(std::string_view* raw) {
  if (LLMSTREAM_UNLIKELY(state_ != State::kValue)) return NotAtValue();
  const char* start = SkipSpaces(pos_, end_);
  if (!SkipValue(start)) return false;
  *raw = std::string_view(start, static_cast<size_t>(pos_ - start));
  ValueDone();
  return true;
}

// One loop over the whole value with an explicit container stack (the kinds_ bits above depth_),
// so skipping costs no recursion and no per-call overhead per nested member.
bool Reader::SkipValue(const char* p) {
  const char* const end = end_;
  const uint32_t base = depth_;
  uint32_t depth = base;
  bool has_escapes = false;
  const char* close = nullptr;
  const char* error_at = nullptr;
  bool is_integer = false;
  uint64_t bit = 0;

value:
  if (p == end) return Fail(p, kExpectedValue);
  switch (*p) {
    case '"':
      close = internal::FindStringSpecial(p + 1, end);
      if (close == end || *close != '"') {
        close = ScanString(p, &has_escapes);
        if (close == nullptr) return false;
      }
      p = close + 1;
      break;
    case '{':
      if (depth >= kMaxDepth) return Fail(p, kTooDeepError);
      kinds_[depth >> 6] |= uint64_t{1} << (depth & 63);
      ++depth;
      p = SkipSpaces(p + 1, end);
      if (p < end && *p == '}') {
        ++p;
        --depth;
        break;
      }
      goto key;
    case '[':
      if (depth >= kMaxDepth) return Fail(p, kTooDeepError);
      kinds_[depth >> 6] &= ~(uint64_t{1} << (depth & 63));
      ++depth;
      p = SkipSpaces(p + 1, end);
      if (p < end && *p == ']') {
        ++p;
        --depth;
        break;
      }
      goto value;
    case 't':
      if (!Matches(p, end, "true")) return Fail(p, kBadLiteral);
      p += 4;
      break;
    case 'f':
      if (!Matches(p, end, "false")) return Fail(p, kBadLiteral);
      p += 5;
      break;
    case 'n':
      if (!Matches(p, end, "null")) return Fail(p, kBadLiteral);
      p += 4;
      break;
    default:
      if (*p != '-' && !IsDigit(*p)) return Fail(p, kExpectedValue);
      p = ScanNumber(p, end, &is_integer, &error_at);
      if (p == nullptr) return Fail(error_at, kBadNumber);
      break;
  }

  // A value ended: close containers until one continues with ','.
  while (depth > base) {
    p = SkipSpaces(p, end);
    uint32_t level = depth - 1;
    bit = (kinds_[level >> 6] >> (level & 63)) & 1;
    if (p == end) return Fail(p, bit ? "unterminated object" : "unterminated array");
    if (*p == ',') {
      p = SkipSpaces(p + 1, end);
      if (bit) goto key;
      goto value;
    }
    if (*p != (bit ? '}' : ']')) {
      return Fail(p, bit ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    ++p;
    --depth;
  }
  pos_ = p;
  return true;

key:
  if (p == end || *p != '"') return Fail(p, "expected a string key");
  close = internal::FindStringSpecial(p + 1, end);
  if (close == end || *close != '"') {
    close = ScanString(p, &has_escapes);
    if (close == nullptr) return false;
  }
  p = SkipSpaces(close + 1, end);
  if (p == end || *p != ':') return Fail(p, "expected ':'");
  p = SkipSpaces(p + 1, end);
  goto value;
}

bool Reader::Finish() {
  if (state_ == State::kFailed) return false;
  if (state_ != State::kDone) return Fail(pos_, "the top-level value is not complete");
  const char* p = SkipSpaces(pos_, end_);
  pos_ = p;
  if (p != end_) return Fail(p, "unexpected data after the JSON value");
  return true;
}

}  // namespace llmstream::json
