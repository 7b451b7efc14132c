// Splicer: joins the text of a continuation attempt onto the text the caller already has, so that
// nothing appears twice (SessionOptions::continuation).
//
// A model asked to continue often repeats a little: the last word or sentence (OpenAI-style
// "continue" turns), or the whitespace that had to be trimmed off an Anthropic prefill. The
// Splicer holds the new text back only while it could still be such a repeat, then drops the
// longest prefix of it that equals a suffix of the old tail (the last kWindow bytes):
//  - whitespace runs compare equal to whitespace runs, except at the very end of the old text,
//    where the old trailing whitespace is dropped exactly when the new text starts with it
//    (so "line\n" + "\n\nNext" keeps the paragraph break: "line\n\nNext");
//  - an overlap must start at a word boundary of the old text, or be at least kMinMidWord bytes
//    long: "100" + "0 items" is the number 1000, not a repeated "0".
// Limits: a repeat longer than the window, or one that is not at the very start of the new text
// (a restated sentence after a preamble), stays.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream::session_internal {

class Splicer {
 public:
  static constexpr size_t kWindow = 256;
  static constexpr size_t kMinMidWord = 12;
  // New text held back beyond this is decided on at once (only very long whitespace runs get
  // here: an overlap is at most kWindow bytes of old text).
  static constexpr size_t kMaxPending = 4 * kWindow;

  // Starts a join onto `old_text` (only its tail is kept).
  void Begin(std::string_view old_text);
  // True from Begin until the overlap is decided.
  bool joining() const { return joining_; }
  // New text, in order. Returns what may be delivered now ("" while undecided). The view is
  // valid until the next call.
  std::string_view Feed(std::string_view text);
  // No more text for the join (the attempt ended, or other output came): decides with what is
  // held and returns the rest to deliver. New text that is wholly a repeat so far is dropped.
  std::string_view Flush();

 private:
  enum class Match { kMismatch, kPartial, kFull };
  // Matches old_[start..] against the start of pending_; on kFull, *consumed = pending bytes.
  Match MatchAt(size_t start, size_t* consumed) const;
  bool Acceptable(size_t start) const;
  // Decides if it can (or must, when `final`): fills out_ and ends the join.
  bool Decide(bool final);

  std::string old_;                 // the old tail
  bool old_is_whole_ = false;       // old_ starts where the old text starts
  std::vector<size_t> candidates_;  // overlap starts in old_ still possible
  std::string pending_;             // new text held back
  std::string out_;
  bool joining_ = false;
};

}  // namespace llmstream::session_internal
