#include "session/splicer.h"

#include "text/one_line.h"

namespace llmstream::session_internal {
namespace {

using text::IsSpace;

// Letters and digits of any script: bytes of multi-byte UTF-8 characters count as word bytes.
bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         u == '_';
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

void Splicer::Begin(std::string_view old_text) {
  size_t start = old_text.size() > kWindow ? old_text.size() - kWindow : 0;
  while (start < old_text.size() && IsContinuationByte(old_text[start])) ++start;
  old_.assign(old_text.substr(start));
  old_is_whole_ = start == 0;
  candidates_.clear();
  for (size_t s = 0; s < old_.size(); ++s) {
    if (!IsContinuationByte(old_[s]) && Acceptable(s)) candidates_.push_back(s);
  }
  pending_.clear();
  out_.clear();
  joining_ = !candidates_.empty();
}

bool Splicer::Acceptable(size_t start) const {
  const bool word_start = start == 0 ? old_is_whole_ : !IsWordByte(old_[start - 1]);
  return word_start || !IsWordByte(old_[start]) || old_.size() - start >= kMinMidWord;
}

Splicer::Match Splicer::MatchAt(size_t start, size_t* consumed) const {
  const std::string_view old = std::string_view(old_).substr(start);
  const std::string_view text = pending_;
  size_t i = 0;
  size_t j = 0;
  while (i < old.size()) {
    if (j == text.size()) return Match::kPartial;
    if (!IsSpace(old[i])) {
      if (old[i] != text[j]) return Match::kMismatch;
      ++i;
      ++j;
      continue;
    }
    if (!IsSpace(text[j])) return Match::kMismatch;
    const size_t old_run = i;
    const size_t new_run = j;
    while (i < old.size() && IsSpace(old[i])) ++i;
    while (j < text.size() && IsSpace(text[j])) ++j;
    if (i < old.size()) {
      if (j == text.size()) return Match::kPartial;  // the run may go on
      continue;
    }
    // The old text's trailing whitespace: drop exactly that much when the new run repeats it,
    // so that a longer new run (a paragraph break after a line break) keeps its extra part.
    const std::string_view old_tail = old.substr(old_run);
    if (text.substr(new_run, j - new_run).substr(0, old_tail.size()) == old_tail) {
      *consumed = new_run + old_tail.size();
      return Match::kFull;
    }
    if (j == text.size()) return Match::kPartial;
    break;  // a different run: it stands for the old one
  }
  *consumed = j;
  return Match::kFull;
}

bool Splicer::Decide(bool final) {
  // Candidates go from the longest overlap to the shortest: the first full match is the best
  // one, unless a longer candidate is still partial (the new text may yet repeat all of it).
  size_t keep = 0;
  bool found = false;
  bool waiting = false;
  size_t drop = 0;
  for (size_t s : candidates_) {
    size_t consumed = 0;
    const Match match = MatchAt(s, &consumed);
    if (match == Match::kMismatch) continue;  // pending_ only grows: never again possible
    candidates_[keep++] = s;
    if (found) continue;
    if (match == Match::kFull) {
      found = true;
      drop = consumed;
    } else if (final) {
      found = true;
      drop = pending_.size();  // everything so far repeats old text
    } else {
      waiting = true;
    }
  }
  candidates_.resize(keep);
  if (waiting && !final && pending_.size() < kMaxPending) return false;
  out_.assign(pending_, drop);
  pending_.clear();
  candidates_.clear();
  joining_ = false;
  return true;
}

std::string_view Splicer::Feed(std::string_view text) {
  if (!joining_) return text;
  out_.clear();
  pending_.append(text);
  Decide(false);
  return out_;
}

std::string_view Splicer::Flush() {
  out_.clear();
  if (!joining_) return out_;
  Decide(true);
  return out_;
}

}  // namespace llmstream::session_internal
