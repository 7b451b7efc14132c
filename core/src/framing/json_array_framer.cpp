#include "framing/json_array_framer.h"

namespace llmstream::framing {
namespace {

constexpr char kMessage[] = "message";

bool IsWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

bool JsonArrayFramer::Feed(std::string_view bytes) {
  if (!Accept(bytes)) return false;
  const size_t limit = limits().max_frame_bytes;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    if (state_ == State::kElement) {
      const char* const start = p;
      const char* const close = ScanElement(p, end);
      const char* const stop = close ? close : end;
      const std::string_view piece(start, static_cast<size_t>(stop - start));
      if (held_.size() + piece.size() > limit) return FailTooLarge("JSON array element");
      if (close == nullptr) {
        AppendBounded(&held_, piece, limit);
        break;
      }
      if (held_.empty()) {
        if (!Deliver(kMessage, piece, {})) return false;  // inside this read: no copy
      } else {
        AppendBounded(&held_, piece, limit);
        if (!Deliver(kMessage, held_, {})) return false;
        held_.clear();
      }
      state_ = State::kAfterElement;
      p = close;
      continue;
    }
    const char c = *p;
    if (IsWhitespace(c)) {
      ++p;
      continue;
    }
    switch (state_) {
      case State::kStart:
        if (c != '[') return Unexpected(c);
        state_ = State::kFirst;
        ++p;
        continue;
      case State::kFirst:
      case State::kNext:
        if (c == ']' && state_ == State::kFirst) {
          state_ = State::kDone;
          ++p;
          continue;
        }
        if (c != '{' && c != '[') return Unexpected(c);
        state_ = State::kElement;  // the scan counts this bracket
        depth_ = 0;
        in_string_ = escaped_ = false;
        continue;
      case State::kAfterElement:
        if (c == ',') {
          state_ = State::kNext;
        } else if (c == ']') {
          state_ = State::kDone;
        } else {
          return Unexpected(c);
        }
        ++p;
        continue;
      case State::kDone:
      case State::kElement:
        return Unexpected(c);
    }
  }
  return true;
}

const char* JsonArrayFramer::ScanElement(const char* p, const char* end) {
  for (; p < end; ++p) {
    const char c = *p;
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
      return p + 1;
    }
  }
  return nullptr;
}

bool JsonArrayFramer::Unexpected(char c) {
  static constexpr const char* kWhere[] = {
      "before the array's [", "after [", "in an element",
      "after an element",     "after ,", "after the array's ]"};
  std::string shown = c >= 0x20 && c < 0x7F ? std::string(1, c) : "\\x" + [&] {
    static constexpr char kHex[] = "0123456789abcdef";
    const unsigned u = static_cast<unsigned char>(c);
    return std::string{kHex[u >> 4], kHex[u & 15]};
  }();
  return Fail(ErrorCode::kBadFrame, "streamed JSON array: unexpected '" + shown + "' " +
                                        kWhere[static_cast<int>(state_)]);
}

FramingEnd JsonArrayFramer::Finish() {
  FramingEnd end;
  if (failed()) return end;
  end.partial_payload = state_ == State::kElement;
  end.unclosed = state_ != State::kDone;
  held_.clear();
  state_ = State::kStart;
  return end;
}

void JsonArrayFramer::Reset() {
  held_.clear();
  state_ = State::kStart;
  depth_ = 0;
  in_string_ = escaped_ = false;
  ResetBase();
}

}  // namespace llmstream::framing
