#include "relay/js_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "json/arena.h"
#include "json/escape.h"
#include "json/reader.h"
#include "json/writer.h"

namespace llmstream::relay {
namespace {

// An array index as ECMAScript orders object keys: "0" or a digit string without a leading zero,
// below 2^32 - 1.
bool IsArrayIndex(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value < 4294967295u;
}

// The value of a key IsArrayIndex accepted (a sort comparator calls it: no allocation).
uint64_t IndexOf(std::string_view key) {
  uint64_t value = 0;
  std::from_chars(key.data(), key.data() + key.size(), value);
  return value;
}

class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view json) : reader_(json, &arena_) {}

  bool Run(std::string* out) {
    if (!Value(out)) return false;
    return reader_.Finish();
  }

 private:
  struct Member {
    std::string_view key;
    size_t begin = 0;  // the member's "key":value in the output
    size_t end = 0;
  };

  bool Value(std::string* out) {
    switch (reader_.Peek()) {
      case json::ValueType::kNull:
        out->append("null");
        return reader_.GetNull();
      case json::ValueType::kBool: {
        bool b = false;
        if (!reader_.GetBool(&b)) return false;
        out->append(b ? "true" : "false");
        return true;
      }
      case json::ValueType::kNumber: {
        double d = 0;
        if (reader_.GetDouble(&d)) {
          AppendJsNumber(out, d);
          return true;
        }
        // Past a double's range: JSON.parse gives an infinity, which JSON.stringify writes null.
        out->append("null");
        return reader_.Skip();
      }
      case json::ValueType::kString: {
        std::string_view s;
        if (!reader_.GetString(&s)) return false;
        json::AppendString(out, s);
        return true;
      }
      case json::ValueType::kArray: {
        if (!reader_.BeginArray()) return false;
        out->push_back('[');
        bool first = true;
        while (reader_.NextElement()) {
          if (!first) out->push_back(',');
          first = false;
          if (!Value(out)) return false;
        }
        out->push_back(']');
        return !reader_.failed();
      }
      case json::ValueType::kObject:
        return Object(out);
      default:
        return false;
    }
  }

  bool Object(std::string* out) {
    if (!reader_.BeginObject()) return false;
    const size_t start = out->size();
    out->push_back('{');
    std::vector<Member> members;
    bool reorder = false;
    std::string_view key;
    while (reader_.NextField(&key)) {
      if (!members.empty()) out->push_back(',');
      Member m{key, out->size(), 0};
      json::AppendString(out, key);
      out->push_back(':');
      if (!Value(out)) return false;
      m.end = out->size();
      reorder = reorder || IsArrayIndex(key);
      members.push_back(m);
    }
    if (reader_.failed()) return false;
    out->push_back('}');
    if (members.size() > 1 && (reorder || HasRepeatedKey(members))) Rebuild(out, start, members);
    return true;
  }

  static bool HasRepeatedKey(const std::vector<Member>& members) {
    if (members.size() < 8) {
      for (size_t i = 0; i < members.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (members[i].key == members[j].key) return true;
        }
      }
      return false;
    }
    std::unordered_map<std::string_view, size_t> seen;
    for (const Member& m : members) {
      if (!seen.emplace(m.key, 0).second) return true;
    }
    return false;
  }

  // Rewrites the object at out[start..] in JSON.parse's order: array-index keys ascending, then
  // the others in first-appearance order; a repeated key keeps its first place and last value.
  static void Rebuild(std::string* out, size_t start, const std::vector<Member>& members) {
    const std::string text = out->substr(start);
    std::unordered_map<std::string_view, size_t> last;  // key -> the member holding its value
    std::vector<size_t> order;                          // first appearances
    for (size_t i = 0; i < members.size(); ++i) {
      auto [it, fresh] = last.emplace(members[i].key, i);
      if (fresh) {
        order.push_back(i);
      } else {
        it->second = i;
      }
    }
    std::stable_partition(order.begin(), order.end(),
                          [&](size_t i) { return IsArrayIndex(members[i].key); });
    const auto index_end = std::find_if(order.begin(), order.end(),
                                        [&](size_t i) { return !IsArrayIndex(members[i].key); });
    std::sort(order.begin(), index_end, [&](size_t a, size_t b) {
      return IndexOf(members[a].key) < IndexOf(members[b].key);
    });
    out->resize(start);
    out->push_back('{');
    bool first = true;
    for (size_t i : order) {
      const Member& m = members[last[members[i].key]];
      if (!first) out->push_back(',');
      first = false;
      out->append(text, m.begin - start, m.end - m.begin);
    }
    out->push_back('}');
  }

  json::Arena arena_;
  json::Reader reader_;
};

// The shortest decimal digits that read back to `value` (> 0, finite), the nearest of them when
// several do, as ECMAScript's Number::toString picks them; returns the decimal exponent of the
// first digit (value = d.ddd * 10^exponent).
int ShortestDigits(double value, std::string* digits) {
  char buffer[64];
  std::string_view sci;
#if defined(__cpp_lib_to_chars)
  // Ryu (libstdc++): exactly that.
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  sci = std::string_view(buffer, static_cast<size_t>(result.ptr - buffer));
#else
  // A libc++ without floating-point to_chars (emscripten's): the fewest correctly rounded
  // digits that read back. Differs from the above only where the nearest decimal of that length
  // misses the value's (asymmetric) interval at a power of two and a farther one does not.
  for (int precision = 0; precision < 17; ++precision) {
    const int n = std::snprintf(buffer, sizeof(buffer), "%.*e", precision, value);
    sci = std::string_view(buffer, static_cast<size_t>(n));
    if (std::strtod(buffer, nullptr) == value) break;
  }
#endif
  const size_t e_at = sci.find('e');
  for (char c : sci.substr(0, e_at)) {
    if (c != '.') digits->push_back(c);
  }
  return std::atoi(std::string(sci.substr(e_at + 1)).c_str());
}

}  // namespace

void AppendJsNumber(std::string* out, double value) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  if (value == 0) {
    out->push_back('0');
    return;
  }
  if (value < 0) {
    out->push_back('-');
    value = -value;
  }
  std::string digits;
  const int exponent = ShortestDigits(value, &digits);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out->append(digits);
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, 0, static_cast<size_t>(n));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->push_back('e');
    out->push_back(n - 1 < 0 ? '-' : '+');
    out->append(std::to_string(std::abs(n - 1)));
  }
}

bool AppendCanonicalJson(std::string* out, std::string_view json) {
  const size_t size = out->size();
  Canonicalizer canonicalizer(json);
  if (canonicalizer.Run(out)) return true;
  out->resize(size);
  return false;
}

void AppendCanonicalValueOrString(std::string* out, std::string_view text) {
  if (!text.empty() && AppendCanonicalJson(out, text)) return;
  json::AppendString(out, text);
}

}  // namespace llmstream::relay
