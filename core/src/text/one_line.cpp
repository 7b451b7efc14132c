#include "text/one_line.h"

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
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    // Do not split a UTF-8 sequence: back up to a lead byte.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

}  // namespace llmstream::text
