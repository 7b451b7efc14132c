#include "packer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "json/writer.h"
#include "llmstream/to_json.h"
#include "sse/utf8.h"

namespace llmstream::wasm {
namespace {

// Token texts are a few bytes long. For them, ASCII checks and copies are done with two
// overlapping loads or stores instead of loops and memcpy: in wasm a variable-size memcpy is a
// memory.copy, which V8 runs as a call out of the generated code (and without bulk memory, the
// -Oz libc's byte loop), once per token.
inline uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}
inline uint32_t Load4(const char* p) {
  uint32_t word;
  std::memcpy(&word, p, 4);
  return word;
}

// True when every byte is ASCII: they nearly always are, and then they are valid UTF-8 and their
// UTF-16 length is their byte length (no per-byte passes).
bool IsAscii(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  constexpr uint64_t kHigh8 = 0x8080808080808080ull;
  if (n >= 8) {
    uint64_t bits = Load8(p + n - 8);
    for (size_t i = 0; i + 8 <= n; i += 8) bits |= Load8(p + i);
    return (bits & kHigh8) == 0;
  }
  if (n >= 4) return ((Load4(p) | Load4(p + n - 4)) & 0x80808080u) == 0;
  unsigned bits = 0;
  for (size_t i = 0; i < n; ++i) bits |= static_cast<unsigned char>(p[i]);
  return bits < 0x80;
}

// A hash of a short token text for the JS decoder's string cache (kFieldExtra of kText records):
// two overlapping words, so no loop. JS checks the cached string against the text itself, so a
// collision costs only a miss.
int32_t TokenHash(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  uint64_t head = 0;
  uint64_t tail = 0;
  if (n >= 8) {
    head = Load8(p);
    tail = Load8(p + n - 8);
  } else if (n >= 4) {
    head = Load4(p);
    tail = Load4(p + n - 4);
  } else {
    for (size_t i = 0; i < n; ++i) head = (head << 8) | static_cast<unsigned char>(p[i]);
  }
  const uint64_t mixed = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ n;
  return static_cast<int32_t>(mixed >> 33);
}

// memcpy for the usual 1-16 bytes without a call; longer copies go to memcpy.
inline void CopyBytes(char* out, const char* in, size_t n) {
  if (n > 16) {
    std::memcpy(out, in, n);
  } else if (n >= 8) {
    const uint64_t head = Load8(in);
    const uint64_t tail = Load8(in + n - 8);
    std::memcpy(out + n - 8, &tail, 8);
    std::memcpy(out, &head, 8);
  } else if (n >= 4) {
    const uint32_t head = Load4(in);
    const uint32_t tail = Load4(in + n - 4);
    std::memcpy(out + n - 4, &tail, 4);
    std::memcpy(out, &head, 4);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = in[i];
  }
}

// UTF-16 code units of valid UTF-8: one per sequence, two for 4-byte sequences (surrogates).
size_t Utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) units += ((c & 0xC0) != 0x80) + (c >= 0xF0);
  return units;
}

const Block* FindBlock(const Completion& result, uint32_t choice, uint32_t index) {
  const Choice* c = result.FindChoice(choice);
  if (c == nullptr) return nullptr;
  for (auto it = c->blocks.rbegin(); it != c->blocks.rend(); ++it) {
    if (it->index == index) return &*it;
  }
  return nullptr;
}

const ToolCall* FindToolCall(const Completion& result, uint32_t choice, uint32_t index) {
  const Choice* c = result.FindChoice(choice);
  if (c == nullptr) return nullptr;
  for (auto it = c->tool_calls.rbegin(); it != c->tool_calls.rend(); ++it) {
    if (it->index == index) return &*it;
  }
  return nullptr;
}

}  // namespace

void Packer::Clear() {
  // records_ keeps its size: Pack overwrites every field it hands out, so it is grown (and
  // zero-filled) only when a batch is larger than any before, not per call.
  text_size_ = 0;
  text_units_ = 0;
  side_.clear();
  side_count_ = 0;
  count_ = 0;
}

int32_t Packer::AppendNonEmptyText(std::string_view text) {
  if (IsAscii(text)) {
    AppendBytes(text);
    text_units_ += text.size();
    return static_cast<int32_t>(text.size());
  }
  if (!sse::IsValidUtf8(text)) {
    scratch_.clear();
    sse::AppendRepairedUtf8(text, &scratch_);
    text = scratch_;
  }
  const size_t units = Utf16Length(text);
  AppendBytes(text);
  text_units_ += units;
  return static_cast<int32_t>(units);
}

void Packer::AppendBytes(std::string_view bytes) {
  if (bytes.size() > text_capacity_ - text_size_) GrowText(text_size_ + bytes.size());
  CopyBytes(text_.get() + text_size_, bytes.data(), bytes.size());
  text_size_ += bytes.size();
}

void Packer::GrowText(size_t needed) {
  const size_t capacity = std::max<size_t>({needed, 2 * text_capacity_, 4096});
  auto grown = std::make_unique<char[]>(capacity);  // zeroed once per growth, not per call
  if (text_size_ > 0) std::memcpy(grown.get(), text_.get(), text_size_);
  text_ = std::move(grown);
  text_capacity_ = capacity;
}

int32_t Packer::BeginSide() {
  if (side_count_ > 0) side_.push_back(',');
  return side_count_++;
}

std::string Packer::side_json() const {
  std::string out;
  out.reserve(side_.size() + 2);
  out.push_back('[');
  out.append(side_);
  out.push_back(']');
  return out;
}

void Packer::Pack(std::span<const Event> events, const Completion& result) {
  Clear();
  if (records_.size() < events.size() * kRecordInts) records_.resize(events.size() * kRecordInts);
  count_ = static_cast<int>(events.size());
  int32_t* r = records_.data();
  for (const Event& e : events) {
    r[kFieldKind] = static_cast<int32_t>(e.kind);
    r[kFieldChoice] = static_cast<int32_t>(e.choice);
    r[kFieldBlock] = static_cast<int32_t>(e.block);
    r[kFieldPart] = e.part;
    if (e.retry != nullptr) {
      r[kFieldChoice] = static_cast<int32_t>(e.retry->attempt);
      r[kFieldBlock] = static_cast<int32_t>(e.retry->delay_ms);
      r[kFieldPart] = e.retry->continuation ? 1 : 0;
    }
    r[kFieldSideIndex] = -1;
    r[kFieldExtra] = 0;
    // Kinds whose text is a JSON value travel in the side array instead (parsed once in JS).
    bool text_in_side = false;
    switch (e.kind) {
      case EventKind::kUsage:
        if (e.usage != nullptr) {
          r[kFieldSideIndex] = BeginSide();
          AppendJson(&side_, *e.usage);
        }
        break;
      case EventKind::kCost:
        if (e.cost != nullptr) {
          r[kFieldSideIndex] = BeginSide();
          AppendJson(&side_, *e.cost);
        }
        break;
      case EventKind::kError:
      case EventKind::kRetry:
        if (e.error != nullptr) {
          r[kFieldSideIndex] = BeginSide();
          AppendJson(&side_, *e.error);
        }
        break;
      case EventKind::kMetadata:
        if (e.metadata_format() == MetadataFormat::kJson) {
          r[kFieldSideIndex] = BeginSide();
          json::AppendValueOrString(&side_, e.text);
          text_in_side = true;
        }
        break;
      case EventKind::kCitation:
      case EventKind::kRaw:
        r[kFieldSideIndex] = BeginSide();
        json::AppendValueOrString(&side_, e.text);
        text_in_side = true;
        break;
      case EventKind::kBlockStart:
        if (!e.text.empty()) {
          r[kFieldSideIndex] = BeginSide();
          json::AppendValueOrString(&side_, e.text);
          text_in_side = true;
        }
        break;
      case EventKind::kToolCallEnd:
        if (const ToolCall* call = FindToolCall(result, e.choice, e.block)) {
          r[kFieldExtra] = static_cast<int32_t>(call->kind);
        }
        break;
      default:
        break;
    }
    if (e.text.size() >= kFarTextMinBytes && !text_in_side) {
      r[kFieldTextStart] = static_cast<int32_t>(reinterpret_cast<uintptr_t>(e.text.data()));
      r[kFieldTextLen] = ~static_cast<int32_t>(e.text.size());
    } else {
      AppendText(text_in_side ? std::string_view() : e.text, &r[kFieldTextStart],
                 &r[kFieldTextLen]);
    }
    if (e.kind == EventKind::kText && e.text.size() <= kTokenCacheMaxBytes) {
      // The sign bit: the text region is ASCII up to here, so this record's offsets are byte
      // offsets too (JS may compare a cached string with the bytes, without decoding them).
      r[kFieldExtra] = TokenHash(e.text) | (text_units_ == text_size_ ? kAsciiBytesFlag : 0);
    }
    std::string_view name = e.name;
    if (e.kind == EventKind::kBlockEnd && name.empty()) {
      if (const Block* block = FindBlock(result, e.choice, e.block)) name = block->type;
    }
    AppendText(e.id, &r[kFieldIdStart], &r[kFieldIdLen]);
    AppendText(name, &r[kFieldNameStart], &r[kFieldNameLen]);
    r += kRecordInts;
  }
}

}  // namespace llmstream::wasm
