// Last line of defence for "keys are never printed": every line the CLI writes (errors, --json
// events, recorded frames) passes through Scrub, which masks any known secret. The core already
// keeps keys out of messages and Redacted() requests; this also covers what a server or a model
// echoes back and secrets passed as --header values.
//
// Output that arrives in pieces (the answer's deltas, a body's reads) goes through a SecretStream:
// a key split across two pieces ("sk-te" + "st-...") is in neither piece, so scrubbing piece by
// piece let it through whole on stdout and in fragments in --json and recordings.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream::cli {

class SecretScrubber {
 public:
  // Secrets shorter than 6 bytes are ignored: masking them would garble ordinary text.
  void Add(std::string_view secret);

  // Overwrites every byte inside an occurrence of a secret with '*' (byte counts stay valid,
  // which recorded frames rely on). Occurrences may overlap; all are masked.
  void Scrub(std::string* text) const;
  std::string Scrubbed(std::string_view text) const;

  // Sets masked[i] for every byte i of `text` inside an occurrence of a secret that ends at or
  // after byte `from` (occurrences ending earlier were found by a previous call).
  void Mark(std::string_view text, size_t from, std::vector<bool>* masked) const;
  // The length of the longest tail of `text` that is a proper prefix of a secret: bytes the next
  // piece may turn into a secret (at most longest() - 1).
  size_t UndecidedTail(std::string_view text) const;
  size_t longest() const { return longest_; }

 private:
  std::vector<std::string> secrets_;
  size_t longest_ = 0;
};

// Masks the secrets of a stream of pieces however the pieces split them. What might still become
// a secret (a tail that is a proper prefix of one) is held until the next piece or Finish decides
// it, so at most longest() - 1 bytes are held, and only when the text really ends like the start
// of a secret. The output, concatenated, is the same for every split of the same text.
//
// Two ways to take the output: TakeBytes (the decided bytes, split anywhere: the answer on a
// terminal) or TakePiece (whole pieces as pushed, each masked: --json events and recorded frames,
// whose boundaries must stay).
class SecretStream {
 public:
  // `scrubber` must outlive the stream.
  explicit SecretStream(const SecretScrubber& scrubber) : scrubber_(scrubber) {}

  void Push(std::string_view piece);
  // The end of the stream: everything held is decided.
  void Finish();

  std::string TakeBytes();
  // Whether the oldest piece not taken yet is decided.
  bool PieceReady() const;
  // The oldest piece, masked (call only when PieceReady()).
  std::string TakePiece();

 private:
  std::string Take(size_t count);

  const SecretScrubber& scrubber_;
  std::string buffer_;             // pushed, not taken yet
  std::vector<bool> masked_;       // per byte of buffer_
  size_t decided_ = 0;             // bytes at the front of buffer_ no later piece can change
  std::deque<size_t> piece_ends_;  // ends of the pieces not taken, as offsets in buffer_
};

}  // namespace llmstream::cli
