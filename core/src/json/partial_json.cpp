#include "llmstream/partial_json.h"

#include "json/reader.h"

namespace llmstream {

// What the next byte may be. kValue must stay 0: a default-constructed parser expects a value.
enum class PartialJson::Mode : uint8_t {
  kValue = 0,     // a value (top level, after ':' or after ',' in an array)
  kArrayFirst,    // after '[': a value or ']'
  kObjectFirst,   // after '{': a key or '}'
  kObjectKey,     // after ',' in an object: a key
  kColon,         // after a key: ':'
  kAfterValue,    // after a value: ',' or the closer (only whitespace at the top level)
  kString,        // in a string body
  kEscape,        // after a backslash
  kUnicode,       // in the hex digits of \uXXXX
  kLowBackslash,  // after a high surrogate escape: the '\' of its low half
  kLowU,          // ... then its 'u'
  kUtf8,          // in a multi-byte UTF-8 sequence
  kNumber,        // in a number (number_state_ says where)
  kLiteral,       // in true / false / null
};

enum class PartialJson::NumberState : uint8_t {
  kMinus,      // "-"
  kZero,       // "0" or "-0"                      (complete)
  kInteger,    // "12"                             (complete)
  kDot,        // "1."
  kFraction,   // "1.5"                            (complete)
  kExponent,   // "1e"
  kExpSign,    // "1e-"
  kExpDigits,  // "1e5"                            (complete)
};

namespace {

inline bool IsWhitespace(unsigned char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
inline bool IsDigit(unsigned char c) { return static_cast<unsigned>(c - '0') < 10u; }
inline int HexValue(unsigned char c) {
  if (IsDigit(c)) return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void PartialJson::Append(std::string_view fragment) {
  text_.append(fragment);
  if (!failed_) Run();
}

void PartialJson::Reset() {
  text_.clear();
  closers_.clear();
  parsed_ = 0;
  value_start_ = kNone;
  safe_end_ = kNone;
  string_safe_end_ = 0;
  mode_ = Mode::kValue;
  number_state_ = NumberState::kMinus;
  in_key_ = false;
  in_low_surrogate_ = false;
  hex_digits_ = 0;
  utf8_pending_ = 0;
  code_unit_ = 0;
  literal_ = {};
  literal_matched_ = 0;
  failed_ = false;
  error_offset_ = 0;
  error_message_ = {};
}

void PartialJson::Fail(size_t at, std::string_view message) {
  failed_ = true;
  error_offset_ = at;
  error_message_ = message;
}

void PartialJson::ValueEnded(size_t end) {
  safe_end_ = end;
  mode_ = Mode::kAfterValue;
}

bool PartialJson::NumberIsComplete() const {
  return number_state_ == NumberState::kZero || number_state_ == NumberState::kInteger ||
         number_state_ == NumberState::kFraction || number_state_ == NumberState::kExpDigits;
}

bool PartialJson::NumberOverflows(size_t end) const {
  // Only an exponent or more than 308 digits can reach 1.8e308; skip the conversion otherwise.
  if (number_state_ != NumberState::kExpDigits && end - number_start_ < 309) return false;
  json::Reader reader(std::string_view(text_).substr(number_start_, end - number_start_), nullptr);
  double value;
  return !reader.GetDouble(&value);
}

bool PartialJson::StartValue(size_t at) {
  unsigned char c = static_cast<unsigned char>(text_[at]);
  if (value_start_ == kNone) value_start_ = at;
  switch (c) {
    case '{':
      closers_.push_back('}');
      mode_ = Mode::kObjectFirst;
      safe_end_ = at + 1;
      return true;
    case '[':
      closers_.push_back(']');
      mode_ = Mode::kArrayFirst;
      safe_end_ = at + 1;
      return true;
    case '"':
      mode_ = Mode::kString;
      in_key_ = false;
      string_safe_end_ = at + 1;
      return true;
    case 't':
      literal_ = "true";
      break;
    case 'f':
      literal_ = "false";
      break;
    case 'n':
      literal_ = "null";
      break;
    case '-':
      mode_ = Mode::kNumber;
      number_state_ = NumberState::kMinus;
      number_start_ = at;
      return true;
    default:
      if (!IsDigit(c)) return false;
      mode_ = Mode::kNumber;
      number_start_ = at;
      number_state_ = c == '0' ? NumberState::kZero : NumberState::kInteger;
      return true;
  }
  mode_ = Mode::kLiteral;
  literal_matched_ = 1;
  return true;
}

void PartialJson::Run() {
  const char* data = text_.data();
  const size_t size = text_.size();
  size_t i = parsed_;
  while (i < size && !failed_) {
    const unsigned char c = static_cast<unsigned char>(data[i]);
    switch (mode_) {
      case Mode::kValue:
      case Mode::kArrayFirst:
        if (IsWhitespace(c)) break;
        if (c == ']' && mode_ == Mode::kArrayFirst) {
          closers_.pop_back();
          ValueEnded(i + 1);
          break;
        }
        if (!StartValue(i)) Fail(i, "expected a JSON value");
        break;

      case Mode::kObjectFirst:
      case Mode::kObjectKey:
        if (IsWhitespace(c)) break;
        if (c == '}' && mode_ == Mode::kObjectFirst) {
          closers_.pop_back();
          ValueEnded(i + 1);
        } else if (c == '"') {
          mode_ = Mode::kString;
          in_key_ = true;
        } else {
          Fail(i, "expected a string key");
        }
        break;

      case Mode::kColon:
        if (IsWhitespace(c)) break;
        if (c == ':') {
          mode_ = Mode::kValue;
        } else {
          Fail(i, "expected ':'");
        }
        break;

      case Mode::kAfterValue:
        if (IsWhitespace(c)) break;
        if (closers_.empty()) {
          Fail(i, "unexpected data after the JSON value");
        } else if (c == ',') {
          mode_ = closers_.back() == '}' ? Mode::kObjectKey : Mode::kValue;
        } else if (c == static_cast<unsigned char>(closers_.back())) {
          closers_.pop_back();
          ValueEnded(i + 1);
        } else {
          Fail(i, closers_.back() == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        break;

      case Mode::kString: {
        // The common case: a run of printable ASCII.
        size_t j = i;
        while (j < size) {
          unsigned char b = static_cast<unsigned char>(data[j]);
          if (b < 0x20 || b == '"' || b == '\\' || b >= 0x80) break;
          ++j;
        }
        string_safe_end_ = j;
        if (j == size) {
          i = j;
          continue;
        }
        i = j;
        const unsigned char b = static_cast<unsigned char>(data[i]);
        if (b == '"') {
          if (in_key_) {
            mode_ = Mode::kColon;
          } else {
            ValueEnded(i + 1);
          }
        } else if (b == '\\') {
          mode_ = Mode::kEscape;
        } else if (b < 0x20) {
          Fail(i, "control character in string");
        } else {
          // A UTF-8 lead byte, with the range RFC 3629 allows for the byte after it (this rules
          // out overlong forms, encoded surrogates and code points above U+10FFFF).
          mode_ = Mode::kUtf8;
          utf8_low_ = 0x80;
          utf8_high_ = 0xBF;
          if (b >= 0xC2 && b <= 0xDF) {
            utf8_pending_ = 1;
          } else if (b >= 0xE0 && b <= 0xEF) {
            utf8_pending_ = 2;
            if (b == 0xE0) utf8_low_ = 0xA0;
            if (b == 0xED) utf8_high_ = 0x9F;
          } else if (b >= 0xF0 && b <= 0xF4) {
            utf8_pending_ = 3;
            if (b == 0xF0) utf8_low_ = 0x90;
            if (b == 0xF4) utf8_high_ = 0x8F;
          } else {
            Fail(i, "invalid UTF-8 in string");
          }
        }
        break;
      }

      case Mode::kUtf8:
        if (c < utf8_low_ || c > utf8_high_) {
          Fail(i, "invalid UTF-8 in string");
          break;
        }
        utf8_low_ = 0x80;
        utf8_high_ = 0xBF;
        if (--utf8_pending_ == 0) {
          mode_ = Mode::kString;
          string_safe_end_ = i + 1;
        }
        break;

      case Mode::kEscape:
        switch (c) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
            mode_ = Mode::kString;
            string_safe_end_ = i + 1;
            break;
          case 'u':
            mode_ = Mode::kUnicode;
            in_low_surrogate_ = false;
            hex_digits_ = 0;
            code_unit_ = 0;
            break;
          default:
            Fail(i, "invalid escape in string");
        }
        break;

      case Mode::kUnicode: {
        int digit = HexValue(c);
        if (digit < 0) {
          Fail(i, "invalid \\u escape in string");
          break;
        }
        code_unit_ = static_cast<uint16_t>((code_unit_ << 4) | digit);
        if (++hex_digits_ < 4) break;
        const bool high = code_unit_ >= 0xD800 && code_unit_ <= 0xDBFF;
        const bool low = code_unit_ >= 0xDC00 && code_unit_ <= 0xDFFF;
        if (in_low_surrogate_ ? !low : low) {
          Fail(i, "lone surrogate escape in string");
        } else if (high && !in_low_surrogate_) {
          mode_ = Mode::kLowBackslash;  // string_safe_end_ stays before the high half
        } else {
          mode_ = Mode::kString;
          string_safe_end_ = i + 1;
        }
        break;
      }

      case Mode::kLowBackslash:
        if (c == '\\') {
          mode_ = Mode::kLowU;
        } else {
          Fail(i, "lone surrogate escape in string");
        }
        break;

      case Mode::kLowU:
        if (c == 'u') {
          mode_ = Mode::kUnicode;
          in_low_surrogate_ = true;
          hex_digits_ = 0;
          code_unit_ = 0;
        } else {
          Fail(i, "lone surrogate escape in string");
        }
        break;

      case Mode::kNumber: {
        NumberState next = number_state_;
        bool ended = false;
        switch (number_state_) {
          case NumberState::kMinus:
            if (c == '0') {
              next = NumberState::kZero;
            } else if (IsDigit(c)) {
              next = NumberState::kInteger;
            } else {
              Fail(i, "invalid number");
            }
            break;
          case NumberState::kZero:
          case NumberState::kInteger:
            if (IsDigit(c) && number_state_ == NumberState::kInteger) {
              next = NumberState::kInteger;
            } else if (c == '.') {
              next = NumberState::kDot;
            } else if (c == 'e' || c == 'E') {
              next = NumberState::kExponent;
            } else {
              ended = true;
            }
            break;
          case NumberState::kDot:
            if (IsDigit(c)) {
              next = NumberState::kFraction;
            } else {
              Fail(i, "invalid number");
            }
            break;
          case NumberState::kFraction:
            if (IsDigit(c)) {
              next = NumberState::kFraction;
            } else if (c == 'e' || c == 'E') {
              next = NumberState::kExponent;
            } else {
              ended = true;
            }
            break;
          case NumberState::kExponent:
            if (c == '+' || c == '-') {
              next = NumberState::kExpSign;
            } else if (IsDigit(c)) {
              next = NumberState::kExpDigits;
            } else {
              Fail(i, "invalid number");
            }
            break;
          case NumberState::kExpSign:
          case NumberState::kExpDigits:
            if (IsDigit(c)) {
              next = NumberState::kExpDigits;
            } else if (number_state_ == NumberState::kExpDigits) {
              ended = true;
            } else {
              Fail(i, "invalid number");
            }
            break;
        }
        if (ended) {
          // nlohmann rejects numbers beyond the range of a double (1e400).
          if (NumberOverflows(i)) {
            Fail(number_start_, "number overflows a double");
            break;
          }
          // The number ended before this byte, which is then read as what follows a value.
          ValueEnded(i);
          continue;
        }
        number_state_ = next;
        break;
      }

      case Mode::kLiteral:
        if (c != static_cast<unsigned char>(literal_[literal_matched_])) {
          Fail(i, "invalid literal");
          break;
        }
        if (++literal_matched_ == literal_.size()) ValueEnded(i + 1);
        break;
    }
    if (!failed_) ++i;
  }
  parsed_ = i;
}

bool PartialJson::complete() const {
  if (failed_ || !closers_.empty()) return false;
  return mode_ == Mode::kAfterValue ||
         (mode_ == Mode::kNumber && NumberIsComplete() && !NumberOverflows(parsed_));
}

std::string PartialJson::Snapshot() const {
  std::string out;
  if (value_start_ == kNone) return out;
  size_t cut = safe_end_;
  bool close_string = false;
  switch (mode_) {
    case Mode::kString:
    case Mode::kEscape:
    case Mode::kUnicode:
    case Mode::kLowBackslash:
    case Mode::kLowU:
    case Mode::kUtf8:
      if (!in_key_) {
        cut = string_safe_end_;
        close_string = true;
      }
      break;
    case Mode::kNumber:
      if (closers_.empty()) {
        cut = NumberIsComplete() && !NumberOverflows(parsed_) ? parsed_ : kNone;
      }
      break;
    default:
      break;
  }
  if (cut == kNone) return out;
  out.reserve(cut - value_start_ + closers_.size() + 1);
  out.append(text_, value_start_, cut - value_start_);
  if (close_string) out.push_back('"');
  for (auto it = closers_.rbegin(); it != closers_.rend(); ++it) out.push_back(*it);
  return out;
}

}  // namespace llmstream
