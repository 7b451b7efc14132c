#include "providers/gemini_partial_args.h"

#include "json/escape.h"

namespace llmstream {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at `text` (which has at least four bytes), or -1.
int32_t ReadHex4(std::string_view text) {
  int32_t value = 0;
  for (size_t i = 0; i < 4; ++i) {
    const int digit = HexValue(text[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// A quoted name selector (RFC 9535 2.3.1): `text` starts after the opening quote; on success
// *used counts the bytes up to and including the closing quote.
bool ReadQuotedName(std::string_view text, char quote, std::string* name, size_t* used) {
  name->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == quote) {
      *used = i + 1;
      return true;
    }
    if (c != '\\') {
      name->push_back(c);
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case 'b':
        name->push_back('\b');
        break;
      case 'f':
        name->push_back('\f');
        break;
      case 'n':
        name->push_back('\n');
        break;
      case 'r':
        name->push_back('\r');
        break;
      case 't':
        name->push_back('\t');
        break;
      case '/':
      case '\\':
      case '\'':
      case '"':
        name->push_back(text[i]);
        break;
      case 'u': {
        if (text.size() - i < 5) return false;
        int32_t unit = ReadHex4(text.substr(i + 1));
        if (unit < 0) return false;
        i += 4;
        uint32_t code_point = static_cast<uint32_t>(unit);
        if (unit >= 0xD800 && unit <= 0xDBFF) {  // a high surrogate needs its low half
          if (text.size() - i < 7 || text[i + 1] != '\\' || text[i + 2] != 'u') return false;
          const int32_t low = ReadHex4(text.substr(i + 3));
          if (low < 0xDC00 || low > 0xDFFF) return false;
          i += 6;
          code_point =
              0x10000 + ((code_point - 0xD800) << 10) + static_cast<uint32_t>(low - 0xDC00);
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return false;
        }
        AppendUtf8(code_point, name);
        break;
      }
      default:
        return false;
    }
  }
  return false;  // no closing quote
}

}  // namespace

bool GeminiArgsBuilder::ParsePath(std::string_view json_path) {
  if (json_path.empty() || json_path[0] != '$') return false;
  std::string_view rest = json_path.substr(1);
  size_t count = 0;
  // Segments are written into path_ in place, so their strings keep their capacity.
  auto next = [&]() -> Segment& {
    if (count == path_.size()) path_.emplace_back();
    Segment& segment = path_[count++];
    segment.key.clear();
    segment.index = 0;
    segment.is_index = false;
    return segment;
  };
  while (!rest.empty()) {
    if (rest[0] == '.') {  // member-name shorthand: up to the next '.' or '['
      size_t end = 1;
      while (end < rest.size() && rest[end] != '.' && rest[end] != '[') ++end;
      if (end == 1) return false;
      next().key.assign(rest.substr(1, end - 1));
      rest.remove_prefix(end);
    } else if (rest[0] == '[' && rest.size() > 2 && (rest[1] == '\'' || rest[1] == '"')) {
      size_t used = 0;
      Segment& segment = next();
      if (!ReadQuotedName(rest.substr(2), rest[1], &segment.key, &used)) return false;
      rest.remove_prefix(2 + used);
      if (rest.empty() || rest[0] != ']') return false;
      rest.remove_prefix(1);
    } else if (rest[0] == '[') {  // an index: digits only (no slices, no negative indexes)
      size_t end = 1;
      uint64_t index = 0;
      while (end < rest.size() && rest[end] >= '0' && rest[end] <= '9' && end < 19) {
        index = index * 10 + static_cast<uint64_t>(rest[end] - '0');
        ++end;
      }
      if (end == 1 || end >= rest.size() || rest[end] != ']') return false;
      Segment& segment = next();
      segment.is_index = true;
      segment.index = index;
      rest.remove_prefix(end + 1);
    } else {
      return false;
    }
  }
  path_.resize(count);
  return true;
}

void GeminiArgsBuilder::OpenMember(const Segment& segment, std::string* out) {
  Frame& parent = frames_.back();
  if (parent.children++ > 0) out->push_back(',');
  if (!parent.is_array) {
    out->push_back('"');
    json::AppendEscaped(out, segment.key);
    out->append("\":");
  }
}

bool GeminiArgsBuilder::Add(std::string_view json_path, ValueKind kind, std::string_view raw,
                            bool will_continue, std::string* out) {
  // The arguments are an object: its members are named, never indexed.
  if (!ParsePath(json_path) || path_.empty() || path_[0].is_index) return false;
  if (string_open_) {
    if (kind == ValueKind::kString && path_ == open_string_path_) {  // more of the same string
      out->append(raw);
      if (!will_continue) {
        out->push_back('"');
        string_open_ = false;
      }
      return true;
    }
    out->push_back('"');  // a value elsewhere ends the open string
    string_open_ = false;
  }
  if (frames_.empty()) {
    frames_.emplace_back();
    out->push_back('{');
  }
  // frames_[i] (i >= 1) was entered by path_[i - 1] and is an array when path_[i] is an index:
  // keep the open containers this path shares, close the rest, open what is missing.
  const size_t n = path_.size();
  size_t keep = 1;
  while (keep < frames_.size() && keep < n && frames_[keep].segment == path_[keep - 1] &&
         frames_[keep].is_array == path_[keep].is_index) {
    ++keep;
  }
  while (frames_.size() > keep) {
    out->push_back(frames_.back().is_array ? ']' : '}');
    frames_.pop_back();
  }
  for (size_t i = frames_.size(); i < n; ++i) {
    OpenMember(path_[i - 1], out);
    const bool is_array = path_[i].is_index;
    out->push_back(is_array ? '[' : '{');
    Frame& frame = frames_.emplace_back();
    frame.segment = path_[i - 1];
    frame.is_array = is_array;
  }
  OpenMember(path_[n - 1], out);
  if (kind == ValueKind::kLiteral) {
    out->append(raw);
    return true;
  }
  out->push_back('"');
  out->append(raw);
  if (will_continue) {
    string_open_ = true;
    open_string_path_ = path_;
  } else {
    out->push_back('"');
  }
  return true;
}

void GeminiArgsBuilder::Close(std::string* out) {
  if (string_open_) out->push_back('"');
  while (!frames_.empty()) {
    out->push_back(frames_.back().is_array ? ']' : '}');
    frames_.pop_back();
  }
  string_open_ = false;
}

void GeminiArgsBuilder::Reset() {
  frames_.clear();
  string_open_ = false;
}

}  // namespace llmstream
