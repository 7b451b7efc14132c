// Test helper (header-only, shared by tests/ and fuzz/): walks a whole JSON text with
// json::Reader and builds the nlohmann::json value it describes, so that the fast reader can be
// compared with nlohmann::json::parse on any input.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "json/arena.h"
#include "json/escape.h"
#include "json/reader.h"

namespace llmstream::testing {

enum class WalkOutcome {
  kAccepted,  // valid JSON; `value` holds it
  kRejected,  // invalid JSON (or a number nlohmann rejects: one that overflows a double)
  kTooDeep,   // nested deeper than Reader::kMaxDepth; nlohmann has no limit, so no verdict
};

// Which Reader entry points the walk uses, so one text exercises all of them.
enum class WalkStyle {
  kGetters,  // GetString / GetInt / GetDouble / GetBool / GetNull
  kRaw,      // GetRawString + Unescape, SkipRaw + a second Reader for numbers and literals
  kProbing,  // like kGetters, but first tries every getter of another type and checks that it
             // returns false without consuming or failing (aborts otherwise)
};

struct WalkResult {
  WalkOutcome outcome = WalkOutcome::kRejected;
  nlohmann::json value;
  std::string error;  // why it was rejected
  size_t error_offset = 0;
};

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF).
inline bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p++;
    if (c < 0x80) continue;
    int pending;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      pending = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      pending = 2;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      pending = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    for (; pending > 0; --pending) {
      if (p == end || *p < low || *p > high) return false;
      ++p;
      low = 0x80;
      high = 0xBF;
    }
  }
  return true;
}

namespace walk_detail {

[[noreturn]] inline void Die(const char* what) {
  std::fprintf(stderr, "json_walk: %s\n", what);
  std::abort();
}

// A non-negative integer text (no sign, fraction or exponent) that fits uint64_t.
inline bool ParseUnsigned(std::string_view raw, uint64_t* out) {
  if (raw.find_first_of("-.eE") != std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), *out);
  return ec == std::errc() && end == raw.data() + raw.size();
}

// The value of a number text the way nlohmann types it: int64 when it fits, else uint64 for a
// non-negative integer that fits, else double. False when it overflows a double.
inline bool NumberFromRaw(std::string_view raw, nlohmann::json* out) {
  json::Arena arena;
  json::Reader sub(raw, &arena);
  int64_t integer;
  if (sub.GetInt(&integer)) {
    *out = integer;
    return true;
  }
  uint64_t unsigned_value;
  if (ParseUnsigned(raw, &unsigned_value)) {
    *out = unsigned_value;
    return true;
  }
  double real;
  if (!sub.GetDouble(&real)) return false;
  if (!sub.Finish()) Die("number text from SkipRaw did not parse as one number");
  *out = real;
  return true;
}

inline void ExpectMismatch(json::Reader& reader, bool returned, const char* getter) {
  if (returned || reader.failed()) {
    std::fprintf(stderr, "json_walk: %s on another type returned %d, failed=%d\n", getter, returned,
                 reader.failed());
    std::abort();
  }
}

// Calls every getter that does not match `type`; none may succeed or fail the reader.
inline void Probe(json::Reader& reader, json::ValueType type) {
  using json::ValueType;
  std::string_view text;
  int64_t integer;
  double real;
  bool boolean;
  if (type != ValueType::kString) {
    ExpectMismatch(reader, reader.GetString(&text), "GetString");
    ExpectMismatch(reader, reader.GetRawString(&text), "GetRawString");
  }
  if (type != ValueType::kNumber) {
    ExpectMismatch(reader, reader.GetInt(&integer), "GetInt");
    ExpectMismatch(reader, reader.GetDouble(&real), "GetDouble");
  }
  if (type != ValueType::kBool) ExpectMismatch(reader, reader.GetBool(&boolean), "GetBool");
  if (type != ValueType::kNull) ExpectMismatch(reader, reader.GetNull(), "GetNull");
  if (type != ValueType::kObject) ExpectMismatch(reader, reader.BeginObject(), "BeginObject");
  if (type != ValueType::kArray) ExpectMismatch(reader, reader.BeginArray(), "BeginArray");
  if (reader.Peek() != type) Die("Peek changed after mismatching getters");
}

}  // namespace walk_detail

// Walks `text` completely (the top-level value, then Finish). Iterative, like the Reader.
inline WalkResult WalkJson(std::string_view text, WalkStyle style = WalkStyle::kGetters) {
  using json::ValueType;
  WalkResult result;
  json::Arena arena;
  json::Reader reader(text, &arena);
  std::vector<nlohmann::json*> open;  // containers being filled, innermost last
  std::string number_error;

  // Reads the value the reader is positioned at into *target (containers are only opened).
  auto read_value = [&](nlohmann::json* target) -> bool {
    ValueType type = reader.Peek();
    if (style == WalkStyle::kProbing && type != ValueType::kInvalid) {
      walk_detail::Probe(reader, type);
    }
    std::string_view text_value;
    switch (type) {
      case ValueType::kObject:
        if (!reader.BeginObject()) return false;
        *target = nlohmann::json::object();
        open.push_back(target);
        return true;
      case ValueType::kArray:
        if (!reader.BeginArray()) return false;
        *target = nlohmann::json::array();
        open.push_back(target);
        return true;
      case ValueType::kString:
        if (style == WalkStyle::kRaw) {
          std::string_view raw;
          if (!reader.GetRawString(&raw)) return false;
          if (!json::Unescape(raw, &arena, &text_value))
            walk_detail::Die("Unescape rejected a raw string");
        } else if (!reader.GetString(&text_value)) {
          return false;
        }
        *target = std::string(text_value);
        return true;
      case ValueType::kNumber: {
        if (style != WalkStyle::kRaw) {
          int64_t integer;
          if (reader.GetInt(&integer)) {
            *target = integer;
            return true;
          }
          if (reader.failed()) return false;
        }
        // Look ahead on a copy for the number's text (nlohmann's typing depends on it).
        json::Reader lookahead = reader;
        std::string_view raw;
        if (!lookahead.SkipRaw(&raw) || style == WalkStyle::kRaw) {
          reader = lookahead;
          if (reader.failed()) return false;
          if (!walk_detail::NumberFromRaw(raw, target)) {
            number_error = "number overflows a double";
            return false;
          }
          return true;
        }
        uint64_t unsigned_value;
        if (walk_detail::ParseUnsigned(raw, &unsigned_value)) {
          *target = unsigned_value;
          return reader.Skip();
        }
        double real;
        if (!reader.GetDouble(&real)) {
          if (!reader.failed()) number_error = "number overflows a double";
          return false;
        }
        *target = real;
        return true;
      }
      case ValueType::kBool: {
        if (style == WalkStyle::kRaw) {
          std::string_view raw;
          if (!reader.SkipRaw(&raw)) return false;
          if (raw != "true" && raw != "false") walk_detail::Die("SkipRaw of a bool");
          *target = raw == "true";
          return true;
        }
        bool boolean;
        if (!reader.GetBool(&boolean)) return false;
        *target = boolean;
        return true;
      }
      case ValueType::kNull:
        if (style == WalkStyle::kRaw) {
          std::string_view raw;
          if (!reader.SkipRaw(&raw)) return false;
          if (raw != "null") walk_detail::Die("SkipRaw of null");
        } else if (!reader.GetNull()) {
          return false;
        }
        *target = nullptr;
        return true;
      case ValueType::kInvalid:
        if (reader.Skip()) walk_detail::Die("Skip accepted a value Peek called invalid");
        return false;
    }
    return false;
  };

  bool ok = read_value(&result.value);
  while (ok && !open.empty()) {
    nlohmann::json* container = open.back();
    if (container->is_object()) {
      std::string_view key;
      if (reader.NextField(&key)) {
        // operator[] keeps the last of duplicate keys, like nlohmann's own parser.
        ok = read_value(&(*container)[std::string(key)]);
        continue;
      }
    } else if (reader.NextElement()) {
      container->push_back(nullptr);
      ok = read_value(&container->back());
      continue;
    }
    if (reader.failed()) ok = false;
    open.pop_back();
  }
  if (ok) ok = reader.Finish();
  if (ok) {
    result.outcome = WalkOutcome::kAccepted;
    return result;
  }
  result.value = nullptr;
  if (!number_error.empty()) {
    result.error = number_error;
    return result;
  }
  if (!reader.failed()) walk_detail::Die("walk stopped without an error");
  result.error = std::string(reader.error_message());
  result.error_offset = reader.error_offset();
  if (reader.error_message() == json::Reader::kTooDeepError) result.outcome = WalkOutcome::kTooDeep;
  return result;
}

}  // namespace llmstream::testing
