// Fuzz target for the CLI's --replay parser (platform/native/cli/recording.cpp): a recording file
// is untrusted input (shared in bug reports, crafted on purpose). Nothing may crash or read out of
// bounds (ASan + UBSan), and what parses must be safe to replay: every time finite and within
// kMaxRecordedMs (a nan or 1e12 time made the replay spin or sleep for ever), the retry and
// timeout settings within the command line's bounds, and the frames made of the input's bytes.
// A rejected input says which line.
//
// Run with limits, e.g.:
//   fuzz_recording -timeout=5 -rss_limit_mb=1024 -malloc_limit_mb=512 -max_total_time=60 \
//     CORPUS_DIR fuzz/corpus/fuzz_recording
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "cli/recording.h"

namespace {

using llmstream::cli::kMaxRecordedMs;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckTime(double ms) { Check(std::isfinite(ms) && ms >= 0 && ms <= kMaxRecordedMs); }

void CheckMs(int64_t ms) { Check(ms >= 0 && static_cast<double>(ms) <= kMaxRecordedMs); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  const std::optional<llmstream::cli::Recording> recording =
      llmstream::cli::ParseRecording(input, &error);
  if (!recording) {
    Check(error.rfind("line ", 0) == 0);
    return 0;
  }
  const llmstream::cli::RecordingHeader& header = recording->header;
  Check(header.retry.max_retries >= 0 && header.retry.max_retries <= 100);
  CheckMs(header.retry.base_delay_ms);
  CheckMs(header.retry.max_delay_ms);
  Check(std::isfinite(header.retry.jitter) && header.retry.jitter >= 0 && header.retry.jitter <= 1);
  CheckMs(header.timeouts.first_byte_ms);
  CheckMs(header.timeouts.idle_ms);
  CheckMs(header.timeouts.total_ms);
  if (header.request.max_tokens) Check(*header.request.max_tokens >= 1);
  if (header.request.temperature) {
    Check(std::isfinite(*header.request.temperature) && *header.request.temperature >= 0 &&
          *header.request.temperature <= 2);
  }
  size_t frame_bytes = 0;
  for (const llmstream::cli::RecordedAttempt& attempt : recording->attempts) {
    CheckTime(attempt.start_ms);
    if (attempt.response_ms) CheckTime(*attempt.response_ms);
    if (attempt.end_ms) CheckTime(*attempt.end_ms);
    Check(attempt.status >= 0 && attempt.status <= 999);
    for (const llmstream::cli::RecordedFrame& frame : attempt.frames) {
      CheckTime(frame.ms);
      frame_bytes += frame.bytes.size();
    }
  }
  Check(frame_bytes <= size);
  return 0;
}
