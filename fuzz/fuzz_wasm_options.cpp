// Fuzz target for the wasm module's options parser (platform/wasm/options.cpp,
// ParseSessionOptions): the JSON the npm package hands over for every session. It is plain C++
// (nlohmann without exceptions), so it is fuzzed natively. The input is the JSON text.
// Invariants:
//   1. no crash, abort or undefined behaviour (ASan + UBSan: a number outside a field's type is
//      an error, never a float-to-integer overflow, also at exactly 2^63 and 2^64), linear time
//      (the per-input timeout; an object of more than 1,024 keys is refused before it is built);
//   2. a bad document or value is an error value: false, kInvalidRequest and a message that names
//      the options ("options.<key> must be ..." or "the options ...");
//   3. what is accepted is within the documented ranges: n 1..128, maxRetries 0..100, delays,
//      timeouts and maxCompletionBytes >= 0, retryJitter 0..1;
//   4. parsing is a function of the text: a second parse gives the same error or the same values;
//   5. peak live heap within a budget linear in the input (heap_budget.h).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "heap_budget.h"
#include "options.h"

namespace {

// Measured worst case: ~250 bytes per input byte for "messages":[{},{},...] (a Message of six
// strings and a vector per three input bytes, plus nlohmann's DOM); dense arrays of numbers or
// strings 30-65.
constexpr long long kHeapPerInputByte = 512;
constexpr long long kHeapFixed = 256 << 10;

void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_wasm_options: %s: %.*s\n", what,
                 static_cast<int>(detail.size() < 300 ? detail.size() : 300), detail.data());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const llmstream_fuzz::HeapBudget budget;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  llmstream::SessionOptions options;
  llmstream::Error error;
  const bool ok = llmstream::wasm::ParseSessionOptions(json, &options, &error);
  if (!ok) {
    Check(error.code == llmstream::ErrorCode::kInvalidRequest,
          "an error that is not kInvalidRequest", error.message);
    Check(error.message.rfind("options.", 0) == 0 || error.message.rfind("the options", 0) == 0,
          "an error message that does not name the options", error.message);
  } else {
    Check(!error, "an error set on success", error.message);
    Check(options.request.n >= 1 && options.request.n <= 128, "n out of range");
    Check(options.retry.max_retries >= 0 && options.retry.max_retries <= 100,
          "maxRetries out of range");
    Check(options.retry.base_delay_ms >= 0 && options.retry.max_delay_ms >= 0,
          "a negative retry delay");
    Check(std::isfinite(options.retry.jitter) && options.retry.jitter >= 0 &&
              options.retry.jitter <= 1,
          "retryJitter out of range");
    Check(options.timeouts.first_byte_ms >= 0 && options.timeouts.idle_ms >= 0 &&
              options.timeouts.total_ms >= 0 && options.timeouts.output_idle_ms >= 0,
          "a negative timeout");
  }

  llmstream::SessionOptions again;
  llmstream::Error again_error;
  const bool again_ok = llmstream::wasm::ParseSessionOptions(json, &again, &again_error);
  Check(again_ok == ok && again_error.message == error.message, "a second parse differs");
  if (ok) {
    Check(again.provider.api_key == options.provider.api_key &&
              again.request.model == options.request.model &&
              again.request.messages.size() == options.request.messages.size() &&
              again.request.tools.size() == options.request.tools.size() &&
              again.random_seed == options.random_seed &&
              again.retry.max_retries == options.retry.max_retries,
          "a second parse gives other values");
  }
  budget.Check("fuzz_wasm_options", size, kHeapPerInputByte, kHeapFixed);
  return 0;
}
