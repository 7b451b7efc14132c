#include "text/one_line.h"

#include "llmstream/url_redaction.h"

namespace llmstream::text {

std::string OneLine(std::string_view text, size_t max_bytes) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
    if (out.size() > max_bytes) break;  // enough to know it gets cut
  }
  CutLine(&out, max_bytes);
  return out;
}

void CutLine(std::string* text, size_t max_bytes) {
  if (text->size() <= max_bytes) return;
  size_t cut = max_bytes;
  // Do not split a UTF-8 sequence: back up to a lead byte.
  while (cut > 0 && (static_cast<unsigned char>((*text)[cut]) & 0xC0) == 0x80) --cut;
  text->resize(cut);
  *text += "...";
}

std::string MaskKey(std::string_view text, std::string_view key) {
  if (key.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, from)) {
    out.append(text.substr(from, at - from));
    out += kRedactedMark;
    from = at + key.size();
  }
  out.append(text.substr(from));
  return out;
}

}  // namespace llmstream::text
