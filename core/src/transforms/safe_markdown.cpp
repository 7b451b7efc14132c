#include "llmstream/transforms/safe_markdown.h"

#include "transforms/markdown_blocks.h"
#include "transforms/utf8.h"

namespace llmstream {

using markdown_internal::BlockParser;
using markdown_internal::MarkdownConfig;

class SafeMarkdown::Impl {
 public:
  explicit Impl(const SafeMarkdownOptions& options) : parser_(&config_, 0, false) {
    config_.inline_options.autolink_bare_urls = options.autolink_bare_urls;
    config_.inline_options.hard_breaks = options.hard_breaks;
    config_.max_depth = options.max_nesting < 1 ? 1 : options.max_nesting;
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void Push(std::string_view text, TextChunks* out) {
    const size_t before = stable_.size();
    size_t start = 0;
    for (size_t nl = text.find('\n'); nl != std::string_view::npos; nl = text.find('\n', start)) {
      const std::string_view segment = text.substr(start, nl - start);
      if (partial_.empty()) {
        parser_.Line(segment, &stable_);
      } else {
        partial_.append(segment.data(), segment.size());
        parser_.Line(partial_, &stable_);
        partial_.clear();
      }
      start = nl + 1;
    }
    partial_.append(text.data() + start, text.size() - start);
    Emit(before, out);
    tail_valid_ = false;
  }

  void Flush(TextChunks* out) {
    const size_t before = stable_.size();
    if (!partial_.empty()) {
      parser_.Line(partial_, &stable_);
      partial_.clear();
    }
    parser_.Finish(&stable_);
    Emit(before, out);
    tail_valid_ = false;
  }

  size_t held_bytes() const { return partial_.size() + parser_.held_bytes(); }

  void Reset() {
    parser_ = BlockParser(&config_, 0, false);
    partial_.clear();
    stable_.clear();
    tail_.clear();
    html_.clear();
    tail_valid_ = false;
  }

  std::string_view stable() const { return stable_; }

  std::string_view tail() {
    if (!tail_valid_) {
      tail_.clear();
      BlockParser copy = parser_;
      const std::string_view partial = partial_;
      if (!partial.empty()) {
        copy.Line(partial.substr(0, transforms_internal::Utf8CompletePrefix(partial)), &tail_);
      }
      copy.Finish(&tail_);
      tail_valid_ = true;
    }
    return tail_;
  }

  std::string_view html() {
    const std::string_view t = tail();
    html_.assign(stable_);
    html_.append(t.data(), t.size());
    return html_;
  }

 private:
  void Emit(size_t before, TextChunks* out) {
    if (stable_.size() > before) out->Add(std::string_view(stable_).substr(before));
  }

  MarkdownConfig config_;
  BlockParser parser_;
  std::string partial_;  // the incomplete last line
  std::string stable_;
  std::string tail_;
  std::string html_;
  bool tail_valid_ = false;
};

SafeMarkdown::SafeMarkdown(SafeMarkdownOptions options) : impl_(std::make_unique<Impl>(options)) {}
SafeMarkdown::~SafeMarkdown() = default;
SafeMarkdown::SafeMarkdown(SafeMarkdown&&) noexcept = default;
SafeMarkdown& SafeMarkdown::operator=(SafeMarkdown&&) noexcept = default;

void SafeMarkdown::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  impl_->Push(text, out);
}
void SafeMarkdown::Flush(int64_t now_ms, TextChunks* out) { impl_->Flush(out); }
size_t SafeMarkdown::held_bytes() const { return impl_->held_bytes(); }
void SafeMarkdown::Reset() { impl_->Reset(); }
std::string_view SafeMarkdown::Html() { return impl_->html(); }
std::string_view SafeMarkdown::stable_html() const { return impl_->stable(); }
std::string_view SafeMarkdown::tail_html() { return impl_->tail(); }

}  // namespace llmstream
