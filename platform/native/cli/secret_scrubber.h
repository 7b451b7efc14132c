// Last line of defence for "keys are never printed": every line the CLI writes (errors, --json
// events, recorded frames) passes through Scrub, which masks any known secret. The core already
// keeps keys out of messages and Redacted() requests; this also covers what a server or a model
// echoes back and secrets passed as --header values. A secret is masked wherever it occurs, glued
// to the text around it or not ("xsk-...", "abc<key>"): it is a known string, not a guessed shape.
//
// Output that arrives in pieces (the answer's deltas, a body's reads) goes through a SecretStream:
// a key split across two pieces ("sk-te" + "st-...") is in neither piece, so scrubbing piece by
// piece let it through whole on stdout and in fragments in --json and recordings.
//
// The CLI's output path sees untrusted bytes from models and servers, so its cost is linear in
// them, however they are split: the secrets are found by one Aho-Corasick automaton whose place a
// SecretMatcher keeps between pieces (each byte is looked at once, whatever the secrets' lengths),
// and held bytes are taken from the front of a ByteQueue by moving an offset.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
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

  size_t longest() const { return longest_; }

 private:
  friend class SecretMatcher;

  // A node of the secrets' trie: the text on the path to it is a prefix of a secret.
  struct Node {
    std::vector<std::pair<char, uint32_t>> next;  // children by byte
    uint32_t fail = 0;       // the longest proper suffix of this text that is also a node
    uint32_t match = 0;      // the length of the longest secret this text ends with (0: none)
    uint32_t undecided = 0;  // the longest suffix of this text that is a proper prefix of a secret
  };

  void Build();
  uint32_t Child(uint32_t node, char byte) const;  // 0: none (the root is nobody's child)
  // The node after `byte`: the longest suffix of (node's text + byte) that is a node.
  uint32_t Step(uint32_t node, char byte) const;

  std::vector<std::string> secrets_;
  size_t longest_ = 0;
  std::vector<Node> nodes_ = std::vector<Node>(1);  // nodes_[0]: the root, the empty text
};

// Finds the secrets in a stream of bytes fed in any pieces: an occurrence split across pieces is
// found like a whole one, and each byte costs O(1) amortized (one automaton step; the failure
// links it follows are paid for by the bytes that went deeper into the trie).
class SecretMatcher {
 public:
  // `scrubber` must outlive the matcher and get no more secrets.
  explicit SecretMatcher(const SecretScrubber& scrubber) : scrubber_(scrubber) {}

  // Feeds the next bytes. mark(begin, end) is called with the stream offsets [begin, end) of
  // bytes inside occurrences of secrets, as each occurrence ends, each byte at most once (so the
  // cost stays O(1) per byte even where occurrences overlap).
  template <typename Mark>
  void Feed(std::string_view bytes, Mark mark);
  // The length of the longest tail of the stream that is a proper prefix of a secret: bytes the
  // next piece may turn into a secret (at most longest() - 1).
  size_t undecided() const { return scrubber_.nodes_[state_].undecided; }

 private:
  // Marks [begin, end), the longest occurrence ending at `end`, but for what earlier occurrences
  // (all ending before it) marked: past marked_ everything, before it only the gaps they left.
  template <typename Mark>
  void Cover(uint64_t begin, uint64_t end, Mark& mark);

  const SecretScrubber& scrubber_;
  uint32_t state_ = 0;
  uint64_t fed_ = 0;
  uint64_t marked_ = 0;  // the end of the last occurrence: no byte after it is marked
  // The unmarked ranges before marked_ that a later occurrence may still reach (those within
  // longest() bytes of it), oldest first.
  std::deque<std::pair<uint64_t, uint64_t>> gaps_;
};

template <typename Mark>
void SecretMatcher::Feed(std::string_view bytes, Mark mark) {
  for (const char byte : bytes) {
    state_ = scrubber_.Step(state_, byte);
    ++fed_;
    // The longest occurrence ending here covers the shorter ones that end here.
    if (const uint32_t length = scrubber_.nodes_[state_].match; length != 0) {
      Cover(fed_ - length, fed_, mark);
    }
  }
}

template <typename Mark>
void SecretMatcher::Cover(uint64_t begin, uint64_t end, Mark& mark) {
  // Each byte of a gap is marked once, then the gap shrinks or goes.
  while (!gaps_.empty() && gaps_.back().second > begin) {
    std::pair<uint64_t, uint64_t>& gap = gaps_.back();
    const uint64_t from = std::max(gap.first, begin);
    mark(from, gap.second);
    if (from > gap.first) {
      gap.second = from;
      break;
    }
    gaps_.pop_back();
  }
  if (begin > marked_) gaps_.emplace_back(marked_, begin);
  mark(std::max(begin, marked_), end);
  marked_ = end;
  // Later occurrences end after `end`, so they start after end - longest().
  while (!gaps_.empty() && gaps_.front().second + scrubber_.longest() <= end) gaps_.pop_front();
}

// A stream's bytes from some offset on: appended at the back, dropped from the front. Offsets
// count from the stream's first byte. Dropping moves an offset; the dropped bytes are erased only
// once they are at least as many as the ones kept, so each byte is moved at most once on average
// (erasing every dropped piece at once costs the size of everything held after it: quadratic when
// many pieces wait, as when a long line arrives one byte per read).
class ByteQueue {
 public:
  void Append(std::string_view bytes);
  // front() <= begin <= end <= back().
  std::string_view View(uint64_t begin, uint64_t end) const;
  char At(uint64_t offset) const { return bytes_[static_cast<size_t>(offset - first_)]; }
  // Overwrites the bytes of [begin, end) that are still held with '*'.
  void Mask(uint64_t begin, uint64_t end);
  // Overwrites the bytes from `at` with `bytes` (front() <= at, at + size <= back()).
  void Put(uint64_t at, std::string_view bytes);
  // The bytes before `offset` are not needed any more.
  void DropTo(uint64_t offset);
  // The bytes from front() to `end`, dropped.
  std::string Take(uint64_t end);
  uint64_t front() const { return front_; }
  uint64_t back() const { return first_ + bytes_.size(); }
  // Bytes appended, copied out or moved so far (tests check that it stays linear in the input).
  uint64_t work() const { return work_; }

 private:
  std::string bytes_;
  uint64_t first_ = 0;  // the offset of bytes_[0]
  uint64_t front_ = 0;  // the first byte still needed
  uint64_t work_ = 0;
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
  explicit SecretStream(const SecretScrubber& scrubber) : matcher_(scrubber) {}

  void Push(std::string_view piece);
  // The end of the stream: everything held is decided.
  void Finish();

  std::string TakeBytes();
  // Whether the oldest piece not taken yet is decided.
  bool PieceReady() const;
  // The oldest piece, masked (call only when PieceReady()).
  std::string TakePiece();

  // Bytes scanned, copied or moved so far (tests check that it stays linear in the input).
  uint64_t work() const { return work_ + out_.work(); }

 private:
  SecretMatcher matcher_;
  ByteQueue out_;                    // pushed, not taken yet, secrets masked
  uint64_t decided_ = 0;             // no later piece can change the bytes before this offset
  std::deque<uint64_t> piece_ends_;  // the ends of the pieces not taken, as offsets
  uint64_t work_ = 0;
};

}  // namespace llmstream::cli
