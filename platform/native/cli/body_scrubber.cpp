#include "cli/body_scrubber.h"

#include <algorithm>
#include <optional>

#include "framing/crc32.h"

namespace llmstream::cli {
namespace {

// Bounds on what a server controls: nesting kept for paths, key length, distinct paths.
constexpr size_t kMaxDepth = 32;
constexpr size_t kMaxKey = 64;
constexpr size_t kMaxPaths = 256;
// A decided value in BodyScrubber::pending_ (no value begins there: it is past any body).
constexpr uint64_t kResolved = UINT64_MAX;
// AWS event-stream: total length, headers length and prelude CRC; then headers, payload and the
// message CRC. The largest message is the replay framer's (the bytes held wait for it whole).
constexpr uint64_t kPrelude = 12;
constexpr uint64_t kOverhead = kPrelude + 4;
const uint64_t kMaxMessage = FramingLimits().max_frame_bytes;

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

BodyScrubber::BodyScrubber(const SecretScrubber& scrubber, Framing framing)
    : scrubber_(scrubber), framing_(framing), raw_matcher_(scrubber) {}

void BodyScrubber::Push(std::string_view read) {
  out_.Append(read);
  end_ += read.size();
  frame_ends_.push_back(end_);
  if (scrubber_.longest() == 0) {  // nothing to mask: every byte is final
    scanned_ = end_;
    return;
  }
  raw_.Append(read);
  if (framing_ == Framing::kAwsEventStream) {
    ScanMessages(false);
    return;
  }
  raw_matcher_.Feed(read, [this](uint64_t begin, uint64_t end) {
    out_.Mask(begin, end);
    work_ += end - begin;
  });
  work_ += read.size();
  ScanLines(false);
}

void BodyScrubber::Finish() {
  if (scrubber_.longest() != 0) {
    if (framing_ == Framing::kAwsEventStream) {
      ScanMessages(true);
    } else {
      ScanLines(true);
    }
  }
  for (auto& [node, path] : paths_) {
    path.stream.Finish();
    Resolve(path);
  }
  FixCrcs();  // every value is decided now
  scanned_ = end_;
}

uint64_t BodyScrubber::Ready() const {
  uint64_t ready = pending_.empty() ? scanned_ : std::min(scanned_, pending_.front());
  // A message's CRC covers all of it: none of its bytes goes before the CRC is rewritten.
  if (!messages_.empty()) ready = std::min(ready, messages_.front().begin);
  return ready;
}

bool BodyScrubber::FrameReady() const {
  return !frame_ends_.empty() && frame_ends_.front() <= Ready();
}

std::string BodyScrubber::TakeFrame() {
  const uint64_t end = frame_ends_.front();
  frame_ends_.pop_front();
  return out_.Take(end);
}

uint64_t BodyScrubber::work() const {
  uint64_t work = work_ + raw_.work() + out_.work();
  for (const auto& [node, path] : paths_) work += path.stream.work();
  return work;
}

// SSE lines end with LF, CRLF or CR. A CR at the very end may be the first half of a CRLF, so
// its line waits for the next read (or the end).
void BodyScrubber::ScanLines(bool final) {
  while (scanned_ < end_) {
    // Where the last read left the search: a line arriving in many reads is searched once.
    const uint64_t from = std::max(scanned_, searched_);
    const size_t found = raw_.View(from, end_).find_first_of("\r\n");
    const uint64_t eol = found == std::string_view::npos ? end_ : from + found;
    work_ += eol - from;
    searched_ = eol;
    uint64_t next = eol;
    if (eol == end_) {
      if (!final) break;
    } else if (At(eol) == '\r' && eol + 1 == end_ && !final) {
      break;
    } else {
      next = eol + 1 + ((At(eol) == '\r' && eol + 1 < end_ && At(eol + 1) == '\n') ? 1 : 0);
    }
    constexpr std::string_view kData = "data:";
    if (framing_ == Framing::kNdjson) {
      ScanJson(scanned_, eol);  // each line is one JSON value
    } else if (eol - scanned_ >= kData.size() &&
               raw_.View(scanned_, scanned_ + kData.size()) == kData) {
      uint64_t value = scanned_ + kData.size();
      if (value < eol && At(value) == ' ') ++value;
      ScanJson(value, eol);
    }
    scanned_ = next;
  }
  raw_.DropTo(scanned_);
}

uint32_t BodyScrubber::Be32(uint64_t offset) const {
  uint32_t value = 0;
  for (uint64_t k = offset; k < offset + 4; ++k) value = value << 8 | static_cast<uint8_t>(At(k));
  return value;
}

void BodyScrubber::ScanMessages(bool final) {
  const bool was_opaque = opaque_;
  while (!opaque_ && end_ - scanned_ >= kPrelude) {
    const uint64_t total = Be32(scanned_);
    const uint64_t headers = Be32(scanned_ + 4);
    if (total < kOverhead || total > kMaxMessage || headers > total - kOverhead) {
      opaque_ = true;  // the replay's framer stops here too
      break;
    }
    if (end_ - scanned_ < total) break;  // the message is not whole yet
    const uint64_t begin = scanned_;
    const uint64_t crc_at = begin + total - 4;
    Message message{begin, begin + total, false};
    message.crc_valid = framing::Crc32(0, raw_.View(begin, crc_at)) == Be32(crc_at);
    // Secrets whole in the headers or the payload; a secret cannot span two messages in the
    // bytes (a prelude lies between), only in the payloads' JSON values (ScanJson).
    SecretMatcher matcher(scrubber_);
    const uint64_t from = begin + kPrelude;
    matcher.Feed(raw_.View(from, crc_at), [&](uint64_t mask_begin, uint64_t mask_end) {
      out_.Mask(from + mask_begin, from + mask_end);
      work_ += mask_end - mask_begin;
    });
    work_ += 2 * total;  // the CRC check and the match
    messages_.push_back(message);
    ScanJson(from + headers, crc_at);
    scanned_ = message.end;
  }
  if (final && scanned_ < end_) opaque_ = true;  // cut inside a message
  if (opaque_ && !was_opaque) opaque_from_ = opaque_fed_ = scanned_;
  if (opaque_) ScanOpaque(final);
  raw_.DropTo(scanned_);
  FixCrcs();
}

void BodyScrubber::ScanOpaque(bool final) {
  raw_matcher_.Feed(raw_.View(opaque_fed_, end_), [this](uint64_t begin, uint64_t end) {
    out_.Mask(opaque_from_ + begin, opaque_from_ + end);
    work_ += end - begin;
  });
  work_ += end_ - opaque_fed_;
  opaque_fed_ = end_;
  // What the next read may still turn into a secret waits for it.
  scanned_ = final ? end_ : std::max(scanned_, end_ - raw_matcher_.undecided());
}

void BodyScrubber::FixCrcs() {
  while (!messages_.empty()) {
    const Message& message = messages_.front();
    if (!pending_.empty() && pending_.front() < message.end) return;  // a value still undecided
    if (message.crc_valid) {
      const uint32_t crc = framing::Crc32(0, out_.View(message.begin, message.end - 4));
      const char bytes[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16),
                             static_cast<char>(crc >> 8), static_cast<char>(crc)};
      out_.Put(message.end - 4, std::string_view(bytes, 4));
      work_ += message.end - message.begin;
    }
    messages_.pop_front();
  }
}

// A forgiving tokenizer, not a validator: it follows objects and arrays to name each string
// value's path, and never looks past `end` (whatever the bytes are).
void BodyScrubber::ScanJson(uint64_t begin, uint64_t end) {
  work_ += end - begin;
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
          stack.back().node = kUnknownNode;
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
        stack.back().node = kUnknownNode;
        continue;
      }
      AddValue(PathNode(&stack, too_deep > 0), std::move(value));
    } else {
      ++i;
    }
  }
}

uint32_t BodyScrubber::PathNode(std::vector<Level>* stack, bool too_deep) {
  // Only the levels changed since the last value are looked up again (they are at the top).
  size_t known = stack->size();
  while (known > 0 && (*stack)[known - 1].node == kUnknownNode) --known;
  uint32_t node = known == 0 ? 0 : (*stack)[known - 1].node;
  for (size_t k = known; k < stack->size(); ++k) {
    Level& level = (*stack)[k];
    node = level.object ? Extend(Extend(node, "."), level.key)
                        : Extend(node, "[" + std::to_string(level.index) + "]");
    level.node = node;
  }
  return too_deep ? Extend(node, "...") : node;
}

uint32_t BodyScrubber::Extend(uint32_t node, std::string_view bytes) {
  work_ += bytes.size();
  for (const char byte : bytes) {
    if (node == kNoNode) break;
    const uint64_t edge = uint64_t{node} << 8 | static_cast<uint8_t>(byte);
    if (auto found = path_edges_.find(edge); found != path_edges_.end()) {
      node = found->second;
    } else if (paths_.size() < kMaxPaths) {
      node = path_edges_.emplace(edge, path_nodes_++).first->second;
    } else {
      node = kNoNode;  // a name never seen, and no room for another stream
    }
  }
  return node;
}

void BodyScrubber::AddValue(uint32_t node, Value value) {
  // Past kMaxPaths distinct paths, new ones share one stream (a hostile server cannot make the
  // map grow without bound; sharing only makes more text count as one stream).
  auto found = paths_.find(node);
  if (found == paths_.end()) {
    found = paths_.try_emplace(paths_.size() < kMaxPaths ? node : kNoNode, scrubber_).first;
  }
  PathStream& path = found->second;
  path.stream.Push(value.decoded);
  value.number = pending_first_ + pending_.size();
  pending_.push_back(value.begin);
  path.values.push_back(std::move(value));
  Resolve(path);
}

void BodyScrubber::Resolve(PathStream& path) {
  while (path.stream.PieceReady()) {
    const std::string masked = path.stream.TakePiece();
    const Value& value = path.values.front();
    work_ += masked.size();
    for (size_t k = 0; k < masked.size(); ++k) {
      if (masked[k] != '*' || value.decoded[k] == '*') continue;
      out_.Mask(value.spans[k].first, value.spans[k].second);
    }
    pending_[static_cast<size_t>(value.number - pending_first_)] = kResolved;
    path.values.pop_front();
  }
  while (!pending_.empty() && pending_.front() == kResolved) {
    pending_.pop_front();
    ++pending_first_;
  }
}

}  // namespace llmstream::cli
