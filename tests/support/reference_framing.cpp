#include "support/reference_framing.h"

#include "json/arena.h"
#include "json/reader.h"
#include "sse/utf8.h"

namespace llmstream::testing {
namespace {

uint32_t Get32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

void Put32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The rule for an NDJSON last line without its LF is "one complete JSON value" as the core's
// json::Reader decides it; that reader has its own differential fuzzer against nlohmann.
bool IsOneJsonValue(std::string_view text) {
  json::Arena arena;
  json::Reader reader(text, &arena);
  return reader.Skip() && reader.Finish();
}

std::string Repair(std::string_view text) {
  std::string out;
  sse::AppendRepairedUtf8(text, &out);
  return out;
}

// Adds a payload as SseEvent promises it (valid UTF-8); false when the repaired data is too large.
bool Emit(RefResult* r, std::string_view type, std::string_view data, std::string_view id,
          size_t max) {
  std::string fixed = Repair(data);
  if (fixed.size() > max) {
    r->failed = true;
    return false;
  }
  r->payloads.push_back({Repair(type), std::move(fixed), Repair(id)});
  return true;
}

RefResult Ndjson(std::string_view body, size_t max) {
  RefResult r;
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n') {
      lines.emplace_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  const bool has_tail = start < body.size();
  std::string tail(body.substr(start));
  for (size_t k = 0; k <= lines.size(); ++k) {
    const bool last = k == lines.size();
    if (last && !has_tail) break;
    std::string line = last ? tail : lines[k];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max) {
      r.failed = true;
      return r;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (last && !IsOneJsonValue(line)) {
      r.truncated = true;
      break;
    }
    if (!Emit(&r, "message", line, "", max)) return r;
  }
  return r;
}

RefResult JsonArray(std::string_view body, size_t max) {
  RefResult r;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < body.size() && IsJsonSpace(body[i])) ++i;
  };
  skip_ws();
  if (i == body.size()) return r.truncated = true, r;
  if (body[i++] != '[') return r.failed = true, r;
  bool first = true;
  while (true) {
    skip_ws();
    if (i == body.size()) return r.truncated = true, r;
    if (first && body[i] == ']') {
      ++i;
      break;
    }
    if (body[i] != '{' && body[i] != '[') return r.failed = true, r;
    // One element: count brackets outside strings.
    const size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < body.size(); ++i) {
      const char c = body[i];
      if (in_string) {
        if (c == '\\') {
          ++i;  // the escaped byte, whatever it is
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') in_string = true;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) break;
    }
    if (i >= body.size()) {
      if (body.size() - start > max) r.failed = true;
      return r.truncated = !r.failed, r;
    }
    ++i;
    if (i - start > max) return r.failed = true, r;
    if (!Emit(&r, "message", body.substr(start, i - start), "", max)) return r;
    first = false;
    skip_ws();
    if (i == body.size()) return r.truncated = true, r;
    if (body[i] == ',') {
      ++i;
      continue;
    }
    if (body[i] != ']') return r.failed = true, r;
    ++i;
    break;
  }
  skip_ws();
  if (i != body.size()) r.failed = true;
  return r;
}

RefResult EventStream(std::string_view body, size_t max) {
  RefResult r;
  size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < 12) return r.truncated = true, r;
    const uint32_t total = Get32(body, at);
    const uint32_t headers_size = Get32(body, at + 4);
    if (BitwiseCrc32(body.substr(at, 8)) != Get32(body, at + 8)) return r.failed = true, r;
    if (total < 16 || headers_size > total - 16 || total > max) return r.failed = true, r;
    if (body.size() - at < total) return r.truncated = true, r;
    const std::string_view m = body.substr(at, total);
    if (BitwiseCrc32(m.substr(0, total - 4)) != Get32(m, total - 4)) return r.failed = true, r;
    std::string message_type, event_type, exception_type, error_code, error_message;
    size_t h = 12;
    const size_t h_end = 12 + headers_size;
    while (h < h_end) {
      const size_t n = static_cast<unsigned char>(m[h]);
      if (n == 0 || h + 1 + n + 1 > h_end) return r.failed = true, r;
      const std::string name(m.substr(h + 1, n));
      const int type = static_cast<unsigned char>(m[h + 1 + n]);
      h += 2 + n;
      size_t size;
      switch (type) {
        case 0:
        case 1:
          size = 0;
          break;
        case 2:
          size = 1;
          break;
        case 3:
          size = 2;
          break;
        case 4:
          size = 4;
          break;
        case 5:
        case 8:
          size = 8;
          break;
        case 9:
          size = 16;
          break;
        case 6:
        case 7:
          if (h + 2 > h_end) return r.failed = true, r;
          size = (static_cast<size_t>(static_cast<unsigned char>(m[h])) << 8) |
                 static_cast<unsigned char>(m[h + 1]);
          h += 2;
          break;
        default:
          return r.failed = true, r;
      }
      if (h + size > h_end) return r.failed = true, r;
      const std::string value(m.substr(h, size));
      h += size;
      if (type != 7) continue;
      if (name == ":message-type") message_type = value;
      if (name == ":event-type") event_type = value;
      if (name == ":exception-type") exception_type = value;
      if (name == ":error-code") error_code = value;
      if (name == ":error-message") error_message = value;
    }
    const std::string payload(m.substr(h_end, total - 4 - h_end));
    bool ok;
    if (message_type == "exception") {
      ok = Emit(&r, exception_type, payload, message_type, max);
    } else if (message_type == "error") {
      ok = Emit(&r, error_code, error_message, message_type, max);
    } else {
      ok = Emit(&r, event_type, payload, message_type, max);
    }
    if (!ok) return r;
    at += total;
  }
  return r;
}

}  // namespace

uint32_t BitwiseCrc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char b : bytes) {
    crc ^= static_cast<unsigned char>(b);
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

RefResult ReferenceFrame(Framing framing, std::string_view body, size_t max_frame_bytes) {
  switch (framing) {
    case Framing::kNdjson:
      return Ndjson(body, max_frame_bytes);
    case Framing::kJsonArray:
      return JsonArray(body, max_frame_bytes);
    case Framing::kAwsEventStream:
      return EventStream(body, max_frame_bytes);
    case Framing::kSse:
      break;
  }
  return {};
}

std::string EncodeEventStream(const std::vector<EsHeader>& headers, std::string_view payload) {
  std::string h;
  for (const EsHeader& header : headers) {
    h.push_back(static_cast<char>(header.name.size()));
    h += header.name;
    h.push_back(static_cast<char>(header.type));
    if (header.type == 6 || header.type == 7) {
      h.push_back(static_cast<char>(header.value.size() >> 8));
      h.push_back(static_cast<char>(header.value.size()));
    }
    h += header.value;
  }
  std::string out;
  Put32(&out, static_cast<uint32_t>(16 + h.size() + payload.size()));
  Put32(&out, static_cast<uint32_t>(h.size()));
  Put32(&out, BitwiseCrc32(out));
  out += h;
  out += payload;
  Put32(&out, BitwiseCrc32(out));
  return out;
}

std::string EventStreamEvent(std::string_view type, std::string_view payload) {
  return EncodeEventStream({{":event-type", 7, std::string(type)},
                            {":content-type", 7, "application/json"},
                            {":message-type", 7, "event"}},
                           payload);
}

}  // namespace llmstream::testing
