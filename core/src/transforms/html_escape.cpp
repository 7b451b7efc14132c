#include "transforms/html_escape.h"

#include "transforms/utf8.h"

namespace llmstream::markdown_internal {

using namespace transforms_internal;

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool ValidUnit(std::string_view text, size_t pos, size_t len) {
  if (len == 1) return static_cast<unsigned char>(text[pos]) < 0x80;
  const auto c0 = static_cast<unsigned char>(text[pos]);
  if (Utf8LeadLength(c0) != len) return false;  // cut short by a non-continuation byte
  const uint32_t cp = Utf8Decode(text, pos, len);
  if (len == 3) return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
  if (len == 4) return cp >= 0x10000 && cp <= 0x10FFFF;
  return cp >= 0x80;
}

}  // namespace

void AppendEscaped(std::string_view text, std::string* out) {
  size_t pos = 0;
  size_t copied = 0;
  auto flush = [&] { out->append(text.data() + copied, pos - copied); };
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x80) {
      size_t len = Utf8UnitLength(text, pos);
      if (len == 0) len = text.size() - pos;  // incomplete at the end
      if (!ValidUnit(text, pos, len)) {
        flush();
        out->append(kReplacement);
        pos += len;
        copied = pos;
      } else {
        pos += len;
      }
      continue;
    }
    std::string_view replacement;
    switch (c) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        replacement = "&gt;";
        break;
      case '"':
        replacement = "&quot;";
        break;
      case '\'':
        replacement = "&#39;";
        break;
      case '=':
        replacement = "&#61;";
        break;
      case ':':
        replacement = "&#58;";
        break;
      case '`':
        replacement = "&#96;";
        break;
      default:
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
          replacement = kReplacement;
        break;
    }
    if (replacement.empty()) {
      ++pos;
      continue;
    }
    flush();
    out->append(replacement);
    ++pos;
    copied = pos;
  }
  flush();
}

}  // namespace llmstream::markdown_internal
