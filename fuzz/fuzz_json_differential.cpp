// Differential fuzzer: json::Reader (walked into a nlohmann value, in every walk style, and as a
// bare Skip) against nlohmann::json::parse. They must agree on accept/reject and on the value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "../tests/support/json_walk.h"
#include "json/arena.h"
#include "json/reader.h"

namespace {

using llmstream::json::Arena;
using llmstream::json::Reader;
using llmstream::testing::WalkJson;
using llmstream::testing::WalkOutcome;
using llmstream::testing::WalkResult;
using llmstream::testing::WalkStyle;

[[noreturn]] void Mismatch(std::string_view text, const char* what, const WalkResult& walked) {
  std::fprintf(stderr,
               "MISMATCH (%s) on %zu bytes: [%.*s]\nreader: outcome %d, error '%s' at %zu\n", what,
               text.size(), static_cast<int>(text.size()), text.data(),
               static_cast<int>(walked.outcome), walked.error.c_str(), walked.error_offset);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The SSE layer hands the reader valid UTF-8 only; nlohmann skips a BOM (a documented
  // difference), so neither kind of input says anything about the reader.
  if (!llmstream::testing::IsValidUtf8(text)) return 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return 0;

  const nlohmann::json expected = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  const bool nlohmann_accepts = !expected.is_discarded();

  bool walk_accepts = false;
  bool overflow = false;
  bool too_deep = false;
  for (WalkStyle style : {WalkStyle::kGetters, WalkStyle::kRaw, WalkStyle::kProbing}) {
    WalkResult walked = WalkJson(text, style);
    if (walked.outcome == WalkOutcome::kTooDeep) {
      too_deep = true;  // nlohmann has no limit: no verdict
      continue;
    }
    const bool accepted = walked.outcome == WalkOutcome::kAccepted;
    walk_accepts = accepted;
    overflow = walked.error == "number overflows a double";
    if (accepted == nlohmann_accepts) {
      if (accepted && walked.value != expected) Mismatch(text, "different values", walked);
      continue;
    }
    // nlohmann stops reading at a NUL byte ("{}\0junk" passes there); the reader does not.
    if (!accepted && walked.error_offset < text.size() && text[walked.error_offset] == '\0') {
      WalkResult prefix = WalkJson(text.substr(0, walked.error_offset), style);
      if (prefix.outcome == WalkOutcome::kAccepted && prefix.value == expected) continue;
    }
    Mismatch(text,
             accepted ? "reader accepts, nlohmann rejects" : "reader rejects, nlohmann accepts",
             walked);
  }

  // Skip validates exactly the grammar: what the walk accepts, plus texts with overflowing numbers.
  Arena arena;
  Reader skipper(text, &arena);
  std::string_view raw;
  const bool skip_accepts = skipper.SkipRaw(&raw) && skipper.Finish();
  if (too_deep) {
    if (skip_accepts || skipper.error_message() != Reader::kTooDeepError) {
      WalkResult none;
      Mismatch(text, "Skip disagrees with the walk on the depth limit", none);
    }
    return 0;
  }
  // (After an overflowing number the walk stops, so Skip may still find a later syntax error.)
  if (walk_accepts ? !skip_accepts : (skip_accepts && !overflow)) {
    WalkResult none;
    none.error = std::string(skipper.error_message());
    none.error_offset = skipper.error_offset();
    Mismatch(text, "Skip disagrees with the walk", none);
  }
  if (skip_accepts) {
    // SkipRaw returns the value without the surrounding whitespace.
    size_t first = text.find_first_not_of(" \t\r\n");
    size_t last = text.find_last_not_of(" \t\r\n");
    if (raw != text.substr(first, last - first + 1)) {
      WalkResult none;
      Mismatch(text, "SkipRaw returned the wrong extent", none);
    }
  }
  return 0;
}
