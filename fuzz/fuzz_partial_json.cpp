// PartialJson fuzzer: the input (after one seed byte) is appended in pieces. Every Snapshot must
// parse with nlohmann, incremental snapshots must equal those of the same prefix appended at
// once, and at the end complete() must agree with nlohmann (and with json::Reader) on the text.
// A snapshot is the whole text so far, so checking one per piece is quadratic in the input: the
// checks stop being made at every piece once they have looked at kCheckBytesPerByte bytes per
// input byte, and from then on are made at every 2nd, 4th, 8th ... piece (the stride doubles each
// time that much more was checked), so a large input costs O(n log n) of checks and the
// per-input time limit is left to the code under test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "../tests/support/json_walk.h"
#include "llmstream/partial_json.h"

namespace {

[[noreturn]] void Fail(std::string_view text, const char* what, std::string_view detail) {
  std::fprintf(stderr, "MISMATCH (%s) on [%.*s]: [%.*s]\n", what, static_cast<int>(text.size()),
               text.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

constexpr size_t kCheckBytesPerByte = 4;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint32_t rng = 0x9E3779B9u ^ data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!llmstream::testing::IsValidUtf8(text)) return 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return 0;  // nlohmann skips a BOM; we do not
  const size_t max_piece = 1 + (data[0] & 0x0F);

  llmstream::PartialJson partial;
  size_t at = 0;
  const size_t check_allowance = kCheckBytesPerByte * text.size() + 4096;
  size_t checked = 0;  // snapshot bytes checked since the stride last changed
  size_t stride = 1;   // check every stride-th piece
  size_t pieces = 0;
  while (at < text.size()) {
    rng = rng * 1664525u + 1013904223u;
    size_t piece = (rng >> 16) % (max_piece + 1);  // 0 allowed: empty fragments
    if (piece > text.size() - at) piece = text.size() - at;
    partial.Append(text.substr(at, piece));
    at += piece;
    if (++pieces % stride != 0 && at < text.size()) continue;
    checked += at;
    if (checked > check_allowance) {
      stride *= 2;
      checked = 0;
    }
    const std::string snapshot = partial.Snapshot();
    if (!snapshot.empty() && !nlohmann::json::accept(snapshot)) {  // no DOM: cheaper
      Fail(text.substr(0, at), "snapshot does not parse", snapshot);
    }
    if (((rng >> 8) & 7) == 0) {  // sometimes: same as appending the prefix at once
      checked += at;
      llmstream::PartialJson whole;
      whole.Append(text.substr(0, at));
      if (whole.Snapshot() != snapshot || whole.failed() != partial.failed() ||
          whole.complete() != partial.complete()) {
        Fail(text.substr(0, at), "fragmented differs from whole", snapshot);
      }
    }
  }
  if (partial.text() != text) Fail(text, "text() lost bytes", partial.text());

  const nlohmann::json expected = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  bool nlohmann_accepts = !expected.is_discarded();
  if (partial.complete() != nlohmann_accepts) {
    // nlohmann stops reading at a NUL byte; PartialJson does not (a documented difference).
    const size_t offset = partial.error_offset();
    const bool nul_quirk =
        partial.failed() && nlohmann_accepts && offset < text.size() && text[offset] == '\0';
    if (!nul_quirk) Fail(text, "complete() disagrees with nlohmann", partial.Snapshot());
    nlohmann_accepts = false;
  }
  if (partial.failed() && nlohmann_accepts) Fail(text, "failed() but nlohmann accepts", "");
  if (partial.complete() && nlohmann::json::parse(partial.Snapshot(), nullptr, false) != expected) {
    Fail(text, "complete snapshot differs from the full parse", partial.Snapshot());
  }
  // The Reader (when within its depth limit) agrees too.
  llmstream::testing::WalkResult walked = llmstream::testing::WalkJson(text);
  if (walked.outcome != llmstream::testing::WalkOutcome::kTooDeep &&
      (walked.outcome == llmstream::testing::WalkOutcome::kAccepted) != partial.complete()) {
    Fail(text, "Reader and PartialJson disagree", walked.error);
  }
  return 0;
}
