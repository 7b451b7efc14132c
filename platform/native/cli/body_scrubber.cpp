#include "cli/body_scrubber.h"

#include <algorithm>
#include <optional>

namespace llmstream::cli {
namespace {

// Bounds on what a server controls: nesting kept for paths, key length, distinct paths.
constexpr size_t kMaxDepth = 32;
constexpr size_t kMaxKey = 64;
constexpr size_t kMaxPaths = 256;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

}  // namespace

BodyScrubber::BodyScrubber(const SecretScrubber& scrubber) : scrubber_(scrubber) {}

void BodyScrubber::Push(std::string_view read) {
  const size_t old_size = wire_.size();
  wire_.append(read);
  masked_.resize(wire_.size(), false);
  end_ += read.size();
  frame_ends_.push_back(end_);
  if (scrubber_.longest() == 0) {  // nothing to mask: every byte is final
    scanned_ = end_;
    return;
  }
  scrubber_.Mark(wire_, old_size, &masked_);
  ScanLines(false);
}

void BodyScrubber::Finish() {
  if (scrubber_.longest() != 0) ScanLines(true);
  for (auto& [name, path] : paths_) {
    path.stream.Finish();
    Resolve(path);
  }
  scanned_ = end_;
}

uint64_t BodyScrubber::Ready() const {
  uint64_t ready = scanned_;
  for (const auto& [name, path] : paths_) {
    if (!path.values.empty()) ready = std::min(ready, path.values.front().begin);
  }
  return ready;
}

bool BodyScrubber::FrameReady() const {
  return !frame_ends_.empty() && frame_ends_.front() <= Ready();
}

std::string BodyScrubber::TakeFrame() {
  const auto count = static_cast<size_t>(frame_ends_.front() - base_);
  frame_ends_.pop_front();
  std::string frame = wire_.substr(0, count);
  for (size_t i = 0; i < count; ++i) {
    if (masked_[i]) frame[i] = '*';
  }
  wire_.erase(0, count);
  masked_.erase(masked_.begin(), masked_.begin() + static_cast<std::ptrdiff_t>(count));
  base_ += count;
  return frame;
}

// SSE lines end with LF, CRLF or CR. A CR at the very end may be the first half of a CRLF, so
// its line waits for the next read (or the end).
void BodyScrubber::ScanLines(bool final) {
  while (scanned_ < end_) {
    uint64_t eol = scanned_;
    while (eol < end_ && At(eol) != '\n' && At(eol) != '\r') ++eol;
    uint64_t next = eol;
    if (eol == end_) {
      if (!final) return;
    } else if (At(eol) == '\r' && eol + 1 == end_ && !final) {
      return;
    } else {
      next = eol + 1 + ((At(eol) == '\r' && eol + 1 < end_ && At(eol + 1) == '\n') ? 1 : 0);
    }
    constexpr std::string_view kData = "data:";
    if (eol - scanned_ >= kData.size() &&
        std::string_view(wire_).substr(static_cast<size_t>(scanned_ - base_), kData.size()) ==
            kData) {
      uint64_t value = scanned_ + kData.size();
      if (value < eol && At(value) == ' ') ++value;
      ScanJson(value, eol);
    }
    scanned_ = next;
  }
}

// A forgiving tokenizer, not a validator: it follows objects and arrays to name each string
// value's path, and never looks past `end` (whatever the bytes are).
void BodyScrubber::ScanJson(uint64_t begin, uint64_t end) {
  struct Level {
    bool object = false;
    bool expect_key = false;
    std::string key;
    size_t index = 0;
  };
  std::vector<Level> stack;
  size_t too_deep = 0;  // levels opened beyond kMaxDepth
  uint64_t i = begin;
  while (i < end) {
    const char c = At(i);
    if (c == '{' || c == '[') {
      if (stack.size() == kMaxDepth) {
        ++too_deep;
      } else {
        Level& level = stack.emplace_back();
        level.object = c == '{';
        level.expect_key = level.object;
      }
      ++i;
    } else if (c == '}' || c == ']') {
      if (too_deep > 0) {
        --too_deep;
      } else if (!stack.empty()) {
        stack.pop_back();
      }
      ++i;
    } else if (c == ':') {
      if (!stack.empty() && too_deep == 0) stack.back().expect_key = false;
      ++i;
    } else if (c == ',') {
      if (!stack.empty() && too_deep == 0) {
        if (stack.back().object) {
          stack.back().expect_key = true;
        } else {
          ++stack.back().index;
        }
      }
      ++i;
    } else if (c == '"') {
      Value value;
      value.begin = i;
      uint64_t j = i + 1;
      while (j < end && At(j) != '"') {
        const uint64_t start = j;
        std::optional<uint32_t> code_point;
        if (At(j) == '\\' && j + 1 < end) {
          const char e = At(j + 1);
          j += 2;
          switch (e) {
            case 'b':
              code_point = '\b';
              break;
            case 'f':
              code_point = '\f';
              break;
            case 'n':
              code_point = '\n';
              break;
            case 'r':
              code_point = '\r';
              break;
            case 't':
              code_point = '\t';
              break;
            case 'u': {
              auto hex4 = [&](uint64_t at) -> int {
                if (at + 4 > end) return -1;
                int v = 0;
                for (uint64_t k = at; k < at + 4; ++k) {
                  const int d = HexDigit(At(k));
                  if (d < 0) return -1;
                  v = v * 16 + d;
                }
                return v;
              };
              const int unit = hex4(j);
              if (unit < 0) {
                code_point = 'u';  // not an escape after all: keep the letter
                break;
              }
              j += 4;
              code_point = static_cast<uint32_t>(unit);
              if (unit >= 0xD800 && unit <= 0xDBFF && j + 1 < end && At(j) == '\\' &&
                  At(j + 1) == 'u') {
                const int low = hex4(j + 2);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                  code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                               (static_cast<uint32_t>(low) - 0xDC00);
                  j += 6;
                }
              }
              if (*code_point >= 0xD800 && *code_point <= 0xDFFF) code_point = 0xFFFD;
              break;
            }
            default:
              code_point = static_cast<unsigned char>(e);  // \" \\ \/ and anything else
              break;
          }
        } else {
          ++j;
        }
        const size_t before = value.decoded.size();
        if (code_point) {
          AppendUtf8(*code_point, &value.decoded);
        } else {
          value.decoded.push_back(At(start));  // a raw byte, UTF-8 or not
        }
        for (size_t k = before; k < value.decoded.size(); ++k) value.spans.emplace_back(start, j);
      }
      i = j < end ? j + 1 : end;  // past the closing quote (a string cut by the line ends it)
      if (!stack.empty() && too_deep == 0 && stack.back().object && stack.back().expect_key) {
        stack.back().key = value.decoded.substr(0, kMaxKey);
        continue;
      }
      std::string path;
      for (const Level& level : stack) {
        path += level.object ? "." + level.key : "[" + std::to_string(level.index) + "]";
      }
      if (too_deep > 0) path += "...";
      AddValue(path, std::move(value));
    } else {
      ++i;
    }
  }
}

void BodyScrubber::AddValue(const std::string& name, Value value) {
  // Past kMaxPaths distinct paths, new ones share one stream (a hostile server cannot make the
  // map grow without bound; sharing only makes more text count as one stream).
  auto found = paths_.find(name);
  if (found == paths_.end()) {
    found =
        paths_.try_emplace(paths_.size() < kMaxPaths ? name : std::string("*"), scrubber_).first;
  }
  PathStream& path = found->second;
  path.stream.Push(value.decoded);
  path.values.push_back(std::move(value));
  Resolve(path);
}

void BodyScrubber::Resolve(PathStream& path) {
  while (path.stream.PieceReady()) {
    const std::string masked = path.stream.TakePiece();
    const Value& value = path.values.front();
    for (size_t k = 0; k < masked.size(); ++k) {
      if (masked[k] != '*' || value.decoded[k] == '*') continue;
      for (uint64_t at = value.spans[k].first; at < value.spans[k].second; ++at) {
        masked_[static_cast<size_t>(at - base_)] = true;
      }
    }
    path.values.pop_front();
  }
}

}  // namespace llmstream::cli
