#include "json/writer.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "json/arena.h"
#include "json/escape.h"
#include "json/reader.h"
#include "sse/utf8.h"

namespace llmstream::json {
namespace {

// `text` as valid UTF-8: itself when it already is (the usual case), else repaired into *buffer.
std::string_view ValidUtf8(std::string_view text, std::string* buffer) {
  if (sse::IsValidUtf8(text)) return text;
  buffer->clear();
  sse::AppendRepairedUtf8(text, buffer);
  return *buffer;
}

}  // namespace

void AppendString(std::string* out, std::string_view text) {
  std::string repaired;
  out->push_back('"');
  AppendEscaped(out, ValidUtf8(text, &repaired));
  out->push_back('"');
}

void AppendNumber(std::string* out, double value) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  if (value == 0) value = 0;  // no "-0"
  // The shortest form that reads back to the same double (Grisu2, nlohmann's header-only
  // to_chars, already compiled in for request building). Not through nlohmann's serializer: that
  // one formats \u escapes with snprintf, and printf brings libc's long-double formatting with
  // it, a large part of the wasm module (bench/README.md, "Footprint and start-up").
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, static_cast<size_t>(end - buffer));
}

void AppendInt(std::string* out, int64_t value) { out->append(std::to_string(value)); }

void AppendOptionalInt(std::string* out, const std::optional<int64_t>& value) {
  if (value) {
    AppendInt(out, *value);
  } else {
    out->append("null");
  }
}

void AppendValueOrString(std::string* out, std::string_view text) {
  std::string repaired;
  const std::string_view valid = ValidUtf8(text, &repaired);
  Arena arena;
  Reader reader(valid, &arena);
  if (!valid.empty() && reader.Skip() && reader.Finish()) {
    out->append(valid);
  } else {
    out->push_back('"');
    AppendEscaped(out, valid);
    out->push_back('"');
  }
}

std::string* ObjectWriter::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  out_->push_back('"');
  out_->append(key);  // our own ASCII keys: nothing to escape
  out_->append("\":");
  return out_;
}

std::string* ObjectWriter::AnyKey(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendString(out_, key);
  out_->push_back(':');
  return out_;
}

void ObjectWriter::StringOrNull(std::string_view key, std::string_view value) {
  if (value.empty()) {
    Null(key);
  } else {
    String(key, value);
  }
}

void ObjectWriter::OptionalNumber(std::string_view key, const std::optional<double>& value) {
  if (value) {
    Number(key, *value);
  } else {
    Null(key);
  }
}

}  // namespace llmstream::json
