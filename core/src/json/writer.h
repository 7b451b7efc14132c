// The one JSON writer of the library (what goes to JS, the CLI's --json lines, metrics): strings
// are repaired to valid UTF-8 first (WHATWG replacement, as the SSE parser does), so the output
// always parses, whatever bytes a provider or an error page sent; numbers are the shortest form
// that reads back to the same double, and NaN / infinities become null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmstream::json {

// Appends `text` as a JSON string literal (quotes included).
void AppendString(std::string* out, std::string_view text);
void AppendNumber(std::string* out, double value);
void AppendInt(std::string* out, int64_t value);
// nullopt becomes null.
void AppendOptionalInt(std::string* out, const std::optional<int64_t>& value);
// Appends `text` verbatim when it is one valid JSON value, else as a JSON string.
void AppendValueOrString(std::string* out, std::string_view text);

// Appends `items` as a JSON array, each written by append_item(out, item).
template <typename Items, typename AppendItem>
void AppendArray(std::string* out, const Items& items, AppendItem append_item) {
  out->push_back('[');
  bool first = true;
  for (const auto& item : items) {
    if (!first) out->push_back(',');
    first = false;
    append_item(out, item);
  }
  out->push_back(']');
}

// Builds a JSON object one member at a time; the closing brace is written on destruction:
//   { ObjectWriter o(&out); o.Int("a", 1); AppendJson(o.Key("usage"), usage); }
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
  void String(std::string_view key, std::string_view value) { AppendString(Key(key), value); }
  // "" becomes null.
  void StringOrNull(std::string_view key, std::string_view value);
  void Int(std::string_view key, int64_t value) { AppendInt(Key(key), value); }
  void OptionalInt(std::string_view key, const std::optional<int64_t>& value) {
    AppendOptionalInt(Key(key), value);
  }
  void Number(std::string_view key, double value) { AppendNumber(Key(key), value); }
  // nullopt becomes null.
  void OptionalNumber(std::string_view key, const std::optional<double>& value);
  void Bool(std::string_view key, bool value) { Key(key)->append(value ? "true" : "false"); }
  void Null(std::string_view key) { Key(key)->append("null"); }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace llmstream::json
