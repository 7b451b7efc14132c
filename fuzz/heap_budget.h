// Per-input heap budget for the fuzz targets (header only; include it in one fuzz_*.cpp).
//
// libFuzzer's own limits are absolute: -malloc_limit_mb catches one huge allocation and
// -rss_limit_mb a process that grew past it (with ASan's shadow and quarantine, RSS starts in the
// hundreds of MiB). Neither sees a 1 MiB input whose handling peaks at 7 MiB instead of 1: a
// constant-factor blow-up (an extra copy per stage) stays far below both. So the targets measure
// the peak of live heap bytes while one input runs, through the sanitizer allocator's hooks, and
// check it against a budget linear in the input size:
//
//   llmstream_fuzz::HeapBudget budget;             // at the start of LLVMFuzzerTestOneInput
//   ...
//   budget.Check("fuzz_x", size, /*per_input_byte=*/8, /*fixed=*/4 << 20);
//
// Each target picks per_input_byte from what its invariants hold (copies it makes itself count
// too) with room for the legitimate worst case; docs/testing.md says how they were chosen.
#pragma once

#include <sanitizer/allocator_interface.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace llmstream_fuzz {

namespace heap_budget_internal {

inline std::atomic<long long> live{0};
inline std::atomic<long long> peak{0};

inline void OnMalloc(const volatile void* ptr, size_t size) {
  (void)ptr;
  const long long now = live.fetch_add(static_cast<long long>(size), std::memory_order_relaxed) +
                        static_cast<long long>(size);
  long long seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

inline void OnFree(const volatile void* ptr) {
  // The hook runs before the chunk is released, so its size is still known.
  if (ptr == nullptr || !__sanitizer_get_ownership(const_cast<const void*>(ptr))) return;
  live.fetch_sub(
      static_cast<long long>(__sanitizer_get_allocated_size(const_cast<const void*>(ptr))),
      std::memory_order_relaxed);
}

struct Installer {
  Installer() { __sanitizer_install_malloc_and_free_hooks(OnMalloc, OnFree); }
};
inline Installer installer;

}  // namespace heap_budget_internal

class HeapBudget {
 public:
  HeapBudget() {
    start_ = heap_budget_internal::live.load(std::memory_order_relaxed);
    heap_budget_internal::peak.store(start_, std::memory_order_relaxed);
  }

  // Peak live heap bytes since construction, above what was live then.
  long long Peak() const {
    return heap_budget_internal::peak.load(std::memory_order_relaxed) - start_;
  }

  // Aborts when the peak passed per_input_byte * input_size + fixed bytes.
  void Check(const char* target, size_t input_size, long long per_input_byte,
             long long fixed) const {
    const long long budget = per_input_byte * static_cast<long long>(input_size) + fixed;
    const long long peak = Peak();
    if (peak > budget) {
      std::fprintf(stderr,
                   "%s: heap budget exceeded: peak %lld bytes live for a %zu-byte input "
                   "(budget %lld = %lld per input byte + %lld)\n",
                   target, peak, input_size, budget, per_input_byte, fixed);
      std::abort();
    }
    if (std::getenv("LLMSTREAM_FUZZ_HEAP_REPORT") != nullptr) {
      std::fprintf(stderr, "%s: heap peak %lld bytes for %zu input bytes (%.2f per byte)\n", target,
                   peak, input_size,
                   input_size == 0 ? 0.0 : static_cast<double>(peak) / input_size);
    }
  }

 private:
  long long start_ = 0;
};

}  // namespace llmstream_fuzz
