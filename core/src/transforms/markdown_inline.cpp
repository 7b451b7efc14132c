#include "transforms/markdown_inline.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transforms/html_escape.h"
#include "transforms/utf8.h"

namespace llmstream::markdown_internal {

using namespace transforms_internal;

namespace {

constexpr size_t kNone = std::string_view::npos;
constexpr std::string_view kRel = "\" rel=\"noopener noreferrer nofollow\">";
constexpr std::string_view kTitleClosers = "\"')";

std::atomic<uint64_t> g_scan_steps{0};

bool IsAsciiPunct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// The code point before `pos` (0 = none) and at `pos` (0 = none), for flanking rules.
uint32_t CodePointBefore(std::string_view text, size_t pos) {
  if (pos == 0) return 0;
  size_t start = pos - 1;
  for (int back = 0;
       back < 3 && start > 0 && IsContinuation(static_cast<unsigned char>(text[start])); ++back) {
    --start;
  }
  const size_t len = Utf8UnitLength(text, start);
  if (len == 0 || start + len != pos) return 0xFFFD;
  return Utf8Decode(text, start, len);
}

uint32_t CodePointAt(std::string_view text, size_t pos) {
  if (pos >= text.size()) return 0;
  const size_t len = Utf8UnitLength(text, pos);
  if (len == 0) return 0xFFFD;
  return Utf8Decode(text, pos, len);
}

bool IsSpaceForFlanking(uint32_t cp) { return cp == 0 || IsWordSpace(cp) || cp == 0xA0; }
bool IsPunctForFlanking(uint32_t cp) {
  return cp < 0x80 && IsAsciiPunct(static_cast<unsigned char>(cp));
}

bool IsEmailAddress(std::string_view s) {
  const size_t at = s.find('@');
  if (at == kNone || at == 0 || at + 1 >= s.size()) return false;
  static constexpr std::string_view kLocal = ".!#$%&'*+/=?^_`{|}~-";
  for (size_t i = 0; i < at; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!(std::isalnum(c) != 0 && c < 0x80) && kLocal.find(static_cast<char>(c)) == kNone) {
      return false;
    }
  }
  for (size_t i = at + 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!((c < 0x80 && std::isalnum(c) != 0) || c == '-' || c == '.')) return false;
  }
  return true;
}

struct Node {
  bool delim = false;
  std::string html;  // !delim: ready markup
  char ch = 0;       // delim: '*' or '_'
  int count = 0;     // delim: characters left
  int original = 0;
  bool can_open = false;
  bool can_close = false;
  // After the remaining characters: one letter per match as the opener, 's' <strong> or 'e'
  // <em>, innermost first (so a match appends instead of inserting at the front, which costs the
  // tags so far: quadratic for one long run of '*' closed one by one).
  std::string opened;
  std::string close_tags;  // before them
};

class InlineRenderer {
 public:
  InlineRenderer(std::string_view text, const InlineOptions& options)
      : text_(text), options_(options) {}

  void Render(std::string* out) {
    if (options_.links) MatchBrackets();
    Tokenize();
    ProcessEmphasis();
    for (const Node& node : nodes_) {
      if (!node.delim) {
        out->append(node.html);
      } else {
        out->append(node.close_tags);
        out->append(static_cast<size_t>(node.count), node.ch);
        for (auto tag = node.opened.rbegin(); tag != node.opened.rend(); ++tag) {
          out->append(*tag == 's' ? "<strong>" : "<em>");
        }
      }
    }
    AddScanSteps(steps_);
  }

 private:
  size_t Run(size_t pos, char c) {
    size_t end = pos;
    while (end < text_.size() && text_[end] == c) ++end;
    steps_ += end - pos;
    return end - pos;
  }

  // The start of the backtick run of exactly `len` that closes a code span opened just before
  // `from` (a run's end), or kNone. The last run of each length is indexed first, so a search
  // that would fail is answered without a scan (runs of many lengths, each failing, would
  // otherwise cost the rest of the text each); a search that runs succeeds, and both callers
  // skip past the closer, so no character is scanned twice.
  size_t FindCodeClose(size_t from, size_t len) {
    if (!code_runs_indexed_) {
      code_runs_indexed_ = true;
      for (size_t pos = text_.find('`'); pos != kNone; pos = text_.find('`', pos)) {
        const size_t run = Run(pos, '`');
        code_last_[run] = pos;
        pos += run;
      }
      steps_ += text_.size();
    }
    const auto last = code_last_.find(len);
    if (last == code_last_.end() || last->second < from) return kNone;
    for (size_t pos = text_.find('`', from);; pos = text_.find('`', pos)) {
      const size_t run = Run(pos, '`');
      if (run == len) {
        steps_ += pos - from;
        return pos;
      }
      pos += run;
    }
  }

  // The first `closing` (one of kTitleClosers) at or after `from` that no backslash escapes, or
  // kNone: where a link title opened just before `from` ends. From the closers indexed once:
  // scanning for each title would cost the rest of the text per link ("[a](x (" repeated).
  // Which characters a backslash escapes is the same from any start that does not follow a
  // backslash (a title starts after its quote or parenthesis), so one pass from 0 serves all.
  size_t FindTitleClose(size_t from, char closing) {
    if (!titles_indexed_) {
      titles_indexed_ = true;
      const size_t n = text_.size();
      for (size_t q = 0; q < n;) {
        if (text_[q] == '\\' && q + 1 < n) {
          q += 2;
          continue;
        }
        const size_t kind = kTitleClosers.find(text_[q]);
        if (kind != kNone) title_closers_[kind].push_back(q);
        ++q;
      }
      steps_ += n;
    }
    ++steps_;
    const std::vector<size_t>& closers = title_closers_[kTitleClosers.find(closing)];
    const auto it = std::lower_bound(closers.begin(), closers.end(), from);
    return it == closers.end() ? kNone : *it;
  }

  // Past the spaces, tabs and line feeds at `p`.
  size_t SkipSpace(size_t p) {
    const size_t start = p;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\n')) ++p;
    steps_ += p - start + 1;
    return p;
  }

  // Past the spaces after the title closer at `close`, remembered per closer: the titles of many
  // links can end at the same one ("[a](x (" repeated, then ")"), and each would scan the
  // spaces after it again. (The other two SkipSpace calls of a link start where no other link's
  // do, or where at most 33 do: see the destination's scan.)
  size_t SkipSpaceAfterTitle(size_t close) {
    const size_t next = close + 1;
    if (next >= text_.size() ||
        (text_[next] != ' ' && text_[next] != '\t' && text_[next] != '\n')) {
      return next;  // no spaces (a title's usual end, `")`): nothing to remember
    }
    const auto [known, inserted] = after_title_.try_emplace(close, 0);
    if (inserted) known->second = SkipSpace(close + 1);
    return known->second;
  }

  // Pairs of [ and ] outside code spans and escapes, for links.
  void MatchBrackets() {
    std::vector<size_t> open;
    for (size_t i = 0; i < text_.size();) {
      const char c = text_[i];
      if (c == '\\' && i + 1 < text_.size() &&
          IsAsciiPunct(static_cast<unsigned char>(text_[i + 1]))) {
        i += 2;
      } else if (c == '`') {
        const size_t run = Run(i, '`');
        const size_t close = FindCodeClose(i + run, run);
        i = close == kNone ? i + run : close + run;
      } else if (c == '[') {
        open.push_back(i++);
      } else if (c == ']') {
        if (!open.empty()) {
          brackets_.emplace_back(open.back(), i);
          open.pop_back();
        }
        ++i;
      } else {
        ++i;
      }
    }
    steps_ += text_.size();
    std::sort(brackets_.begin(), brackets_.end());
  }

  size_t MatchOf(size_t open) {
    ++steps_;
    auto it = std::lower_bound(brackets_.begin(), brackets_.end(), std::make_pair(open, size_t{0}));
    return it != brackets_.end() && it->first == open ? it->second : kNone;
  }

  void FlushText() {
    if (pending_.empty()) return;
    std::string escaped;
    AppendEscaped(pending_, &escaped);
    AddHtml(escaped);
    pending_.clear();
  }

  void AddHtml(std::string_view html) {
    if (nodes_.empty() || nodes_.back().delim) nodes_.emplace_back();
    nodes_.back().html.append(html);
  }

  size_t TrimPendingSpaces() {
    size_t n = 0;
    while (!pending_.empty() && pending_.back() == ' ') {
      pending_.pop_back();
      ++n;
    }
    return n;
  }

  void Tokenize() {
    const size_t n = text_.size();
    size_t i = 0;
    while (i < n) {
      const char c = text_[i];
      size_t end = 0;
      switch (c) {
        case '\\':
          if (i + 1 < n && text_[i + 1] == '\n') {
            TrimPendingSpaces();
            FlushText();
            AddHtml("<br>\n");
            i += 2;
          } else if (i + 1 < n && IsAsciiPunct(static_cast<unsigned char>(text_[i + 1]))) {
            pending_ += text_[i + 1];
            i += 2;
          } else {
            pending_ += '\\';
            ++i;
          }
          continue;
        case '`': {
          const size_t run = Run(i, '`');
          const size_t close = FindCodeClose(i + run, run);
          if (close == kNone) {
            pending_.append(run, '`');
            i += run;
          } else {
            FlushText();
            CodeSpan(text_.substr(i + run, close - i - run));
            i = close + run;
          }
          continue;
        }
        case '*':
        case '_':
          i = Delimiter(i);
          continue;
        case '!':
          if (options_.links && i + 1 < n && text_[i + 1] == '[') {
            if (TryLink(i + 1, &end)) {
              i = end;
              continue;
            }
            failed_link_ = i + 1;  // the '[' next is not a link either: no second try
          }
          pending_ += '!';
          ++i;
          continue;
        case '[':
          if (options_.links && i != failed_link_ && TryLink(i, &end)) {
            i = end;
          } else {
            pending_ += '[';
            ++i;
          }
          continue;
        case '<':
          if (options_.links && TryAutolink(i, &end)) {
            i = end;
          } else {
            pending_ += '<';
            ++i;
          }
          continue;
        case '\n': {
          const size_t spaces = TrimPendingSpaces();
          FlushText();
          AddHtml(spaces >= 2 || options_.hard_breaks ? "<br>\n" : "\n");
          ++i;
          continue;
        }
        case 'h':
        case 'H':
          if (options_.links && options_.autolink_bare_urls && TryBareUrl(i, &end)) {
            i = end;
            continue;
          }
          break;
        default:
          break;
      }
      pending_ += c;
      ++i;
    }
    steps_ += n;
    FlushText();
  }

  void CodeSpan(std::string_view content) {
    std::string code(content);
    std::replace(code.begin(), code.end(), '\n', ' ');
    if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ' &&
        code.find_first_not_of(' ') != std::string::npos) {
      code = code.substr(1, code.size() - 2);
    }
    std::string html = "<code>";
    AppendEscaped(code, &html);
    html += "</code>";
    AddHtml(html);
  }

  size_t Delimiter(size_t pos) {
    const char c = text_[pos];
    const size_t run = Run(pos, c);
    const uint32_t before = CodePointBefore(text_, pos);
    const uint32_t after = CodePointAt(text_, pos + run);
    const bool before_space = IsSpaceForFlanking(before);
    const bool after_space = IsSpaceForFlanking(after);
    const bool before_punct = IsPunctForFlanking(before);
    const bool after_punct = IsPunctForFlanking(after);
    const bool left = !after_space && (!after_punct || before_space || before_punct);
    const bool right = !before_space && (!before_punct || after_space || after_punct);
    FlushText();
    Node node;
    node.delim = true;
    node.ch = c;
    node.count = node.original = static_cast<int>(std::min<size_t>(run, 1u << 30));
    if (c == '*') {
      node.can_open = left;
      node.can_close = right;
    } else {
      node.can_open = left && (!right || before_punct);
      node.can_close = right && (!left || after_punct);
    }
    nodes_.push_back(std::move(node));
    return pos + run;
  }

  static std::string Unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size() && IsAsciiPunct(static_cast<unsigned char>(s[i + 1]))) {
        ++i;
      }
      out += s[i];
    }
    return out;
  }

  // [text](destination "title") starting at the '[' at `open`.
  bool TryLink(size_t open, size_t* end) {
    const size_t close = MatchOf(open);
    const size_t n = text_.size();
    if (close == kNone || close + 1 >= n || text_[close + 1] != '(') return false;
    size_t p = SkipSpace(close + 2);
    std::string_view destination;
    if (p < n && text_[p] == '<') {
      // Ends at the next '<': no other link's <destination> scan crosses this one's.
      size_t q = p + 1;
      while (q < n && text_[q] != '>' && text_[q] != '\n' && text_[q] != '<') {
        q += (text_[q] == '\\' && q + 1 < n) ? 2 : 1;
      }
      steps_ += q - p;
      if (q >= n || text_[q] != '>') return false;
      destination = text_.substr(p + 1, q - p - 1);
      p = q + 1;
    } else {
      size_t q = p;
      int depth = 0;
      while (q < n) {
        const auto ch = static_cast<unsigned char>(text_[q]);
        if (ch == '\\' && q + 1 < n && IsAsciiPunct(static_cast<unsigned char>(text_[q + 1]))) {
          q += 2;
          continue;
        }
        if (ch <= ' ' || ch == 0x7F) break;
        // The cap also bounds the work: a destination's scan only crosses the starts of other
        // destinations nested deeper than it in parentheses, so at most 33 scans cover any
        // character.
        if (ch == '(') {
          if (++depth > 32) {
            steps_ += q - p;
            return false;
          }
        } else if (ch == ')') {
          if (depth == 0) break;
          --depth;
        }
        ++q;
      }
      steps_ += q - p;
      destination = text_.substr(p, q - p);
      p = q;
    }
    p = SkipSpace(p);
    if (p < n && (text_[p] == '"' || text_[p] == '\'' || text_[p] == '(')) {
      const size_t q = FindTitleClose(p + 1, text_[p] == '(' ? ')' : text_[p]);
      if (q == kNone) return false;
      p = SkipSpaceAfterTitle(q);
    }
    if (p >= n || text_[p] != ')') return false;
    *end = p + 1;
    const std::string href = SafeHref(Unescape(destination));
    InlineOptions inner = options_;
    inner.links = false;
    std::string html;
    if (!href.empty()) {
      html = "<a href=\"";
      html += href;
      html += kRel;
    }
    RenderInline(text_.substr(open + 1, close - open - 1), inner, &html);
    if (!href.empty()) html += "</a>";
    FlushText();
    AddHtml(html);
    return true;
  }

  // <scheme:...> or <user@host>.
  bool TryAutolink(size_t open, size_t* end) {
    size_t q = open + 1;
    while (q < text_.size() && text_[q] != '>') {
      const auto ch = static_cast<unsigned char>(text_[q]);
      // Ends at the next '<' at the latest: autolink scans never overlap.
      if (ch <= ' ' || ch == '<' || ch == 0x7F || q - open > 4096) {
        steps_ += q - open;
        return false;
      }
      ++q;
    }
    steps_ += q - open;
    if (q >= text_.size()) return false;
    const std::string_view content = text_.substr(open + 1, q - open - 1);
    const std::string href =
        IsEmailAddress(content) ? SafeHref("mailto:" + std::string(content)) : SafeHref(content);
    if (href.empty()) return false;
    std::string html = "<a href=\"";
    html += href;
    html += kRel;
    AppendEscaped(content, &html);
    html += "</a>";
    FlushText();
    AddHtml(html);
    *end = q + 1;
    return true;
  }

  // A bare http(s):// URL at a word start.
  bool TryBareUrl(size_t start, size_t* end) {
    if (start > 0) {
      const char prev = text_[start - 1];
      static constexpr std::string_view kOpeners = " \t\n([{\"'*_~";
      if (kOpeners.find(prev) == kNone) return false;
    }
    const std::string_view rest = text_.substr(start);
    size_t prefix = 0;
    if (StartsWithNoCase(rest, "https://")) {
      prefix = 8;
    } else if (StartsWithNoCase(rest, "http://")) {
      prefix = 7;
    } else {
      return false;
    }
    // A failed URL is "http://" and trailing punctuation only: no 'h' for another attempt to
    // start from within it.
    size_t q = start + prefix;
    size_t opens = 0;
    size_t closes = 0;
    while (q < text_.size()) {
      const auto ch = static_cast<unsigned char>(text_[q]);
      if (ch <= ' ' || ch == '<' || ch == '>' || ch == '"' || ch == '`' || ch == 0x7F) break;
      opens += ch == '(';
      closes += ch == ')';
      ++q;
    }
    steps_ += 2 * (q - start);  // and the trailing characters trimmed below
    static constexpr std::string_view kTrailing = "?!.,:;*_~'\"";
    while (q > start + prefix) {
      const char ch = text_[q - 1];
      if (kTrailing.find(ch) != kNone) {
        --q;
      } else if (ch == ')' && closes > opens) {
        --q;
        --closes;
      } else {
        break;
      }
    }
    if (q <= start + prefix) return false;
    const std::string_view url = text_.substr(start, q - start);
    const std::string href = SafeHref(url);
    if (href.empty()) return false;
    std::string html = "<a href=\"";
    html += href;
    html += kRel;
    AppendEscaped(url, &html);
    html += "</a>";
    FlushText();
    AddHtml(html);
    *end = q;
    return true;
  }

  // CommonMark's "process emphasis", over a linked list of the delimiter runs.
  void ProcessEmphasis() {
    std::vector<size_t> d;  // node indices of delimiter runs
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].delim) d.push_back(i);
    }
    if (d.size() < 2) return;
    const int count = static_cast<int>(d.size());
    std::vector<int> prev(d.size());
    std::vector<int> next(d.size());
    for (int k = 0; k < count; ++k) {
      prev[k] = k - 1;
      next[k] = k + 1 < count ? k + 1 : -1;
    }
    auto unlink = [&](int k) {
      if (prev[k] >= 0) next[prev[k]] = next[k];
      if (next[k] >= 0) prev[next[k]] = prev[k];
    };
    // Lowest position to look down to, per closer kind (char, can_open, length % 3).
    std::array<int, 12> bottom;
    bottom.fill(-1);
    int c = 0;
    while (c != -1) {
      ++steps_;
      Node& closer = nodes_[d[c]];
      if (!closer.can_close || closer.count == 0) {
        c = next[c];
        continue;
      }
      const int key = (closer.ch == '*' ? 0 : 6) + (closer.can_open ? 3 : 0) + closer.original % 3;
      int o = prev[c];
      bool found = false;
      while (o != -1 && o > bottom[key]) {
        ++steps_;
        const Node& opener = nodes_[d[o]];
        if (opener.ch == closer.ch && opener.can_open && opener.count > 0) {
          const bool odd = (opener.can_close || closer.can_open) &&
                           (opener.original + closer.original) % 3 == 0 &&
                           !(opener.original % 3 == 0 && closer.original % 3 == 0);
          if (!odd) {
            found = true;
            break;
          }
        }
        o = prev[o];
      }
      if (found) {
        Node& opener = nodes_[d[o]];
        const bool strong = closer.count >= 2 && opener.count >= 2;
        opener.opened += strong ? 's' : 'e';
        closer.close_tags += strong ? "</strong>" : "</em>";
        opener.count -= strong ? 2 : 1;
        closer.count -= strong ? 2 : 1;
        next[o] = c;  // the runs in between can no longer match: they stay text
        prev[c] = o;
        if (opener.count == 0) unlink(o);
        if (closer.count == 0) {
          const int after = next[c];
          unlink(c);
          c = after;
        }
      } else {
        bottom[key] = prev[c];
        const int after = next[c];
        if (!closer.can_open) unlink(c);
        c = after;
      }
    }
  }

  std::string_view text_;
  InlineOptions options_;
  std::vector<Node> nodes_;
  std::string pending_;
  std::vector<std::pair<size_t, size_t>> brackets_;
  size_t failed_link_ = kNone;
  bool code_runs_indexed_ = false;
  std::unordered_map<size_t, size_t> code_last_;  // run length -> start of the last such run
  bool titles_indexed_ = false;
  std::array<std::vector<size_t>, 3> title_closers_;  // per kTitleClosers character, ascending
  std::unordered_map<size_t, size_t> after_title_;    // title closer -> past the spaces after it
  uint64_t steps_ = 0;
};

}  // namespace

std::string SafeHref(std::string_view destination) {
  for (char c : destination) {
    const auto ch = static_cast<unsigned char>(c);
    if (ch <= 0x20 || ch == 0x7F) return {};
  }
  std::string_view scheme;
  if (StartsWithNoCase(destination, "https://")) {
    scheme = "https://";
  } else if (StartsWithNoCase(destination, "http://")) {
    scheme = "http://";
  } else if (StartsWithNoCase(destination, "mailto:")) {
    scheme = "mailto:";
  } else {
    return {};
  }
  const std::string_view rest = destination.substr(scheme.size());
  if (rest.empty()) return {};
  std::string href(scheme);
  AppendEscaped(rest, &href);
  return href;
}

void RenderInline(std::string_view text, const InlineOptions& options, std::string* out) {
  InlineRenderer(text, options).Render(out);
}

uint64_t ScanSteps() { return g_scan_steps.load(std::memory_order_relaxed); }

void AddScanSteps(uint64_t steps) { g_scan_steps.fetch_add(steps, std::memory_order_relaxed); }

}  // namespace llmstream::markdown_internal
