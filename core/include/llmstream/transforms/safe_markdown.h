// SafeMarkdown: incremental Markdown to HTML for untrusted model output. The seed guide's
// `addMarkdownFormatting` wraps code in <pre><code> and bolds **text** with a regex, and passes
// everything else (including any HTML the model writes) straight through; this renders a safe
// subset instead, and escapes everything else.
//
// Safety (model output is untrusted):
//  - No raw HTML ever passes: every `<`, `>`, `&`, `"`, `'` of the input is escaped, and also
//    `=`, `:` and backtick (as numeric references), so no attribute (`onerror=`) or scheme
//    (`javascript:`) can be spelled by the input even as text; browsers show the same
//    characters. Entity references in the input are shown as written (their `&` is escaped).
//  - The only elements are p, h1-h6, em, strong, code, pre, blockquote, ul, ol, li, a, hr, br;
//    the only attributes are a's href and rel, code's class="language-X" (X from
//    [A-Za-z0-9_+#.-]) and ol's start (digits).
//  - Links ([text](url), <url>, bare http(s):// URLs, images, which are rendered as links so no
//    image is ever fetched) keep their href only for http://, https:// and mailto:
//    destinations, checked on the literal destination (so `&#106;avascript:`, `java\tscript:`,
//    `JaVaScRiPt:`, `data:`, `vbscript:`, relative URLs ... are all dropped, leaving the link
//    text), and carry rel="noopener noreferrer nofollow".
//  - Output is well-formed (every element closed, properly nested) and valid UTF-8 (invalid
//    input bytes and C0 controls become U+FFFD).
// The supported syntax is listed in core/src/transforms/markdown_blocks.h (blocks) and
// markdown_inline.h (inline): a CommonMark-like subset, with GFM-style bare URL links.
//
// Incremental API. Markdown is line-structured: a block is final once a later line shows that it
// cannot continue (a blank line ends a paragraph, a closing fence a code block ...). So the
// document is a stable prefix (the HTML of finished blocks, which never changes, only grows)
// plus a tail (the open block, and the incomplete last line, rendered as if the text ended
// there; it changes as text arrives):
//   - as a TextTransform, Push / Flush emit each newly finished part of the stable prefix (one
//     piece per call); after Flush everything is stable;
//   - stable_html() + tail_html() == Html(), the whole document so far, for a live preview:
//     append stable_html()'s new part once, replace the tail element's content with tail_html().
// Rendering the tail costs time proportional to the open block (a long open code block is kept
// escaped already, so it is a copy); Html() copies the whole document.
//
// Split invariance: lines end only at '\n' (a '\r' before it is dropped), and each finished
// block's HTML depends only on its lines, so the final HTML is the same for any chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct SafeMarkdownOptions {
  // Turn bare http:// and https:// URLs in text into links (GFM's autolink extension).
  bool autolink_bare_urls = true;
  // Every line break inside a paragraph becomes <br> (chat style). Off: only two trailing
  // spaces or a trailing backslash make one (CommonMark).
  bool hard_breaks = false;
  // Blockquotes and lists nest this deep at most; deeper markers are text.
  int max_nesting = 16;
};

class SafeMarkdown final : public TextTransform {
 public:
  explicit SafeMarkdown(SafeMarkdownOptions options = {});
  ~SafeMarkdown() override;
  SafeMarkdown(SafeMarkdown&&) noexcept;
  SafeMarkdown& operator=(SafeMarkdown&&) noexcept;

  // Emits the HTML of the blocks this text finished (one piece, when there are any).
  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  // Ends the text: the open block is finished and emitted.
  void Flush(int64_t now_ms, TextChunks* out) override;
  size_t held_bytes() const override;
  void Reset() override;  // an empty document

  // The whole document so far: stable_html() + tail_html(). Valid until the next call.
  std::string_view Html();
  // The HTML of finished blocks: only ever grows.
  std::string_view stable_html() const;
  // The open part, rendered as if the text ended now (an incomplete UTF-8 character at the end
  // is left out). Valid until the next call.
  std::string_view tail_html();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmstream
