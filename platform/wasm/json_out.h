// A minimal JSON writer for the wasm boundary's cold payloads (side JSON, results, errors).
// Strings are repaired to valid UTF-8 first (WHATWG replacement, as the SSE parser does), so the
// text always parses in JS, whatever bytes a provider or an error page sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/error.h"
#include "llmstream/request.h"
#include "llmstream/usage.h"

namespace llmstream::wasm {

// Appends `text` as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, std::string_view text);
// Appends a number; NaN and infinities become null.
void AppendJsonNumber(std::string* out, double value);
void AppendJsonInt(std::string* out, int64_t value);
void AppendJsonOptionalInt(std::string* out, const std::optional<int64_t>& value);
// Appends `text` verbatim when it is one valid JSON value, else as a JSON string.
void AppendJsonValueOrString(std::string* out, std::string_view text);

// Builds a JSON object one member at a time; the closing brace is written on destruction:
//   { ObjectWriter o(&out); o.Int("a", 1); AppendUsageJson(o.Key("usage"), usage); }
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  ~ObjectWriter() { out_->push_back('}'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Starts a member and returns where its value goes. Key: one of our own ASCII names (written
  // as is); AnyKey: any text (escaped).
  std::string* Key(std::string_view key);
  std::string* AnyKey(std::string_view key);
  void String(std::string_view key, std::string_view value) { AppendJsonString(Key(key), value); }
  // "" becomes null.
  void StringOrNull(std::string_view key, std::string_view value);
  void Int(std::string_view key, int64_t value) { AppendJsonInt(Key(key), value); }
  void OptionalInt(std::string_view key, const std::optional<int64_t>& value) {
    AppendJsonOptionalInt(Key(key), value);
  }
  void Number(std::string_view key, double value) { AppendJsonNumber(Key(key), value); }
  void Bool(std::string_view key, bool value) { Key(key)->append(value ? "true" : "false"); }
  void Null(std::string_view key) { Key(key)->append("null"); }

 private:
  std::string* out_;
  bool first_ = true;
};

// The shapes the JS chunks use (npm/src/core/README.md).
// {code, message, status, providerType, retryAfterMs}; code is ErrorCodeName.
void AppendErrorJson(std::string* out, const Error& error);
// {promptTokens, completionTokens, totalTokens, cachedTokens, cacheWriteTokens, reasoningTokens,
//  estimated}; unknown counts are null, totalTokens is always a number.
void AppendUsageJson(std::string* out, const Usage& usage);
// {totalUsd, inputUsd, cachedInputUsd, cacheWriteUsd, outputUsd, source, priceDate}
void AppendCostJson(std::string* out, const Cost& cost);
// The assembled completion (see the README for the shape).
void AppendCompletionJson(std::string* out, const Completion& completion);
// {method, url, headers: [[name, value], ...], body}
void AppendHttpRequestJson(std::string* out, const HttpRequest& request);

}  // namespace llmstream::wasm
