// libFuzzer target for the non-SSE framers (core/src/framing/: NDJSON, AWS event-stream,
// streamed JSON array). Input: byte 0 picks the framing, byte 1 the cap (a small one, so the
// limit paths run, or the default), byte 2 seeds the read sizes; the rest is the body. Checked on
// every input:
//   1. split invariance: whole, reads of 1..64 bytes from the seed (0-byte reads included) and
//      byte by byte give the same payloads, the same failure and the same Finish report;
//   2. the payloads equal those of the whole-buffer reference framer
//      (tests/support/reference_framing.cpp), failure and truncation included;
//   3. the heap peak stays linear in the input (fuzz/heap_budget.h).
// Each read is copied into its own heap buffer that is scribbled over after Feed, so a view the
// framer keeps into the caller's bytes shows up (ASan or a mismatch).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "framing/framer.h"
#include "heap_budget.h"
#include "support/reference_framing.h"

namespace {

using llmstream::Framing;
using llmstream::SseEvent;
using llmstream::SseSink;
using llmstream::testing::RefResult;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_framing: property violated: %s\n", what);
    std::abort();
  }
}

// Keeps a hash of the payload sequence, not the payloads: the split runs then cost no memory
// that the heap budget would have to allow for.
class HashSink final : public SseSink {
 public:
  void OnEvent(const SseEvent& event) override {
    for (const std::string_view part : {event.type, event.data, event.id}) {
      Mix(part);
      Mix(std::string_view("\0", 1));  // a separator no field can forge: "a" "" != "" "a"
    }
    ++count;
  }
  void Mix(std::string_view bytes) {
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    hash = (hash ^ bytes.size()) * 1099511628211ull;
  }
  uint64_t hash = 14695981039346656037ull;
  size_t count = 0;
};

struct Outcome {
  uint64_t hash;
  size_t count;
  bool failed, truncated;
  bool operator==(const Outcome&) const = default;
};

Outcome Run(Framing framing, std::string_view body, size_t max, uint32_t seed, int mode) {
  HashSink sink;
  auto framer = llmstream::framing::MakeFramer(framing, &sink, {.max_frame_bytes = max});
  size_t at = 0;
  uint32_t state = seed * 2654435761u + 1;
  while (at < body.size() && !framer->failed()) {
    size_t n = body.size() - at;
    if (mode == 1) {
      state = state * 1664525u + 1013904223u;
      n = std::min<size_t>(n, (state >> 24) % 65);  // 0..64
    } else if (mode == 2) {
      n = 1;
    }
    std::unique_ptr<char[]> read(new char[n + 1]);
    std::memcpy(read.get(), body.data() + at, n);
    framer->Feed(std::string_view(read.get(), n));
    std::memset(read.get(), 'Z', n);  // a view kept past Feed now reads garbage
    at += n;
  }
  Outcome out{};
  if (!framer->failed()) {
    const llmstream::framing::FramingEnd end = framer->Finish();
    out.truncated = end.partial_payload || end.unclosed;
  }
  out.failed = framer->failed();
  out.hash = sink.hash;
  out.count = sink.count;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  llmstream_fuzz::HeapBudget budget;
  static constexpr Framing kFramings[] = {Framing::kNdjson, Framing::kAwsEventStream,
                                          Framing::kJsonArray};
  const Framing framing = kFramings[data[0] % 3];
  // Small caps (1..256 bytes) half of the time: the limit paths; else the default.
  const size_t max =
      data[1] < 128 ? size_t{1} + (data[1] * 2u) : llmstream::FramingLimits{}.max_frame_bytes;
  const uint32_t seed = data[2];
  const std::string_view body(reinterpret_cast<const char*>(data) + 3, size - 3);

  const Outcome whole = Run(framing, body, max, seed, 0);
  Check(Run(framing, body, max, seed, 1) == whole, "random reads == whole");
  if (body.size() <= (64u << 10)) {
    Check(Run(framing, body, max, seed, 2) == whole, "1-byte reads == whole");
  }
  {
    const RefResult ref = llmstream::testing::ReferenceFrame(framing, body, max);
    HashSink ref_hash;
    for (const auto& p : ref.payloads) {
      SseEvent e;
      e.type = p.type;
      e.data = p.data;
      e.id = p.id;
      ref_hash.OnEvent(e);
    }
    Check(ref.failed == whole.failed, "failure == reference");
    Check(ref.truncated == whole.truncated, "truncation == reference");
    Check(ref_hash.count == whole.count && ref_hash.hash == whole.hash, "payloads == reference");
  }
  // The reference holds every payload (up to 3 strings each, up to ~3x the body after UTF-8
  // repair); the framers hold at most one payload. docs/testing.md has the measured worst.
  budget.Check("fuzz_framing", size, 64, 1 << 20);
  return 0;
}
