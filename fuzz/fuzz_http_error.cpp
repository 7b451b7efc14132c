// Fuzz target for HTTP error parsing (llmstream/http_error.h): ClassifyHttpError, RetryAfterMs,
// ShouldRetryHeader / ShouldRetryStatus, ParseRateLimitHeaders and the date / duration parsers.
// Input: byte 0 picks the provider (low 3 bits), the API key (next 2 bits), whether
// ClassifyHttpError is told the key (bit 5) and whether "now" sits at an int64 extreme (bit 6;
// bit 7: the top one), byte 1 the status, bytes 2-7 "now" (Unix ms, below 2^48: up to the year
// 10889; or that far from INT64_MIN / INT64_MAX), then an HTTP-like text: "name: value" header
// lines up to an empty line, then the body. "@K" anywhere in the headers or the body stands for the
// key (a server echoing what it was sent). Invariants:
//   1. no crash, no undefined behaviour (ASan + UBSan), linear time (the per-input timeout);
//   2. the code follows the status as documented; http_status is the status; the message starts
//      "HTTP <status> from <provider>" and is one line (no CR or LF), as is provider_type;
//   3. the key, in error.message and error.provider_type alike: told the key, ClassifyHttpError
//      masks every occurrence, so neither holds it anywhere; not told, it masks key-shaped words
//      ("sk-" / "gsk_" and 16+ key characters where a word starts), so neither holds it as a
//      word (a key glued to a preceding letter or digit is not key-shaped). Either way it masks
//      before it cuts, so no 12-byte prefix of the key shows (as a word, when not told) unless
//      the text holds that prefix other than as the start of the key, or holds a backslash (a
//      JSON escape can spell a prefix the raw text does not hold);
//   4. retry_after_ms, when set, is within 0 .. 9e15 and equals RetryAfterMs of the headers;
//   5. every header value read as a duration or a rate-limit reset gives a value within
//      0 .. 9e15 (clamped, never wrapped), as a date one within 1970 .. 9999; limits and
//      remaining counts are non-negative;
//   6. peak live heap within a budget linear in the input (heap_budget.h).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "heap_budget.h"
#include "llmstream/http_error.h"

namespace {

using llmstream::ErrorCode;
using llmstream::HeaderList;
using llmstream::Provider;

constexpr int64_t kMaxMs = int64_t{9000000000000000};  // 9e15, the parsers' own bound
constexpr size_t kPrefixBytes = 12;  // a prefix of the key this long never shows at a cut
// Measured worst cases: ~30 bytes per input byte for a JSON body of tiny values (nlohmann's
// DOM), ~50 for a header list of one-byte lines (the harness's own pairs of strings).
constexpr long long kHeapPerInputByte = 128;
constexpr long long kHeapFixed = 256 << 10;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_http_error: %s: %.*s\n", what,
               static_cast<int>(detail.size() < 400 ? detail.size() : 400), detail.data());
  std::abort();
}

void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) Fail(what, detail);
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Whether `key` occurs in `text` where a word starts (not glued to a key character before it).
bool HoldsKeyAsWord(std::string_view text, std::string_view key) {
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at == 0 || !IsKeyChar(text[at - 1])) return true;
  }
  return false;
}

// Whether the key shows in an error field: anywhere when ClassifyHttpError was told the key, as a
// word when it had only the key-shaped rule.
bool Shows(std::string_view field, std::string_view key, bool told) {
  return told ? field.find(key) != std::string_view::npos : HoldsKeyAsWord(field, key);
}

// Whether the input text holds `prefix` other than as the start of `key` (a prefix written out,
// which the error may then quote), or a backslash.
bool HoldsLoosePrefix(std::string_view text, std::string_view prefix, std::string_view key) {
  if (text.find('\\') != std::string_view::npos) return true;
  for (size_t at = text.find(prefix); at != std::string_view::npos;
       at = text.find(prefix, at + 1)) {
    if (text.substr(at, key.size()) != key) return true;
  }
  return false;
}

std::string WithKey(std::string_view text, std::string_view key) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '@' && at + 1 < text.size() && text[at + 1] == 'K') {
      out += key;
      ++at;
    } else {
      out += text[at];
    }
  }
  return out;
}

ErrorCode ExpectedCode(int status) {
  switch (status) {
    case 401:
    case 403:
      return ErrorCode::kAuth;
    case 429:
    case 498:
      return ErrorCode::kRateLimited;
    case 400:
    case 404:
    case 413:
    case 422:
      return ErrorCode::kBadRequest;
    default:
      return status >= 500 && status <= 599 ? ErrorCode::kServer : ErrorCode::kHttpStatus;
  }
}

void CheckWindow(const llmstream::RateLimitWindow& window) {
  Check(!window.limit || *window.limit >= 0, "negative rate-limit limit");
  Check(!window.remaining || *window.remaining >= 0, "negative rate-limit remaining");
  if (window.reset_ms) {
    Check(*window.reset_ms >= 0 && *window.reset_ms <= kMaxMs, "rate-limit reset_ms out of range",
          window.reset);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  const llmstream_fuzz::HeapBudget budget;
  static const Provider kProviders[8] = {
      Provider::kOpenAI,     Provider::kAnthropic, Provider::kGroq,       Provider::kOpenRouter,
      Provider::kCompatible, Provider::kLocal,     Provider::kOpenRouter, Provider::kOpenAI};
  static const char* const kKeys[4] = {
      "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "sk-ant-api03-ZyXwVuTsRqPoNmLkJiHgFeDcBa-0123",
      "gsk_0123456789abcdefghijABCDEFGHIJ", "sk-or-v1-00112233445566778899aabbccddeeff"};
  static const int kStatuses[32] = {
      400,        401,    403, 404, 408, 409, 413, 422, 429, 498,
      499,        500,    502, 503, 504, 529, 200, 204, 302, 402,
      424,        451,    418, 599, 600, 999, 100, 0,   -1,  -2147483647 - 1,
      2147483647, 1000000};
  const Provider provider = kProviders[data[0] & 7];
  const std::string_view key = kKeys[(data[0] >> 3) & 3];
  const bool told = (data[0] >> 5) & 1;  // ClassifyHttpError is given the key
  const int status = kStatuses[data[1] & 31];
  int64_t now_unix_ms = 0;
  for (int i = 0; i < 6; ++i) now_unix_ms |= static_cast<int64_t>(data[2 + i]) << (8 * i);
  if (data[0] & 0x40) {  // waits are "later - now": no overflow whatever the clock says
    now_unix_ms = (data[0] & 0x80) ? std::numeric_limits<int64_t>::max() - now_unix_ms
                                   : std::numeric_limits<int64_t>::min() + now_unix_ms;
  }

  // Headers up to the first empty line, then the body.
  const std::string text =
      WithKey(std::string_view(reinterpret_cast<const char*>(data) + 8, size - 8), key);
  HeaderList headers;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(at, end - at);
    at = end + 1;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      headers.emplace_back(std::string(line), "");
    } else {
      size_t value = colon + 1;
      while (value < line.size() && line[value] == ' ') ++value;
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(value)));
    }
  }
  const std::string_view body =
      at < text.size() ? std::string_view(text).substr(at) : std::string_view();

  const llmstream::Error error =
      llmstream::ClassifyHttpError(provider, status, headers, body, now_unix_ms, told ? key : "");
  Check(error.code == ExpectedCode(status), "code does not follow the status", error.message);
  Check(error.http_status == status, "http_status is not the status");
  const std::string prefix =
      "HTTP " + std::to_string(status) + " from " + std::string(llmstream::ProviderName(provider));
  Check(error.message.rfind(prefix, 0) == 0, "message does not start with the status",
        error.message);
  Check(error.message.find_first_of("\r\n") == std::string::npos, "message is not one line",
        error.message);
  Check(error.provider_type.find_first_of("\r\n") == std::string::npos,
        "provider_type is not one line", error.provider_type);
  Check(!Shows(error.message, key, told), "the message holds the API key", error.message);
  Check(!Shows(error.provider_type, key, told), "provider_type holds the API key",
        error.provider_type);
  const std::string_view key_prefix = key.substr(0, kPrefixBytes);
  if (!HoldsLoosePrefix(text, key_prefix, key)) {
    Check(!Shows(error.message, key_prefix, told), "the message holds a prefix of the API key",
          error.message.size() > 300 ? error.message.substr(error.message.size() - 300)
                                     : error.message);
    Check(!Shows(error.provider_type, key_prefix, told),
          "provider_type holds a prefix of the API key", error.provider_type);
  }

  const std::optional<int64_t> retry_after = llmstream::RetryAfterMs(headers, now_unix_ms);
  Check(retry_after == error.retry_after_ms, "retry_after_ms differs from RetryAfterMs");
  if (retry_after) Check(*retry_after >= 0 && *retry_after <= kMaxMs, "retry_after_ms range");

  const std::optional<bool> should_retry = llmstream::ShouldRetryHeader(headers);
  const bool by_status =
      status == 408 || status == 409 || status == 429 || status == 498 || status >= 500;
  Check(llmstream::ShouldRetryStatus(status, headers) == should_retry.value_or(by_status),
        "ShouldRetryStatus disagrees with x-should-retry and the status");

  const llmstream::RateLimitInfo limits = llmstream::ParseRateLimitHeaders(headers, now_unix_ms);
  CheckWindow(limits.requests);
  CheckWindow(limits.tokens);
  CheckWindow(limits.input_tokens);
  CheckWindow(limits.output_tokens);

  // Every header value through every parser.
  constexpr int64_t kYear10000 = int64_t{253402300800000};  // 10000-01-01T00:00:00Z
  for (const auto& [name, value] : headers) {
    if (auto ms = llmstream::ParseDurationMs(value)) {
      Check(*ms >= 0 && *ms <= kMaxMs, "ParseDurationMs out of range", value);
    }
    if (auto ms = llmstream::ParseHttpDate(value)) {
      Check(*ms >= 0 && *ms < kYear10000, "ParseHttpDate out of range", value);
    }
    if (auto ms = llmstream::ParseRfc3339(value)) {
      Check(*ms > -int64_t{86400000} && *ms < kYear10000 + 86400000, "ParseRfc3339 out of range",
            value);
    }
  }
  budget.Check("fuzz_http_error", size, kHeapPerInputByte, kHeapFixed);
  return 0;
}
