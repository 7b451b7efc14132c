#include "transforms/markdown_blocks.h"

#include <algorithm>
#include <utility>

#include "transforms/html_escape.h"

namespace llmstream::markdown_internal {

namespace {

struct Indent {
  size_t columns = 0;  // tabs advance to the next multiple of 4
  size_t bytes = 0;
};

Indent LeadingIndent(std::string_view line) {
  Indent indent;
  while (indent.bytes < line.size()) {
    const char c = line[indent.bytes];
    if (c == ' ') {
      ++indent.columns;
    } else if (c == '\t') {
      indent.columns += 4 - indent.columns % 4;
    } else {
      break;
    }
    ++indent.bytes;
  }
  return indent;
}

// The line without up to `columns` columns of leading whitespace (a tab cut in the middle leaves
// the rest of its width as spaces).
std::string StripColumns(std::string_view line, size_t columns) {
  size_t col = 0;
  size_t i = 0;
  while (i < line.size() && col < columns) {
    if (line[i] == ' ') {
      ++col;
    } else if (line[i] == '\t') {
      const size_t width = 4 - col % 4;
      if (col + width > columns) {
        std::string out(col + width - columns, ' ');
        out.append(line.substr(i + 1));
        return out;
      }
      col += width;
    } else {
      break;
    }
    ++i;
  }
  return std::string(line.substr(i));
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

struct Fence {
  char ch = 0;
  size_t len = 0;
  size_t indent = 0;
  std::string_view info;
};

bool ParseFenceOpen(std::string_view line, Fence* fence) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3 || indent.bytes >= line.size()) return false;
  const char ch = line[indent.bytes];
  if (ch != '`' && ch != '~') return false;
  size_t end = indent.bytes;
  while (end < line.size() && line[end] == ch) ++end;
  const size_t len = end - indent.bytes;
  if (len < 3) return false;
  const std::string_view info = Trim(line.substr(end));
  if (ch == '`' && info.find('`') != std::string_view::npos) return false;
  *fence = {ch, len, indent.columns, info};
  return true;
}

bool IsFenceClose(std::string_view line, char ch, size_t len) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3) return false;
  size_t end = indent.bytes;
  while (end < line.size() && line[end] == ch) ++end;
  return end - indent.bytes >= len && IsBlank(line.substr(end));
}

// 1..6 for an ATX heading (content set), else 0.
int HeadingLevel(std::string_view line, std::string_view* content) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3) return 0;
  size_t p = indent.bytes;
  int level = 0;
  while (p < line.size() && line[p] == '#' && level < 7) {
    ++p;
    ++level;
  }
  if (level == 0 || level > 6) return 0;
  if (p < line.size() && line[p] != ' ' && line[p] != '\t') return 0;
  std::string_view text = Trim(line.substr(p));
  // An optional closing sequence of #s, preceded by a space (or making up the whole content).
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '#') --end;
  if (end == 0) {
    text = {};
  } else if (end < text.size() && (text[end - 1] == ' ' || text[end - 1] == '\t')) {
    text = Trim(text.substr(0, end));
  }
  *content = text;
  return level;
}

bool IsThematicBreak(std::string_view line) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3 || indent.bytes >= line.size()) return false;
  const char ch = line[indent.bytes];
  if (ch != '-' && ch != '*' && ch != '_') return false;
  size_t count = 0;
  for (size_t i = indent.bytes; i < line.size(); ++i) {
    if (line[i] == ch) {
      ++count;
    } else if (line[i] != ' ' && line[i] != '\t') {
      return false;
    }
  }
  return count >= 3;
}

bool ParseQuote(std::string_view line, std::string_view* inner) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3 || indent.bytes >= line.size() || line[indent.bytes] != '>') return false;
  size_t p = indent.bytes + 1;
  if (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  *inner = line.substr(p);
  return true;
}

struct ListMarker {
  bool ordered = false;
  char marker = 0;
  int64_t number = 1;
  size_t marker_indent = 0;
  size_t content_indent = 0;
  std::string content;
  bool empty = true;
};

bool ParseListItem(std::string_view line, ListMarker* item) {
  const Indent indent = LeadingIndent(line);
  if (indent.columns > 3 || indent.bytes >= line.size()) return false;
  size_t p = indent.bytes;
  ListMarker m;
  m.marker_indent = indent.columns;
  const char c = line[p];
  if (c == '-' || c == '*' || c == '+') {
    m.marker = c;
    ++p;
  } else if (c >= '0' && c <= '9') {
    size_t digits = 0;
    int64_t number = 0;
    while (p < line.size() && line[p] >= '0' && line[p] <= '9' && digits < 10) {
      number = number * 10 + (line[p] - '0');
      ++p;
      ++digits;
    }
    if (digits > 9 || p >= line.size() || (line[p] != '.' && line[p] != ')')) return false;
    m.ordered = true;
    m.marker = line[p];
    m.number = number;
    ++p;
  } else {
    return false;
  }
  if (p < line.size() && line[p] != ' ' && line[p] != '\t') return false;
  // Columns: the marker ends at marker_end; the content starts after 1..4 spaces.
  const size_t marker_end = indent.columns + (p - indent.bytes);
  const std::string_view after = line.substr(p);
  const Indent spaces = LeadingIndent(after);  // tab stops relative to `after` (good enough)
  if (spaces.bytes == after.size()) {
    m.content_indent = marker_end + 1;
  } else {
    m.empty = false;
    const size_t gap = spaces.columns >= 5 ? 1 : spaces.columns;
    m.content_indent = marker_end + gap;
    m.content = StripColumns(after, gap);
  }
  *item = std::move(m);
  return true;
}

std::string LanguageClass(std::string_view info) {
  const size_t end = info.find_first_of(" \t");
  const std::string_view word = info.substr(0, end);
  if (word.empty() || word.size() > 32) return {};
  for (char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '#' || c == '.' || c == '-';
    if (!ok) return {};
  }
  return std::string(word);
}

}  // namespace

BlockParser::BlockParser(const MarkdownConfig* config, int depth, bool tight)
    : config_(config), depth_(depth), tight_(tight) {}

size_t BlockParser::held_bytes() const {
  size_t n = fence_html_.size();
  for (const std::string& line : lines_) n += line.size() + 1;
  for (const Item& item : items_) {
    for (const std::string& line : item.lines) n += line.size() + 1;
  }
  return n;
}

bool BlockParser::InterruptsParagraph(std::string_view line) const {
  Fence fence;
  std::string_view content;
  if (ParseFenceOpen(line, &fence) || HeadingLevel(line, &content) > 0 || IsThematicBreak(line)) {
    return true;
  }
  if (depth_ + 1 >= config_->max_depth) return false;
  if (ParseQuote(line, &content)) return true;
  ListMarker item;
  return ParseListItem(line, &item) && !item.empty;
}

void BlockParser::Line(std::string_view line, std::string* out) {
  // Each nesting level sees its lines once more (up to MarkdownConfig::max_depth times).
  AddScanSteps(line.size() + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  switch (kind_) {
    case Kind::kNone:
      Start(line, out);
      return;
    case Kind::kFence:
      if (IsFenceClose(line, fence_char_, fence_len_)) {
        Close(out);
      } else {
        AppendEscaped(StripColumns(line, fence_indent_), &fence_html_);
        fence_html_ += '\n';
      }
      return;
    case Kind::kParagraph:
      if (IsBlank(line)) {
        Close(out);
      } else if (InterruptsParagraph(line)) {
        Close(out);
        Start(line, out);
      } else {
        lines_.emplace_back(line);
      }
      return;
    case Kind::kQuote: {
      std::string_view inner;
      if (ParseQuote(line, &inner)) {
        lines_.emplace_back(inner);
      } else {
        Close(out);
        Start(line, out);
      }
      return;
    }
    case Kind::kList:
      ListLine(line, out);
      return;
  }
}

void BlockParser::Start(std::string_view line, std::string* out) {
  if (IsBlank(line)) return;
  Fence fence;
  if (ParseFenceOpen(line, &fence)) {
    kind_ = Kind::kFence;
    fence_char_ = fence.ch;
    fence_len_ = fence.len;
    fence_indent_ = fence.indent;
    fence_language_ = LanguageClass(fence.info);
    fence_html_.clear();
    return;
  }
  std::string_view content;
  if (const int level = HeadingLevel(line, &content); level > 0) {
    const char digit = static_cast<char>('0' + level);
    *out += "<h";
    *out += digit;
    *out += '>';
    RenderInline(content, config_->inline_options, out);
    *out += "</h";
    *out += digit;
    *out += ">\n";
    return;
  }
  if (IsThematicBreak(line)) {
    *out += "<hr>\n";
    return;
  }
  const bool can_nest = depth_ + 1 < config_->max_depth;
  if (can_nest && ParseQuote(line, &content)) {
    kind_ = Kind::kQuote;
    lines_.clear();
    lines_.emplace_back(content);
    return;
  }
  ListMarker item;
  if (can_nest && ParseListItem(line, &item)) {
    kind_ = Kind::kList;
    ordered_ = item.ordered;
    marker_ = item.marker;
    start_number_ = item.number;
    loose_ = false;
    pending_blank_ = false;
    items_.clear();
    NewItem(std::move(item.content), item.marker_indent, item.content_indent);
    return;
  }
  kind_ = Kind::kParagraph;
  lines_.clear();
  lines_.emplace_back(line);
}

void BlockParser::NewItem(std::string content, size_t marker_indent, size_t content_indent) {
  items_.emplace_back();
  Item& item = items_.back();
  item.marker_indent = marker_indent;
  item.content_indent = content_indent;
  if (!content.empty()) {
    TrackFence(&item, content);
    item.lines.push_back(std::move(content));
  }
}

void BlockParser::TrackFence(Item* item, std::string_view line) {
  if (item->in_fence) {
    if (IsFenceClose(line, item->fence_char, item->fence_len)) item->in_fence = false;
    return;
  }
  Fence fence;
  if (ParseFenceOpen(line, &fence)) {
    item->in_fence = true;
    item->fence_char = fence.ch;
    item->fence_len = fence.len;
  }
}

void BlockParser::ListLine(std::string_view line, std::string* out) {
  Item& item = items_.back();
  if (IsBlank(line)) {
    item.lines.emplace_back();
    pending_blank_ = true;
    return;
  }
  const Indent indent = LeadingIndent(line);
  if (indent.columns >= item.marker_indent + 2) {  // the item's own content, maybe nested
    std::string content = StripColumns(line, std::min(indent.columns, item.content_indent));
    TrackFence(&item, content);
    item.lines.push_back(std::move(content));
    pending_blank_ = false;
    return;
  }
  ListMarker next;
  const bool is_item = ParseListItem(line, &next) && !IsThematicBreak(line);
  if (is_item && next.ordered == ordered_ && next.marker == marker_) {
    if (pending_blank_) loose_ = true;
    pending_blank_ = false;
    NewItem(std::move(next.content), next.marker_indent, next.content_indent);
    return;
  }
  Fence fence;
  std::string_view content;
  if (pending_blank_ || is_item || item.in_fence || ParseFenceOpen(line, &fence) ||
      HeadingLevel(line, &content) > 0 || IsThematicBreak(line) || ParseQuote(line, &content)) {
    Close(out);
    Start(line, out);
    return;
  }
  item.lines.emplace_back(line.substr(indent.bytes));  // a lazy continuation line
}

void BlockParser::RenderBlocks(const std::vector<std::string>& lines, bool tight,
                               std::string* out) const {
  BlockParser inner(config_, depth_ + 1, tight);
  for (const std::string& line : lines) inner.Line(line, out);
  inner.Finish(out);
}

void BlockParser::RenderList(std::string* out) const {
  bool loose = loose_;
  // Items without their trailing blank lines; a blank line left inside one (outside a fenced
  // block) separates two of its blocks: the list is loose.
  std::vector<size_t> sizes;
  sizes.reserve(items_.size());
  for (const Item& item : items_) {
    size_t n = item.lines.size();
    while (n > 0 && IsBlank(item.lines[n - 1])) --n;
    sizes.push_back(n);
    Item scan;
    for (size_t i = 0; i < n && !loose; ++i) {
      if (!scan.in_fence && IsBlank(item.lines[i])) loose = true;
      TrackFence(&scan, item.lines[i]);
    }
  }
  if (ordered_) {
    if (start_number_ != 1) {
      *out += "<ol start=\"";
      *out += std::to_string(start_number_);
      *out += "\">\n";
    } else {
      *out += "<ol>\n";
    }
  } else {
    *out += "<ul>\n";
  }
  std::vector<std::string> lines;
  for (size_t k = 0; k < items_.size(); ++k) {
    lines.assign(items_[k].lines.begin(),
                 items_[k].lines.begin() + static_cast<ptrdiff_t>(sizes[k]));
    *out += "<li>";
    const size_t at = out->size();
    RenderBlocks(lines, !loose, out);
    if (out->size() > at && out->back() == '\n' && !loose) out->pop_back();
    *out += "</li>\n";
  }
  *out += ordered_ ? "</ol>\n" : "</ul>\n";
}

void BlockParser::Close(std::string* out) {
  switch (kind_) {
    case Kind::kNone:
      return;
    case Kind::kParagraph: {
      // Leading whitespace goes; trailing spaces stay (two make a hard break) but at the end.
      std::string text;
      for (size_t i = 0; i < lines_.size(); ++i) {
        if (i > 0) text += '\n';
        const std::string_view line = lines_[i];
        const size_t begin = line.find_first_not_of(" \t");
        if (begin != std::string_view::npos) text += line.substr(begin);
      }
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
      if (!tight_) *out += "<p>";
      RenderInline(text, config_->inline_options, out);
      *out += tight_ ? "\n" : "</p>\n";
      break;
    }
    case Kind::kFence:
      *out += "<pre><code";
      if (!fence_language_.empty()) {
        *out += " class=\"language-";
        *out += fence_language_;
        *out += '"';
      }
      *out += '>';
      *out += fence_html_;
      *out += "</code></pre>\n";
      fence_html_.clear();
      break;
    case Kind::kQuote:
      *out += "<blockquote>\n";
      RenderBlocks(lines_, false, out);
      *out += "</blockquote>\n";
      break;
    case Kind::kList:
      RenderList(out);
      items_.clear();
      break;
  }
  lines_.clear();
  kind_ = Kind::kNone;
}

void BlockParser::Finish(std::string* out) { Close(out); }

}  // namespace llmstream::markdown_internal
