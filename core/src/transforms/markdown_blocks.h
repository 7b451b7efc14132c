// SafeMarkdown's block parser (internal): complete lines in, HTML of finished blocks out.
//
// Blocks: ATX headings (# .. ######), paragraphs, fenced code (``` or ~~~, with a language
// class from the info string's first word when it is made of [A-Za-z0-9_+#.-]), thematic
// breaks (---, ***, ___), blockquotes (> ...), bullet lists (-, *, +) and ordered lists (1. or
// 1)), nested by indentation (an item's continuation lines are indented at least two columns past
// its marker; a less indented paragraph line right after an item continues it, lazily). Lists
// are tight unless a blank line separates items or blocks inside an item. Quotes and lists nest
// up to MarkdownConfig::max_depth levels; deeper markers are text. Not supported (they are
// rendered as text): setext headings (a "---" line is a thematic break), indented code blocks,
// tables, HTML blocks, reference links, footnotes.
//
// A block is closed (and rendered) as soon as a line shows that it cannot continue, so the HTML
// of a document is the concatenation of its blocks' HTML, each a pure function of the block's
// lines: feeding the same lines always gives the same HTML, however the text arrived.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "transforms/markdown_inline.h"

namespace llmstream::markdown_internal {

struct MarkdownConfig {
  InlineOptions inline_options;
  int max_depth = 16;
};

class BlockParser {
 public:
  BlockParser(const MarkdownConfig* config, int depth, bool tight);

  // One complete line, without its line feed (a trailing carriage return is ignored). Appends the
  // HTML of the blocks this line closed.
  void Line(std::string_view line, std::string* out);
  // The end: closes the open block, appending its HTML.
  void Finish(std::string* out);
  // Bytes held in the open block.
  size_t held_bytes() const;

 private:
  enum class Kind : uint8_t { kNone, kParagraph, kFence, kQuote, kList };
  struct Item {
    std::vector<std::string> lines;  // content, the item's indentation removed
    size_t marker_indent = 0;
    size_t content_indent = 0;
    bool in_fence = false;  // an unclosed fence among the lines (no lazy continuation then)
    char fence_char = 0;
    size_t fence_len = 0;
  };

  void Start(std::string_view line, std::string* out);
  void Close(std::string* out);
  void ListLine(std::string_view line, std::string* out);
  void NewItem(std::string content, size_t marker_indent, size_t content_indent);
  static void TrackFence(Item* item, std::string_view line);
  bool InterruptsParagraph(std::string_view line) const;
  void RenderList(std::string* out) const;
  void RenderBlocks(const std::vector<std::string>& lines, bool tight, std::string* out) const;

  const MarkdownConfig* config_;
  int depth_;
  bool tight_;
  Kind kind_ = Kind::kNone;
  std::vector<std::string> lines_;  // paragraph lines, or a quote's inner lines
  // Fenced code.
  char fence_char_ = 0;
  size_t fence_len_ = 0;
  size_t fence_indent_ = 0;
  std::string fence_language_;
  std::string fence_html_;  // escaped content so far
  // Lists.
  bool ordered_ = false;
  char marker_ = 0;  // bullet character, or '.' / ')' for ordered lists
  int64_t start_number_ = 1;
  bool loose_ = false;
  bool pending_blank_ = false;
  std::vector<Item> items_;
};

}  // namespace llmstream::markdown_internal
