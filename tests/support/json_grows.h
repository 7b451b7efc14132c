// The monotonic rule of partial JSON snapshots, as a test oracle (PartialJson, PartialObjects).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace llmstream::testing {

// True when `later` could be `earlier` after more text arrived: every member/element of
// `earlier` is still there, all but the last unchanged; the last may have grown (a longer string,
// a container with more in it).
inline bool GrowsInto(const nlohmann::ordered_json& earlier, const nlohmann::ordered_json& later,
                      bool is_last = true) {
  if (earlier.type() != later.type()) return false;
  if (!is_last) return earlier == later;
  if (earlier.is_string()) {
    return later.get<std::string>().rfind(earlier.get<std::string>(), 0) == 0;
  }
  if (earlier.is_array()) {
    if (earlier.size() > later.size()) return false;
    for (size_t i = 0; i < earlier.size(); ++i) {
      if (!GrowsInto(earlier[i], later[i], i + 1 == earlier.size())) return false;
    }
    return true;
  }
  if (earlier.is_object()) {
    if (earlier.size() > later.size()) return false;
    auto e = earlier.items().begin();
    auto l = later.items().begin();
    for (size_t i = 0; i < earlier.size(); ++i, ++e, ++l) {
      if (e.key() != l.key()) return false;
      if (!GrowsInto(e.value(), l.value(), i + 1 == earlier.size())) return false;
    }
    return true;
  }
  return earlier == later;
}

}  // namespace llmstream::testing
