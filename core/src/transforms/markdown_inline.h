// SafeMarkdown's inline renderer (internal): one paragraph's or heading's text to HTML.
//
// Supported: backslash escapes, code spans, *em* / _em_, **strong** / __strong__ (CommonMark's
// delimiter rules: flanking, intraword underscores, the rule of three), [links](url "title")
// and ![images](url) (rendered as links: no image is ever loaded), <autolinks> and
// <email@autolinks>, bare http(s):// URLs (optional), hard breaks (two trailing spaces or a
// backslash before a newline; every newline with hard_breaks). Everything else is text, escaped
// (html_escape.h); raw HTML and entity references are shown as written.
//
// Links: only http://, https:// and mailto: destinations become <a href> (with
// rel="noopener noreferrer nofollow"); any other destination (javascript:, data:, vbscript:,
// relative, entity-obfuscated, with spaces or control characters) is dropped and the link text
// is shown alone. Titles are dropped. Links do not nest (a link inside link text stays text).
//
// The output is well-formed: every element opened is closed, properly nested. Cost is linear in
// the text (plus the link texts rendered once more), whatever the text: a model or upstream can
// send anything (issue 13). Each search for a closer (a code span's backtick run, a link title's
// quote or parenthesis) is answered from an index of the text built once; emphasis is
// CommonMark's algorithm with its per-kind lower bounds; every other scan (destinations,
// autolinks, bare URLs, spaces) ends where no other attempt's scan crosses, or for destinations
// where at most 33 do (their nesting is capped at 32 parentheses). ScanSteps() counts the work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmstream::markdown_internal {

struct InlineOptions {
  bool autolink_bare_urls = true;
  bool hard_breaks = false;
  bool links = true;  // false inside link text
};

void RenderInline(std::string_view text, const InlineOptions& options, std::string* out);

// The href of an allowed destination (backslash escapes already processed), escaped and
// ready to go between the quotes, or "" when the destination is not allowed.
std::string SafeHref(std::string_view destination);

// Characters examined by the renderer's scans (inline and block) in this process, summed once
// per render or line, not per character. Tests check it grows linearly with the text, so a
// quadratic path fails them by its work, not by a wall clock.
uint64_t ScanSteps();
void AddScanSteps(uint64_t steps);

}  // namespace llmstream::markdown_internal
