#include "json/escape.h"

namespace llmstream::json {

namespace internal {

char* UnescapeTo(const char* p, const char* end, char* out) {
  while (true) {
    const char* special = FindStringSpecial(p, end);
    size_t run = static_cast<size_t>(special - p);
    std::memcpy(out, p, run);
    out += run;
    if (special == end) return out;
    if (*special != '\\') return nullptr;  // a raw '"' or control byte inside the body
    uint32_t code_point;
    p = DecodeEscape(special, end, &code_point);
    if (p == nullptr) return nullptr;
    out = EncodeUtf8(code_point, out);
  }
}

}  // namespace internal

bool Unescape(std::string_view escaped, Arena* arena, std::string_view* out) {
  const char* begin = escaped.data();
  const char* end = begin + escaped.size();
  const char* special = internal::FindStringSpecial(begin, end);
  if (special == end) {
    *out = escaped;
    return true;
  }
  if (*special != '\\' || arena == nullptr) return false;
  // The prefix before the first backslash is copied by UnescapeTo's first run.
  char* buffer = arena->Allocate(escaped.size());
  char* written = internal::UnescapeTo(begin, end, buffer);
  if (written == nullptr) return false;
  *out = std::string_view(buffer, static_cast<size_t>(written - buffer));
  return true;
}

void AppendEscaped(std::string* out, std::string_view utf8) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = utf8.data();
  const char* end = p + utf8.size();
  while (true) {
    const char* special = internal::FindStringSpecial(p, end);
    out->append(p, static_cast<size_t>(special - p));
    if (special == end) return;
    unsigned char c = static_cast<unsigned char>(*special);
    switch (c) {
      case '"':
        out->append("\\\"", 2);
        break;
      case '\\':
        out->append("\\\\", 2);
        break;
      case '\b':
        out->append("\\b", 2);
        break;
      case '\f':
        out->append("\\f", 2);
        break;
      case '\n':
        out->append("\\n", 2);
        break;
      case '\r':
        out->append("\\r", 2);
        break;
      case '\t':
        out->append("\\t", 2);
        break;
      default: {
        const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(escape, 6);
      }
    }
    p = special + 1;
  }
}

}  // namespace llmstream::json
