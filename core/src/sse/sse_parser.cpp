#include "llmstream/sse_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "sse/scan.h"
#include "sse/utf8.h"

namespace llmstream {

const char kSseDefaultType[] = "message";

namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
constexpr std::string_view kMessageType(kSseDefaultType, sizeof("message") - 1);

class NullSink final : public SseSink {
 public:
  void OnEvent(const SseEvent& /*event*/) override {}
};

SseSink* NullSinkInstance() {
  static NullSink sink;
  return &sink;
}

// Grows `buffer` so `needed` bytes fit without its capacity passing `limit` (needed <= limit).
// std::string's own growth at least doubles, which would overshoot a limit by up to 2x.
void Grow(std::string* buffer, size_t needed, size_t limit) {
  const size_t capacity = buffer->capacity();
  size_t target = capacity > limit / 2 ? limit : std::max(needed, 2 * capacity);
  target = std::max(target, needed);
  if (target >= 2 * capacity) {
    buffer->reserve(target);
    return;
  }
  std::string fresh;  // from empty, reserve allocates exactly `target`
  fresh.reserve(target);
  fresh.append(*buffer);
  buffer->swap(fresh);
}

// Lines from this long that straddled reads are adopted as the event's data instead of copied
// (AppendData); shorter ones are copied, so both buffers keep their capacity for a steady stream.
constexpr size_t kAdoptLineBytes = 64 * 1024;

inline void EnsureCapacity(std::string* buffer, size_t needed, size_t limit) {
  if (needed > buffer->capacity()) Grow(buffer, needed, limit);
}

// `retry` accepts only ASCII digits (WHATWG); values past INT64_MAX clamp instead of wrapping.
bool ParseRetry(std::string_view value, int64_t* ms) {
  if (value.empty()) return false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t result = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    result = result > (kMax - digit) / 10 ? kMax : result * 10 + digit;
  }
  *ms = result;
  return true;
}

}  // namespace

SseParser::SseParser(SseSink* sink, SseLimits limits)
    : sink_(sink != nullptr ? sink : NullSinkInstance()), limits_(limits) {}

bool SseParser::Feed(std::string_view bytes) {
  Consume(bytes, /*stop_after_event=*/false);
  return !failed_;
}

size_t SseParser::FeedUntilEvent(std::string_view bytes) {
  return Consume(bytes, /*stop_after_event=*/true);
}

size_t SseParser::Consume(std::string_view bytes, bool stop_after_event) {
  if (failed_) return bytes.size();
  bytes_fed_ += bytes.size();
  if (bytes.empty()) return 0;  // keeps pending_cr_ and a partial BOM as they are
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  dispatched_ = false;

  if (at_start_) {
    while (p < end && bom_matched_ < 3 && static_cast<unsigned char>(*p) == kBom[bom_matched_]) {
      ++p;
      ++bom_matched_;
    }
    if (bom_matched_ < 3 && p == end) return bytes.size();  // only a BOM prefix so far
    if (bom_matched_ < 3) {
      // Not a BOM after all: the held bytes start the first line (they decode to U+FFFD).
      if (bom_matched_ > limits_.max_line_bytes) return FailLineTooLong(bytes.size());
      line_buf_.assign(reinterpret_cast<const char*>(kBom), bom_matched_);
      line_non_ascii_ = true;
    }
    at_start_ = false;
    bom_matched_ = 0;
  }

  if (pending_cr_ && p < end) {
    pending_cr_ = false;
    if (*p == '\n') ++p;  // second half of a CRLF split across reads
  }

  while (p < end) {
    bool non_ascii = false;
    const char* const eol = sse::FindLineEnd(p, end, &non_ascii);
    const size_t length = static_cast<size_t>(eol - p);
    if (line_buf_.empty()) {
      if (length > limits_.max_line_bytes) return FailLineTooLong(bytes.size());
      if (eol == end) {  // an unterminated line: keep it for the next read
        EnsureCapacity(&line_buf_, length, limits_.max_line_bytes);
        line_buf_.assign(p, length);
        line_non_ascii_ = non_ascii;
        break;
      }
      ProcessLine(std::string_view(p, length), /*in_input=*/true, !non_ascii);
    } else {
      if (line_buf_.size() + length > limits_.max_line_bytes) {
        return FailLineTooLong(bytes.size());
      }
      EnsureCapacity(&line_buf_, line_buf_.size() + length, limits_.max_line_bytes);
      line_buf_.append(p, length);
      line_non_ascii_ = line_non_ascii_ || non_ascii;
      if (eol == end) break;
      ProcessLine(line_buf_, /*in_input=*/false, !line_non_ascii_);
      line_buf_.clear();
      line_non_ascii_ = false;
    }
    if (failed_) return bytes.size();
    p = eol + 1;
    if (*eol == '\r') {
      if (p == end) {
        pending_cr_ = true;
      } else if (*p == '\n') {
        ++p;
      }
    }
    if (stop_after_event && dispatched_ && p < end) {
      // Nothing is borrowed from the input after a dispatch: the rest is the caller's again.
      bytes_fed_ -= static_cast<size_t>(end - p);
      return static_cast<size_t>(p - bytes.data());
    }
  }
  // The caller's bytes die when Feed returns.
  if (data_borrowed_) OwnData();
  if (!type_view_.empty()) {
    type_buf_.assign(type_view_);
    type_view_ = {};
  }
  return bytes.size();
}

size_t SseParser::FailLineTooLong(size_t consumed) {
  Fail(ErrorCode::kSseLineTooLong, "SSE line longer than " +
                                       std::to_string(limits_.max_line_bytes) +
                                       " bytes (SseLimits::max_line_bytes)");
  return consumed;
}

void SseParser::ProcessLine(std::string_view line, bool in_input, bool ascii) {
  // ':' and ' ' are ASCII, so finding them in the raw bytes equals finding them in the decoded
  // text; a field name with invalid UTF-8 never equals a known (ASCII) name either.
  if (line.size() >= 5 && sse::StartsWithField(line.data(), "data:")) {  // the hot case
    std::string_view value = line.substr(5);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    AppendData(value, in_input, ascii);
    return;
  }
  if (line.empty()) {
    Dispatch();
    return;
  }
  if (line.front() == ':') {
    EmitComment(line.substr(1), ascii);
    return;
  }
  const size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);

  if (name == "data") {
    AppendData(value, in_input, ascii);
  } else if (name == "event") {
    if (in_input && ascii) {
      type_view_ = value;  // zero copy, like a data value: a view into the caller's Feed input
      type_buf_.clear();
    } else {
      AssignText(value, ascii, &type_buf_);
      type_view_ = {};
    }
  } else if (name == "id") {
    if (value.find('\0') != std::string_view::npos) return;
    AssignText(value, ascii, &id_buf_);
    id_pending_ = true;
  } else if (name == "retry") {
    int64_t ms;
    if (ParseRetry(value, &ms)) {
      retry_ms_ = ms;
      sink_->OnRetry(ms);
    }
  }
}

void SseParser::AssignText(std::string_view value, bool ascii, std::string* out) {
  if (ascii) {
    out->assign(value);
    return;
  }
  out->clear();
  sse::AppendRepairedUtf8(value, out);
}

void SseParser::AppendData(std::string_view value, bool in_input, bool ascii) {
  const size_t valid = ascii ? value.size() : sse::ValidUtf8Prefix(value);
  const bool is_valid = valid == value.size();
  const size_t added = is_valid ? value.size() : valid + sse::RepairedUtf8Size(value.substr(valid));
  size_t current = 0;
  if (data_lines_ > 0) current = (data_borrowed_ ? data_view_.size() : data_buf_.size()) + 1;
  if (added > limits_.max_event_bytes || current > limits_.max_event_bytes - added) {
    Fail(ErrorCode::kSseEventTooLarge, "SSE event data larger than " +
                                           std::to_string(limits_.max_event_bytes) +
                                           " bytes (SseLimits::max_event_bytes)");
    return;
  }
  ++data_lines_;
  if (current == 0 && in_input && is_valid) {
    data_view_ = value;  // zero copy: a view into the caller's Feed input
    data_borrowed_ = true;
    return;
  }
  if (current == 0 && is_valid && !in_input && value.size() >= kAdoptLineBytes) {
    // A long line that straddled reads (a huge delta, a base64 image) becomes the event's data
    // without a second copy: the line buffer is adopted, the field name shifted out in place.
    // line_buf_ gets data_buf_'s storage, which Feed clears right after this line.
    const size_t offset = static_cast<size_t>(value.data() - line_buf_.data());
    data_buf_.swap(line_buf_);
    data_buf_.erase(0, offset);
    return;
  }
  if (data_borrowed_) OwnData();
  EnsureCapacity(&data_buf_, current + added, limits_.max_event_bytes);
  if (current > 0) data_buf_.push_back('\n');
  data_buf_.append(value.data(), valid);
  if (!is_valid) sse::AppendRepairedUtf8(value.substr(valid), &data_buf_);
}

bool SseParser::TakeEventData(std::string* out) {
  if (data_borrowed_ || data_lines_ == 0 || data_buf_.size() < kAdoptLineBytes) return false;
  out->swap(data_buf_);
  return true;
}

void SseParser::OwnData() {
  EnsureCapacity(&data_buf_, data_view_.size(), limits_.max_event_bytes);
  data_buf_.assign(data_view_);
  data_view_ = {};
  data_borrowed_ = false;
}

void SseParser::Dispatch() {
  if (id_pending_) {
    last_id_.swap(id_buf_);  // id_buf_ is only read again after the next `id` field rewrites it
    id_pending_ = false;
  }
  if (data_lines_ == 0) {  // nothing to dispatch; an `event` field without data is forgotten
    ClearEvent();
    return;
  }
  SseEvent event;
  const std::string_view type = type_view_.empty() ? std::string_view(type_buf_) : type_view_;
  event.type = type.empty() ? kMessageType : type;
  event.data = data_borrowed_ ? data_view_ : std::string_view(data_buf_);
  event.id = last_id_;
  dispatched_ = true;
  sink_->OnEvent(event);
  ClearEvent();
}

void SseParser::EmitComment(std::string_view text, bool ascii) {
  if (ascii || sse::IsValidUtf8(text)) {
    sink_->OnComment(text);
    return;
  }
  scratch_.clear();
  sse::AppendRepairedUtf8(text, &scratch_);
  sink_->OnComment(scratch_);
}

void SseParser::ClearEvent() {
  data_buf_.clear();
  data_view_ = {};
  data_borrowed_ = false;
  data_lines_ = 0;
  type_buf_.clear();
  type_view_ = {};
}

void SseParser::Fail(ErrorCode code, std::string message) {
  failed_ = true;
  error_.code = code;
  error_.message = std::move(message);
  line_buf_.clear();
  line_non_ascii_ = false;
  pending_cr_ = false;
  ClearEvent();
  id_pending_ = false;
}

SseEnd SseParser::Finish() {
  if (failed_) return {};
  SseEnd end;
  end.partial_line = !line_buf_.empty() || bom_matched_ > 0;
  end.pending_event = data_lines_ > 0;
  line_buf_.clear();
  line_non_ascii_ = false;
  pending_cr_ = false;
  bom_matched_ = 0;
  ClearEvent();
  id_pending_ = false;  // an `id` whose block never ended is never committed
  return end;
}

void SseParser::Reset() {
  line_buf_.clear();
  line_non_ascii_ = false;
  pending_cr_ = false;
  at_start_ = true;
  bom_matched_ = 0;
  ClearEvent();
  id_buf_.clear();
  id_pending_ = false;
  last_id_.clear();
  retry_ms_.reset();
  scratch_.clear();
  bytes_fed_ = 0;
  failed_ = false;
  error_ = Error{};
}

}  // namespace llmstream
