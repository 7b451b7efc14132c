#include "support/reference_sse.h"

#include <limits>

namespace llmstream::testing {
namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const SseRecord& record) {
  os << "{event:\"" << Escaped(record.type) << "\", data:\"" << Escaped(record.data) << "\", id:\""
     << Escaped(record.id) << "\", retry:";
  if (record.retry) {
    os << *record.retry;
  } else {
    os << "null";
  }
  return os << "}";
}

void ReferenceSseParser::Feed(std::string_view bytes) {
  for (const char c : bytes) Decode(static_cast<unsigned char>(c));
}

void ReferenceSseParser::Finish() {
  if (needed_ != 0) Char(0xFFFD);
}

// The WHATWG UTF-8 decoder, byte by byte: invalid sequences become U+FFFD, and the byte that
// broke a sequence starts over.
void ReferenceSseParser::Decode(unsigned char byte) {
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

// Section 1.2: a BOM at the very start is dropped; CR, LF and CRLF end a line.
void ReferenceSseParser::Char(uint32_t cp) {
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
  } else {
    AppendUtf8(&line_, cp);
  }
}

// Sections 1.3 - 1.5: fields, comments and dispatch on an empty line.
void ReferenceSseParser::Line() {
  std::string line;
  line.swap(line_);
  if (line.empty()) {
    last_id = id_buf_;
    if (data_.empty()) {
      type_.clear();
      return;
    }
    data_.pop_back();
    events.push_back({type_.empty() ? "message" : type_, data_, last_id, retry});
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
    // Saturates at INT64_MAX, like the real parser.
    int64_t ms = 0;
    for (const char c : value) {
      const int64_t digit = c - '0';
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      ms = ms > (kMax - digit) / 10 ? kMax : ms * 10 + digit;
    }
    retry = ms;
  }
}

}  // namespace llmstream::testing
