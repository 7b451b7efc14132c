// ContentFilter: replaces (or drops) literal patterns in streamed text, also when a pattern is
// split across deltas (the seed guide's `filterContent(stream, filters)`, made chunk-safe: the
// guide applies each regex to one chunk at a time, so "sec" + "ret" escapes a filter for
// "secret").
//
// Matching. Patterns are literal byte strings (no regex, no wildcards); with case_insensitive,
// ASCII letters match either case (other characters match exactly). The text is scanned once,
// left to right; at each position the longest pattern that matches wins, its replacement is
// emitted (an empty replacement drops the match) and scanning resumes after it. Replacements are
// never scanned again. (The guide's filters run one after the other over the text, so a later
// filter sees an earlier one's replacement; rules here are simultaneous.)
//
// Holding back. Text is emitted as soon as no pattern can start in it: only a tail that is a
// proper prefix of some pattern is held, so at most (longest pattern - 1) bytes, plus an
// incomplete UTF-8 character. Flush emits the held tail (matching what can still match in it).
// The output is split-invariant: identical for every chunking of the same text.
//
// Cost: O(text * patterns) in the worst case; positions whose byte starts no pattern are skipped
// by a table lookup.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct FilterRule {
  std::string pattern;      // literal; empty patterns are ignored
  std::string replacement;  // "" drops the match
};

struct ContentFilterOptions {
  std::vector<FilterRule> rules;
  bool case_insensitive = false;  // ASCII letters only
};

class ContentFilter final : public TextTransform {
 public:
  explicit ContentFilter(ContentFilterOptions options);
  // Every pattern gets the same replacement ("" drops).
  ContentFilter(const std::vector<std::string>& patterns, std::string_view replacement,
                bool case_insensitive = false);

  // Emits at most one piece per call: the filtered text that became decidable.
  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  size_t held_bytes() const override { return held_.size(); }
  void Reset() override;

  // Matches replaced so far (the guide's `wasFiltered`: compare before and after a call).
  uint64_t matches() const { return matches_; }
  // The longest pattern, in bytes (the most held back is one less).
  size_t longest_pattern() const { return longest_; }

 private:
  void Scan(bool final, TextChunks* out);

  struct Rule {
    std::string pattern;  // folded to lower case when case_insensitive
    std::string replacement;
  };
  std::vector<Rule> rules_;  // longest pattern first
  bool case_insensitive_ = false;
  size_t longest_ = 0;
  std::array<bool, 256> starts_{};  // (folded) bytes some pattern starts with
  std::string held_;                // text not decided yet
  std::string scratch_;             // the piece being built
  uint64_t matches_ = 0;
};

}  // namespace llmstream
