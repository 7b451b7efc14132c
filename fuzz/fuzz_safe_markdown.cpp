// Fuzz target for SafeMarkdown (llmstream/transforms/safe_markdown.h): untrusted model text in,
// HTML for a live preview out. Input: byte 0 picks the options (bare-URL autolinks, hard breaks,
// max_nesting 1..16), byte 1 seeds the split of the rest into Push calls (piece sizes 0..N,
// N from 1 byte to the whole text). Invariants, checked on every input:
//   1. safety, by a checker written here (not the unit test's): the HTML has only the elements
//      p h1-h6 em strong code pre blockquote ul ol li a hr br, only a's href and rel, code's
//      class="language-X" (X in [A-Za-z0-9_+#.-]) and ol's start (digits); an href, with its
//      entities decoded, starts with http://, https:// or mailto: (any case) and holds no space
//      or control character; rel is exactly "noopener noreferrer nofollow"; in text no raw
//      > " ' = : or backtick, and every & starts &amp; &lt; &gt; &quot; or &#digits;;
//   2. well-formed: every element closed, properly nested, no <a> inside <a>, no attribute on a
//      closing tag; valid UTF-8. Each piece Push / Flush emits is well-formed on its own, and so
//      is stable_html() + tail_html() at a few points in between;
//   3. split invariance: the pieces emitted for the split text, concatenated, equal the HTML of
//      the whole text pushed at once; the emitted pieces always equal stable_html(), which only
//      grows; stable_html() + tail_html() == Html(); after Flush nothing is held;
//   4. peak live heap within a budget linear in the input (heap_budget.h);
//   5. the renderer's work (markdown_internal::ScanSteps(): characters its scans examined) within
//      a budget linear in the input, so a superlinear path fails on an input of a few KB, by its
//      work, in milliseconds, long before it would cost the timeout (issue 13: "[a](x ("
//      repeated was quadratic).
// The harness's own cost is linear in the text (the tail is rendered and the stable HTML
// compared at kTailChecks points only), so the fuzz stage's per-input time limit is left to
// catch a quadratic path in the renderer that the work counter does not see.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "heap_budget.h"
#include "llmstream/transforms/safe_markdown.h"
#include "transforms/markdown_inline.h"

namespace {

using llmstream::SafeMarkdown;
using llmstream::SafeMarkdownOptions;
using llmstream::TextChunks;

constexpr int kTailChecks = 2;
// Measured worst case: ~190 bytes per input byte, for emphasis-dense text ("*a _b **c __d "):
// the inline renderer keeps a node with three strings per delimiter run. Plain text and code
// stay under 70 (HTML escaping grows text up to 6x, and the whole and the split run each hold
// their HTML twice).
constexpr long long kHeapPerInputByte = 512;
constexpr long long kHeapFixed = 1 << 20;
// Measured worst: ~36 steps per byte and render ("[a](" repeated: a link destination's scan
// crosses up to 32 others nested in its parentheses, the cap); by construction at most ~60 (that
// and 16-deep lists, whose every level sees the lines again). The text is rendered up to 4 times
// here: whole, split, and the open block at the kTailChecks points. A quadratic path exceeds
// this from ~3 KB of input ("[a](x (" repeated, before its fix: n^2 / 14 steps per render):
// the seeds hostile-link-titles and hostile-backtick-runs fail on it with the title and the
// code-span searches from before the fix.
constexpr uint64_t kStepsPerInputByte = 4 * 96;
constexpr uint64_t kStepsFixed = 1 << 16;

[[noreturn]] void Fail(const char* what, std::string_view detail, std::string_view html) {
  const size_t show = html.size() < 400 ? html.size() : 400;
  std::fprintf(stderr, "fuzz_safe_markdown: %s: %.*s\nin HTML (%zu bytes): %.*s\n", what,
               static_cast<int>(detail.size()), detail.data(), html.size(), static_cast<int>(show),
               html.data());
  std::abort();
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// The entity at s[at] == '&': its length (through ';'), or 0 when it is not one we emit.
size_t EntityLength(std::string_view s, size_t at) {
  for (std::string_view named : {"&amp;", "&lt;", "&gt;", "&quot;"}) {
    if (s.substr(at, named.size()) == named) return named.size();
  }
  if (s.substr(at, 2) != "&#") return 0;
  size_t end = at + 2;
  while (end < s.size() && end - at < 10 && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == at + 2 || end >= s.size() || s[end] != ';') return 0;
  return end + 1 - at;
}

// An attribute value with the entities above decoded ("" marks a value we cannot decode).
bool DecodeValue(std::string_view value, std::string* out) {
  out->clear();
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '&') {
      out->push_back(value[i]);
      continue;
    }
    const size_t len = EntityLength(value, i);
    if (len == 0) return false;
    const std::string_view entity = value.substr(i, len);
    if (entity == "&amp;") {
      out->push_back('&');
    } else if (entity == "&lt;") {
      out->push_back('<');
    } else if (entity == "&gt;") {
      out->push_back('>');
    } else if (entity == "&quot;") {
      out->push_back('"');
    } else {
      const unsigned long cp = std::strtoul(std::string(entity.substr(2)).c_str(), nullptr, 10);
      out->push_back(cp < 0x80 ? static_cast<char>(cp) : '?');
    }
    i += len - 1;
  }
  return true;
}

bool Allowed(std::string_view name) {
  for (std::string_view ok : {"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code",
                              "pre", "blockquote", "ul", "ol", "li", "a", "hr", "br"}) {
    if (name == ok) return true;
  }
  return false;
}

// Checks invariants 1 and 2 on a piece of HTML that must stand alone.
void CheckHtml(std::string_view html) {
  if (!ValidUtf8(html)) Fail("invalid UTF-8", "", html);
  std::vector<std::string_view> open;
  std::string decoded;
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      const size_t len = EntityLength(html, i);
      if (len == 0) Fail("bare & in text", html.substr(i, 12), html);
      i += len;
      continue;
    }
    if (c == '>' || c == '"' || c == '\'' || c == '=' || c == ':' || c == '`') {
      Fail("raw markup character in text", html.substr(i, 1), html);
    }
    if (c != '<') {
      ++i;
      continue;
    }
    // A tag: <name( attr="value")*> or </name>.
    size_t p = i + 1;
    const bool closing = p < html.size() && html[p] == '/';
    if (closing) ++p;
    const size_t name_start = p;
    while (p < html.size() &&
           ((html[p] >= 'a' && html[p] <= 'z') || (html[p] >= '0' && html[p] <= '9'))) {
      ++p;
    }
    const std::string_view name = html.substr(name_start, p - name_start);
    if (!Allowed(name)) Fail("element not allowed", html.substr(i, p + 1 - i), html);
    bool href = false, rel = false, klass = false, start = false;
    while (p < html.size() && html[p] == ' ') {
      const size_t attr_start = ++p;
      while (p < html.size() && html[p] >= 'a' && html[p] <= 'z') ++p;
      const std::string_view attr = html.substr(attr_start, p - attr_start);
      if (p + 1 >= html.size() || html[p] != '=' || html[p + 1] != '"') {
        Fail("malformed attribute", html.substr(i, p + 2 - i), html);
      }
      const size_t value_start = p + 2;
      const size_t value_end = html.find('"', value_start);
      if (value_end == std::string_view::npos) Fail("unclosed attribute", attr, html);
      const std::string_view value = html.substr(value_start, value_end - value_start);
      if (value.find_first_of("<>'`=") != std::string_view::npos) {
        Fail("raw markup character in an attribute", value, html);
      }
      p = value_end + 1;
      if (closing) Fail("attribute on a closing tag", attr, html);
      if (name == "a" && attr == "href" && !href) {
        href = true;
        if (!DecodeValue(value, &decoded)) Fail("undecodable href", value, html);
        const bool scheme_ok = (StartsWithNoCase(decoded, "http://") && decoded.size() > 7) ||
                               (StartsWithNoCase(decoded, "https://") && decoded.size() > 8) ||
                               (StartsWithNoCase(decoded, "mailto:") && decoded.size() > 7);
        if (!scheme_ok) Fail("href scheme not allowed", decoded, html);
        for (char h : decoded) {
          if (static_cast<unsigned char>(h) <= 0x20 || h == 0x7F) {
            Fail("space or control character in href", decoded, html);
          }
        }
        // Only the scheme's own ':' is raw; the rest of the URL is escaped.
        if (value.find(':', value.find(':') + 1) != std::string_view::npos) {
          Fail("raw ':' past the scheme of an href", value, html);
        }
      } else if (name == "a" && attr == "rel" && !rel) {
        rel = true;
        if (value != "noopener noreferrer nofollow") Fail("rel value", value, html);
      } else if (name == "code" && attr == "class" && !klass) {
        klass = true;
        const std::string_view prefix = "language-";
        if (value.substr(0, prefix.size()) != prefix || value.size() == prefix.size() ||
            value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789_+#.-",
                                    prefix.size()) != std::string_view::npos) {
          Fail("class value", value, html);
        }
      } else if (name == "ol" && attr == "start" && !start) {
        start = true;
        if (!IsDigits(value)) Fail("start value", value, html);
      } else {
        Fail("attribute not allowed (or repeated)", attr, html);
      }
    }
    if (p >= html.size() || html[p] != '>') Fail("malformed tag", html.substr(i, 20), html);
    i = p + 1;
    if (name == "a" && !closing && !(href && rel)) Fail("<a> without href and rel", "", html);
    if (name == "hr" || name == "br") {
      if (closing) Fail("closing void element", name, html);
      continue;
    }
    if (closing) {
      if (open.empty() || open.back() != name) Fail("misnested closing tag", name, html);
      open.pop_back();
      continue;
    }
    if (name == "a") {
      for (std::string_view outer : open) {
        if (outer == "a") Fail("nested <a>", "", html);
      }
    }
    open.push_back(name);
  }
  if (!open.empty()) Fail("unclosed element", open.back(), html);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const llmstream_fuzz::HeapBudget budget;
  SafeMarkdownOptions options;
  options.autolink_bare_urls = (data[0] & 1) != 0;
  options.hard_breaks = (data[0] & 2) != 0;
  options.max_nesting = 1 + (data[0] >> 4);
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  const uint64_t steps_before = llmstream::markdown_internal::ScanSteps();

  // The whole text at once.
  SafeMarkdown whole(options);
  TextChunks whole_out;
  whole.Push(text, 0, &whole_out);
  whole.Flush(0, &whole_out);
  const std::string expected(whole.Html());
  if (whole_out.text() != expected) Fail("emitted pieces differ from Html()", "", expected);
  if (whole.held_bytes() != 0) Fail("bytes held after Flush", "", expected);
  CheckHtml(expected);

  // The same text in pieces; each emitted piece must be well-formed on its own.
  static const size_t kMaxPiece[8] = {1, 2, 3, 7, 16, 64, 1024, size_t{1} << 30};
  const size_t max_piece = kMaxPiece[data[1] & 7];
  uint32_t rng = 0x9E3779B9u ^ (data[1] * 0x01000193u);
  SafeMarkdown split(options);
  TextChunks out;
  std::string emitted;
  const size_t tail_every = text.size() / kTailChecks + 1;
  size_t next_tail = tail_every;
  size_t at = 0;
  while (at < text.size()) {
    rng = rng * 1664525u + 1013904223u;
    size_t piece = max_piece >= text.size() ? text.size() : (rng >> 8) % (max_piece + 1);
    if (piece > text.size() - at) piece = text.size() - at;
    out.Clear();
    split.Push(text.substr(at, piece), 0, &out);
    at += piece;
    for (std::string_view chunk : out) {
      CheckHtml(chunk);
      emitted.append(chunk);
    }
    // Sizes at every piece, contents at the checkpoints (comparing all of it every time would
    // make the harness quadratic).
    if (split.stable_html().size() != emitted.size()) {
      Fail("stable_html() is not what was emitted", "", emitted);
    }
    if (at >= next_tail) {
      next_tail = at + tail_every;
      if (split.stable_html() != emitted) {
        Fail("stable_html() is not what was emitted", "", emitted);
      }
      const std::string preview = std::string(split.stable_html()) + std::string(split.tail_html());
      CheckHtml(split.tail_html());
      if (split.Html() != preview) Fail("Html() != stable_html() + tail_html()", "", preview);
    }
  }
  out.Clear();
  split.Flush(0, &out);
  for (std::string_view chunk : out) {
    CheckHtml(chunk);
    emitted.append(chunk);
  }
  if (split.held_bytes() != 0) Fail("bytes held after Flush (split)", "", emitted);
  if (emitted != expected) {
    size_t diff = 0;
    while (diff < emitted.size() && diff < expected.size() && emitted[diff] == expected[diff]) {
      ++diff;
    }
    std::fprintf(stderr, "max piece %zu: split output differs at byte %zu\n", max_piece, diff);
    Fail("split differs from whole", std::string_view(expected).substr(diff, 80),
         std::string_view(emitted).substr(diff > 80 ? diff - 80 : 0));
  }
  budget.Check("fuzz_safe_markdown", size, kHeapPerInputByte, kHeapFixed);
  const uint64_t steps = llmstream::markdown_internal::ScanSteps() - steps_before;
  if (steps > kStepsPerInputByte * size + kStepsFixed) {
    std::fprintf(stderr,
                 "fuzz_safe_markdown: work budget exceeded: %llu scan steps for a %zu-byte input "
                 "(budget %llu)\n",
                 static_cast<unsigned long long>(steps), size,
                 static_cast<unsigned long long>(kStepsPerInputByte * size + kStepsFixed));
    std::abort();
  }
  return 0;
}
