// TextPieces: the tail of one long Completion string, held in pieces that never move.
//
// A string that doubles as it grows holds its old and its new buffer at once (3x its size at the
// step), and in a wasm heap, which never shrinks, every step it left behind stays (issue 13: the
// assembled answer alone cost ~2.7x its size there). Past Assembler::kInlineBytes the assembler
// appends here instead: each piece is allocated once at its full size and filled, so the text
// costs its size plus at most one piece. The Completion's own string is completed from the
// pieces only when someone asks for it (Assembler::result), with one allocation of the final
// size; the wasm module's result JSON points at the pieces instead (Assembler::ForEachPending).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream {

class TextPieces {
 public:
  static constexpr size_t kPieceBytes = size_t{1} << 20;

  void Append(std::string_view text);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // In order; every piece is full (kPieceBytes) but the last. A piece may end inside a UTF-8
  // sequence: readers join the bytes before decoding them.
  std::span<const std::string> pieces() const { return pieces_; }

  // Appends everything to `out` (which grows once, to its final size), freeing each piece once it
  // is copied, and leaves this empty.
  void MoveTo(std::string* out);

 private:
  std::vector<std::string> pieces_;
  size_t size_ = 0;
};

}  // namespace llmstream
