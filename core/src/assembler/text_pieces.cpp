#include "assembler/text_pieces.h"

#include <algorithm>

namespace llmstream {

void TextPieces::Append(std::string_view text) {
  size_ += text.size();
  while (!text.empty()) {
    if (pieces_.empty() || pieces_.back().size() == kPieceBytes) {
      pieces_.emplace_back().reserve(kPieceBytes);
    }
    std::string& piece = pieces_.back();
    const size_t take = std::min(text.size(), kPieceBytes - piece.size());
    piece.append(text.substr(0, take));
    text.remove_prefix(take);
  }
}

void TextPieces::MoveTo(std::string* out) {
  out->reserve(out->size() + size_);
  for (std::string& piece : pieces_) {
    out->append(piece);
    std::string().swap(piece);
  }
  pieces_ = {};
  size_ = 0;
}

}  // namespace llmstream
