// TextTransform: the interface every text transform implements (word streaming, safe markdown,
// typing effect, content filter, batching, chunking, smoothing), and TextChunks, the reusable
// list of output pieces they append to. Transforms compose in a Pipeline (pipeline.h).
//
//   llmstream::TextChunks out;
//   WordStream words;
//   for each text delta:   out.Clear(); words.Push(delta, now_ms, &out);   // use out[0..n)
//   when WakeAtMs() is due: out.Clear(); words.Tick(now_ms, &out);
//   at the end:            out.Clear(); words.Flush(now_ms, &out);
//
// Sans-I/O, like the rest of the core: a transform never reads a clock, sleeps or starts a
// timer. Time comes in as `now_ms` (milliseconds on one monotonic clock of the caller's choice;
// a time earlier than one seen before counts as that earlier maximum). Transforms that release
// text over time (TypingEffect, AdaptiveSmoother, Batcher's interval) say through WakeAtMs()
// when they next want Tick() to be called, the same Poll / wake_at style as Session.
//
// Output comes as pieces: a transform may emit several per call (one per word, per character,
// per batch ...). A piece is a view into the TextChunks buffer, valid until that TextChunks is
// changed. Transforms append to `out` and never clear it, so a caller may collect several calls
// into one TextChunks. In steady state nothing allocates: TextChunks and the transforms keep
// their buffers' capacity across calls.
//
// UTF-8. Inputs may split a character anywhere (a delta of any bytes). A transform never cuts a
// character in two when it cuts text itself: an incomplete sequence at the end of what it holds
// waits for its remaining bytes, or for Flush (which emits it as it is). Bytes that are not
// valid UTF-8 pass through unchanged (SafeMarkdown alone replaces them, with U+FFFD).
//
// Split invariance. Unless a transform's header says otherwise, the concatenation of everything
// it emits (Push ... Flush) is the same whatever the input's chunking, and for WordStream,
// FixedChunker and TypingEffect the pieces themselves are too. Batcher's pieces follow the
// input's deltas by design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream {

// An ordered list of text pieces in one reusable buffer.
class TextChunks {
 public:
  // Removes every piece, keeping the capacity.
  void Clear() {
    data_.clear();
    pieces_.clear();
  }
  bool empty() const { return pieces_.empty(); }
  size_t size() const { return pieces_.size(); }
  // Piece i (i < size()).
  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : pieces_[i - 1].end;
    return std::string_view(data_).substr(begin, pieces_[i].end - begin);
  }
  // How many input deltas piece i stands for: 1 for most transforms, the number of deltas a
  // batch groups for Batcher (so a caller holding the original deltas can slice them).
  uint32_t items(size_t i) const { return pieces_[i].items; }
  // Every piece, concatenated.
  std::string_view text() const { return data_; }

  // Appends one piece (it may be empty: Batcher emits a batch of empty deltas as one).
  void Add(std::string_view piece, uint32_t items = 1) {
    data_.append(piece.data(), piece.size());
    pieces_.push_back({data_.size(), items});
  }

  class Iterator {
   public:
    Iterator(const TextChunks* chunks, size_t i) : chunks_(chunks), i_(i) {}
    std::string_view operator*() const { return (*chunks_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    const TextChunks* chunks_;
    size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, pieces_.size()); }

 private:
  struct Piece {
    size_t end;  // offset in data_ one past the piece
    uint32_t items;
  };
  std::string data_;
  std::vector<Piece> pieces_;
};

class TextTransform {
 public:
  virtual ~TextTransform() = default;

  // Takes one delta (any bytes, empty included) arriving at `now_ms`, and appends to `out` what
  // is to be shown now: what was due by now_ms (as Tick would release it), then what the new
  // text makes ready.
  virtual void Push(std::string_view text, int64_t now_ms, TextChunks* out) = 0;

  // Time passed without new text: appends what is due by now_ms. Call it at WakeAtMs() (earlier
  // or later calls are fine: early ones release nothing new, late ones release what is due).
  virtual void Tick(int64_t now_ms, TextChunks* out) {}

  // The text ended (or a boundary where nothing may stay held, e.g. before a tool call):
  // appends everything still held, at once. The transform stays usable; a later Push continues
  // after this point (nothing held back then spans the Flush).
  virtual void Flush(int64_t now_ms, TextChunks* out) = 0;

  // When Tick should next be called: -1 when nothing is waiting for time (only new text or Flush
  // will release anything).
  virtual int64_t WakeAtMs() const { return -1; }

  // Bytes taken in but not emitted yet.
  virtual size_t held_bytes() const = 0;

  // Back to the state just after construction (options kept), keeping buffer capacity.
  virtual void Reset() = 0;

 protected:
  TextTransform() = default;
  TextTransform(const TextTransform&) = default;
  TextTransform& operator=(const TextTransform&) = default;
};

}  // namespace llmstream
