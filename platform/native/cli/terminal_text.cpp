#include "cli/terminal_text.h"

#include <cstdint>

namespace llmstream::cli {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendByteEscape(uint8_t byte, std::string* out) {
  out->append("\\x");
  out->push_back(kHex[byte >> 4]);
  out->push_back(kHex[byte & 0xF]);
}

// The length of the UTF-8 sequence `lead` starts (0: no valid sequence starts with it).
size_t SequenceLength(uint8_t lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether `byte` may follow `lead` as the sequence's byte number `index` (1..3): the second
// byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
bool ContinuationOk(uint8_t lead, size_t index, uint8_t byte) {
  if (index == 1) {
    if (lead == 0xE0) return byte >= 0xA0 && byte <= 0xBF;
    if (lead == 0xED) return byte >= 0x80 && byte <= 0x9F;
    if (lead == 0xF0) return byte >= 0x90 && byte <= 0xBF;
    if (lead == 0xF4) return byte >= 0x80 && byte <= 0x8F;
  }
  return byte >= 0x80 && byte <= 0xBF;
}

}  // namespace

void ControlFilter::Filter(std::string_view text, bool final, std::string* out) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x80) {
      if (byte == '\r') {
        if (i + 1 == n && !final) break;  // an LF may start the next piece
        if (i + 1 < n && text[i + 1] == '\n') {
          out->push_back('\r');
        } else {
          AppendByteEscape(byte, out);
        }
      } else if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
        AppendByteEscape(byte, out);
      } else {
        out->push_back(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    const size_t length = SequenceLength(byte);
    size_t valid = 1;  // how many bytes of the sequence are present and acceptable
    while (length != 0 && valid < length && i + valid < n &&
           ContinuationOk(byte, valid, static_cast<uint8_t>(text[i + valid]))) {
      ++valid;
    }
    if (length != 0 && valid < length && i + valid == n && !final) break;  // wait for the rest
    if (length == 0 || valid < length) {
      AppendByteEscape(byte, out);  // the bytes after it are looked at again on their own
      ++i;
      continue;
    }
    const auto second = static_cast<uint8_t>(text[i + 1]);
    if (byte == 0xC2 && second <= 0x9F) {
      out->append("\\u00");
      out->push_back(kHex[second >> 4]);
      out->push_back(kHex[second & 0xF]);
    } else {
      out->append(text.substr(i, length));
    }
    i += length;
  }
  held_.assign(text.substr(i));
}

void ControlFilter::Push(std::string_view text, std::string* out) {
  // What was held (at most 3 bytes) is completed one byte of the text at a time until nothing is
  // held (the result does not depend on the split): no copy of the whole text behind it.
  while (!held_.empty() && !text.empty()) {
    std::string joined = held_;
    joined.push_back(text.front());
    text.remove_prefix(1);
    work_ += 2 * joined.size();  // copied, then filtered
    Filter(joined, false, out);
  }
  if (text.empty()) return;
  work_ += text.size();
  Filter(text, false, out);
}

void ControlFilter::Flush(std::string* out) {
  if (held_.empty()) return;
  const std::string held = std::move(held_);
  held_.clear();
  work_ += held.size();
  Filter(held, true, out);
}

std::string NeutralizeControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ControlFilter filter;
  filter.Push(text, &out);
  filter.Flush(&out);
  return out;
}

void EscapeJsonControls(std::string* json) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < json->size(); ++i) {
    const auto byte = static_cast<uint8_t>((*json)[i]);
    const bool del = byte == 0x7F;
    const bool c1 = byte == 0xC2 && i + 1 < json->size() &&
                    static_cast<uint8_t>((*json)[i + 1]) <= 0x9F &&
                    static_cast<uint8_t>((*json)[i + 1]) >= 0x80;
    if (!del && !c1) continue;
    out.append(*json, copied, i - copied);
    const uint8_t code = del ? 0x7F : static_cast<uint8_t>((*json)[i + 1]);
    out.append("\\u00");
    out.push_back(kHex[code >> 4]);
    out.push_back(kHex[code & 0xF]);
    i += del ? 0 : 1;
    copied = i + 1;
  }
  if (copied == 0) return;  // nothing to escape (the usual case): no copy
  out.append(*json, copied, std::string::npos);
  *json = std::move(out);
}

}  // namespace llmstream::cli
