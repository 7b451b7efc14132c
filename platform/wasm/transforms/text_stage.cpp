#include "text_stage.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "llmstream/transforms.h"

namespace llmstream::wasm {
namespace {

using nlohmann::json;

// Typed option readers: a missing key or a value of another type keeps the default.
double Number(const json& o, const char* key, double fallback) {
  auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : fallback;
}
size_t Count(const json& o, const char* key, size_t fallback) {
  const double value = Number(o, key, static_cast<double>(fallback));
  return value > 0 ? static_cast<size_t>(value) : 0;
}
bool Flag(const json& o, const char* key, bool fallback) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() ? it->get<bool>() : fallback;
}
std::string Text(const json& o, const char* key, std::string fallback) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

std::unique_ptr<TextTransform> Make(std::string_view kind, const json& o, SafeMarkdown** markdown);

std::unique_ptr<TextTransform> MakePipeline(const json& stages, SafeMarkdown** markdown) {
  auto pipeline = std::make_unique<Pipeline>();
  if (!stages.is_array()) return nullptr;
  for (const json& stage : stages) {
    if (!stage.is_object()) return nullptr;
    auto options = stage.find("options");
    static const json kEmpty = json::object();
    *markdown = nullptr;  // only the last stage's HTML is the pipeline's output
    auto transform =
        Make(Text(stage, "kind", ""),
             options != stage.end() && options->is_object() ? *options : kEmpty, markdown);
    if (!transform) return nullptr;
    pipeline->Add(std::move(transform));
  }
  return pipeline;
}

std::unique_ptr<TextTransform> Make(std::string_view kind, const json& o, SafeMarkdown** markdown) {
  if (kind == "words") {
    return std::make_unique<WordStream>(WordStreamOptions{
        .split_cjk = Flag(o, "splitCjk", true), .max_word_chars = Count(o, "maxWordChars", 0)});
  }
  if (kind == "markdown") {
    auto stage = std::make_unique<SafeMarkdown>(
        SafeMarkdownOptions{.autolink_bare_urls = Flag(o, "autolinkBareUrls", true),
                            .hard_breaks = Flag(o, "hardBreaks", false),
                            .max_nesting = static_cast<int>(Count(o, "maxNesting", 16))});
    *markdown = stage.get();
    return stage;
  }
  if (kind == "typing") {
    return std::make_unique<TypingEffect>(
        TypingEffectOptions{.chars_per_second = Number(o, "charsPerSecond", 30),
                            .piece_per_char = Flag(o, "piecePerChar", true)});
  }
  if (kind == "filter") {
    ContentFilterOptions options;
    options.case_insensitive = Flag(o, "caseInsensitive", false);
    const std::string fallback = Text(o, "replacement", "");
    auto patterns = o.find("patterns");
    if (patterns != o.end() && patterns->is_array()) {
      for (const json& p : *patterns) {
        if (p.is_string()) {
          options.rules.push_back({p.get<std::string>(), fallback});
        } else if (p.is_object()) {
          options.rules.push_back({Text(p, "pattern", ""), Text(p, "replacement", fallback)});
        }
      }
    }
    return std::make_unique<ContentFilter>(std::move(options));
  }
  if (kind == "batch") {
    return std::make_unique<Batcher>(
        BatcherOptions{.max_items = Count(o, "maxChunks", 10),
                       .max_bytes = Count(o, "maxChars", 0),
                       .max_interval_ms = static_cast<int64_t>(Count(o, "intervalMs", 100))});
  }
  if (kind == "chunks") {
    return std::make_unique<FixedChunker>(FixedChunkerOptions{
        .size = Count(o, "size", 1000),
        .unit = Text(o, "unit", "chars") == "bytes" ? ChunkUnit::kBytes : ChunkUnit::kCodePoints});
  }
  if (kind == "smooth") {
    return std::make_unique<AdaptiveSmoother>(AdaptiveSmootherOptions{
        .max_added_latency_ms = static_cast<int64_t>(Count(o, "maxDelayMs", 250)),
        .window = Count(o, "window", 10)});
  }
  if (kind == "pipeline")
    return MakePipeline(o.is_object() ? o.value("stages", json()) : o, markdown);
  return nullptr;
}

// UTF-16 code units of a UTF-8 piece: one per character, two for those above U+FFFF. (Input
// comes from JS strings, so it is valid UTF-8; SafeMarkdown repairs what is not.)
uint32_t Utf16Length(std::string_view piece) {
  uint32_t units = 0;
  for (unsigned char byte : piece) {
    if ((byte & 0xC0) != 0x80) units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

// Transforms only see whole milliseconds; a JS clock has fractions.
int64_t Ms(double now_ms) { return static_cast<int64_t>(now_ms); }

}  // namespace

TextStage::TextStage(const std::string& kind, const std::string& options_json) {
  json options = json::parse(options_json, nullptr, /*allow_exceptions=*/false);
  if (options.is_discarded()) {
    ok_ = false;
    options = json::object();
  }
  transform_ = Make(kind, options, &markdown_);
  if (!transform_) {
    ok_ = false;
    transform_ = std::make_unique<Pipeline>();  // passes text through
    markdown_ = nullptr;
  }
}

TextStage::~TextStage() = default;

std::string TextStage::push(const std::string& text, double now_ms) {
  out_.Clear();
  transform_->Push(text, Ms(now_ms), &out_);
  return Finish();
}

std::string TextStage::tick(double now_ms) {
  out_.Clear();
  transform_->Tick(Ms(now_ms), &out_);
  return Finish();
}

std::string TextStage::flush(double now_ms) {
  out_.Clear();
  transform_->Flush(Ms(now_ms), &out_);
  return Finish();
}

void TextStage::reset() {
  transform_->Reset();
  out_.Clear();
  Finish();
}

std::string TextStage::tailHtml() {
  return markdown_ ? std::string(markdown_->tail_html()) : std::string();
}

std::string TextStage::Finish() {
  lengths_.clear();
  for (std::string_view piece : out_) lengths_.push_back(Utf16Length(piece));
  const int64_t wake = transform_->WakeAtMs();
  header_.wake_at_ms = static_cast<double>(wake);
  header_.held_bytes = static_cast<double>(transform_->held_bytes());
  header_.pieces = static_cast<uint32_t>(lengths_.size());
  header_.lengths_ptr = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(lengths_.data()));
  return std::string(out_.text());
}

}  // namespace llmstream::wasm
