#include "llmstream/transforms/content_filter.h"

#include <algorithm>

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

namespace {

inline unsigned char FoldAscii(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

}  // namespace

ContentFilter::ContentFilter(ContentFilterOptions options)
    : case_insensitive_(options.case_insensitive) {
  for (FilterRule& rule : options.rules) {
    if (rule.pattern.empty()) continue;
    Rule r{std::move(rule.pattern), std::move(rule.replacement)};
    if (case_insensitive_) {
      for (char& c : r.pattern) c = static_cast<char>(FoldAscii(static_cast<unsigned char>(c)));
    }
    starts_[static_cast<unsigned char>(r.pattern[0])] = true;
    if (case_insensitive_) {
      const auto first = static_cast<unsigned char>(r.pattern[0]);
      if (first >= 'a' && first <= 'z') starts_[first - ('a' - 'A')] = true;
    }
    longest_ = std::max(longest_, r.pattern.size());
    rules_.push_back(std::move(r));
  }
  std::stable_sort(rules_.begin(), rules_.end(), [](const Rule& a, const Rule& b) {
    return a.pattern.size() > b.pattern.size();
  });
}

ContentFilter::ContentFilter(const std::vector<std::string>& patterns, std::string_view replacement,
                             bool case_insensitive)
    : ContentFilter([&] {
        ContentFilterOptions options;
        options.case_insensitive = case_insensitive;
        for (const std::string& p : patterns)
          options.rules.push_back({p, std::string(replacement)});
        return options;
      }()) {}

void ContentFilter::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  held_.append(text.data(), text.size());
  Scan(false, out);
}

void ContentFilter::Flush(int64_t now_ms, TextChunks* out) { Scan(true, out); }

void ContentFilter::Scan(bool final, TextChunks* out) {
  const std::string_view all = held_;
  // Until the end, an incomplete character at the end stays held whatever happens.
  const size_t end = final ? all.size() : Utf8CompletePrefix(all);
  scratch_.clear();
  size_t pos = 0;
  size_t copied = 0;  // all[copied, pos) is plain text still to copy
  bool undecided = false;
  while (pos < end) {
    const auto c = static_cast<unsigned char>(all[pos]);
    if (!starts_[c]) {
      ++pos;
      continue;
    }
    const Rule* match = nullptr;
    const size_t avail = end - pos;
    for (const Rule& rule : rules_) {
      const size_t n = rule.pattern.size();
      const size_t cmp = std::min(n, avail);
      bool equal = true;
      for (size_t i = 0; i < cmp; ++i) {
        const auto b = static_cast<unsigned char>(all[pos + i]);
        if ((case_insensitive_ ? FoldAscii(b) : b) != static_cast<unsigned char>(rule.pattern[i])) {
          equal = false;
          break;
        }
      }
      if (!equal) continue;
      if (n > avail) {
        // A longer pattern could still match here: wait (at the end, it cannot any more).
        if (!final) {
          undecided = true;
          break;
        }
        continue;
      }
      match = &rule;  // rules are longest first: the first full match is the longest
      break;
    }
    if (undecided) break;
    if (match == nullptr) {
      ++pos;
      continue;
    }
    scratch_.append(all.data() + copied, pos - copied);
    scratch_.append(match->replacement);
    pos += match->pattern.size();
    copied = pos;
    ++matches_;
  }
  scratch_.append(all.data() + copied, pos - copied);
  if (!scratch_.empty()) out->Add(scratch_);
  held_.erase(0, pos);
}

void ContentFilter::Reset() {
  held_.clear();
  matches_ = 0;
}

}  // namespace llmstream
