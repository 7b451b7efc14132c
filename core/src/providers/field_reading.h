// Small readers every dialect uses on provider JSON: lenient field reads (a null or a value of an
// unexpected type is not an error, only malformed JSON is), whitespace trimming of raw JSON, and
// the one way unknown fields become metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "json/reader.h"
#include "providers/metadata_tracker.h"
#include "stream/emitter.h"

namespace llmstream::providers {

// True when `text` is exactly one JSON value (whitespace around it allowed).
inline bool IsValidJson(std::string_view text, json::Arena* arena) {
  json::Reader reader(text, arena);
  return reader.Skip() && reader.Finish();
}

// A payload that should be JSON and is not: its content cannot be read, so the stream ends with
// kBadJson (keeping what came before) rather than going on with a hole that would look like a
// clean success. `what` names the payload ("chunk", "event data").
inline void EmitBadJson(std::string_view what, std::string_view data, Emitter& out) {
  Error error;
  error.code = ErrorCode::kBadJson;
  error.message.assign(what);
  error.message.append(" is not valid JSON: ");
  error.message.append(data.substr(0, 120));
  if (data.size() > 120) error.message.append("...");
  out.EmitError(std::move(error));
}

// Anthropic pads data lines with spaces after the JSON; raw JSON passed on should not carry them.
inline std::string_view TrimJsonSpace(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// A string field; null or another type leaves `out` as it was. False only on malformed JSON.
inline bool ReadString(json::Reader& reader, std::string_view* out) {
  return reader.GetString(out) || reader.Skip();
}

// An integer field; null or another type leaves `out` as it was. False only on malformed JSON.
inline bool ReadInt(json::Reader& reader, int64_t* out) {
  return reader.GetInt(out) || reader.Skip();
}

// Passes the field `prefix` + `key` on as metadata (through `tracker`, so a value repeated on
// every chunk is emitted once): strings unescaped, anything else as raw JSON. A null says nothing
// and is dropped. `scratch` builds the prefixed key. False only on malformed JSON.
inline bool PassThroughField(json::Reader& reader, std::string_view key, std::string_view prefix,
                             uint32_t choice, MetadataTracker& tracker, Emitter& out,
                             std::string* scratch) {
  if (reader.GetNull()) return true;
  const json::ValueType type = reader.Peek();
  std::string_view value;
  if (type == json::ValueType::kString) {
    if (!reader.GetString(&value)) return false;
  } else if (!reader.SkipRaw(&value)) {
    return false;
  }
  std::string_view name = key;
  if (!prefix.empty()) {
    scratch->assign(prefix);
    scratch->append(key);
    name = out.Copy(*scratch);
  }
  tracker.Update(name, value,
                 type == json::ValueType::kString ? MetadataFormat::kString : MetadataFormat::kJson,
                 out, choice);
  return true;
}

}  // namespace llmstream::providers
