// HTTP error classification and header parsing (wire-formats.md section 6). Numbers are parsed by
// hand: em++ 3.1.6's libc++ has no floating-point from_chars, and nothing here may throw.
#include "llmstream/http_error.h"

#include <algorithm>
#include <cmath>

#include "llmstream/url_redaction.h"
#include "request/request_internal.h"
#include "text/one_line.h"

namespace llmstream {

using request_internal::EqualsIgnoreCase;
using request_internal::Json;

namespace {

constexpr size_t kMaxSnippet = 200;
constexpr size_t kMaxMessage = 1000;
constexpr size_t kMaxProviderType = 100;
// The most any parsed wait or reset may be: 285,000 years, and below 2^53, so the value is exact
// as a JS number (the wasm build hands it to JS). A larger value is clamped to it, never wrapped.
constexpr int64_t kMaxMs = int64_t{9000000000000000};
// Decimals saturate here while they are read: beyond any kMaxMs in seconds, far from a double's
// overflow (a header of 400 digits stays a number instead of becoming inf).
constexpr double kMaxDecimal = 1e300;

using text::IsSpace;
using text::MaskKey;
using text::OneLine;
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Non-negative decimal with optional fraction ("12", "1.5", ".5"). Consumes from *s.
bool ParseDecimal(std::string_view* s, double* out) {
  size_t i = 0;
  double value = 0;
  bool any = false;
  while (i < s->size() && IsDigit((*s)[i])) {
    if (value < kMaxDecimal) value = value * 10 + ((*s)[i] - '0');
    any = true;
    ++i;
  }
  if (i < s->size() && (*s)[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < s->size() && IsDigit((*s)[i])) {
      value += ((*s)[i] - '0') * scale;
      scale /= 10;
      any = true;
      ++i;
    }
  }
  if (!any || !std::isfinite(value)) return false;
  s->remove_prefix(i);
  *out = value;
  return true;
}

// The whole of `text` as a non-negative decimal number.
std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  double value = 0;
  if (!ParseDecimal(&text, &value) || !text.empty()) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

int64_t RoundMs(double ms) { return static_cast<int64_t>(std::llround(ms)); }

// A wait in ms, rounded, within 0 .. kMaxMs. Hostile headers send any number: llround of one
// beyond int64 is unspecified (LLONG_MIN on x86, so a wait turned negative).
int64_t ClampMs(double ms) {
  if (!(ms > 0)) return 0;  // NaN too
  if (ms >= static_cast<double>(kMaxMs)) return kMaxMs;
  return RoundMs(ms);
}

// later - now within 0 .. kMaxMs, without the signed overflow of subtracting any two int64.
int64_t ClampedWait(int64_t later, int64_t now) {
  if (later <= now) return 0;
  const uint64_t wait = static_cast<uint64_t>(later) - static_cast<uint64_t>(now);
  return wait >= static_cast<uint64_t>(kMaxMs) ? kMaxMs : static_cast<int64_t>(wait);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ValidDateTime(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                   int64_t second) {
  return year >= 1970 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

int64_t ToUnixMs(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                 int64_t second) {
  return ((DaysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000;
}

// Reads exactly `n` digits.
bool ReadDigits(std::string_view* s, size_t n, int64_t* out) {
  if (s->size() < n) return false;
  int64_t value = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit((*s)[i])) return false;
    value = value * 10 + ((*s)[i] - '0');
  }
  s->remove_prefix(n);
  *out = value;
  return true;
}

bool Expect(std::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

// What a non-JSON body shows (quoted up to kMaxSnippet): an HTML page's <title>, else the body.
std::string_view Snippet(std::string_view body) {
  body = Trim(body);
  if (!body.empty() && body.front() == '<') {
    const std::string lower = request_internal::ToLowerAscii(body.substr(0, 4096));
    const size_t open = lower.find("<title>");
    const size_t close = lower.find("</title>");
    if (open != std::string::npos && close != std::string::npos && close > open + 7) {
      return body.substr(open + 7, close - open - 7);
    }
  }
  return body;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
    case 424:
      return "Failed Dependency";
    case 429:
      return "Too Many Requests";
    case 498:
      return "Capacity Exceeded";
    case 499:
      return "Request Cancelled";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 529:
      return "Overloaded";
    default:
      return "";
  }
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_';
}

// Error messages must never carry a key, but some servers echo what they were sent. The
// configured key is masked wherever it stands (MaskKey); this also masks words that look like a
// key (sk-..., gsk_..., sk-ant-..., sk-or-..., xai-..., Google's AIza...: the prefix and 16+ key
// characters), another
// provider's or an unknown one. A look-alike counts only where a word starts, so that
// "task-0123456789abcdefgh" stays readable; OpenAI's own "sk-proj-****abcd" hint is already
// masked and stays readable too. One pass, linear in the text.
std::string ScrubKeys(std::string_view text) {
  constexpr size_t kMinSecretChars = 16;
  std::string out;
  size_t from = 0;  // text[from, at) goes out as it is
  for (size_t at = 0; at < text.size(); ++at) {
    if (at > 0 && IsKeyChar(text[at - 1])) continue;  // not where a word starts
    const std::string_view rest = text.substr(at, 4);
    const size_t prefix = rest.substr(0, 3) == "sk-"                           ? 3
                          : rest == "gsk_" || rest == "xai-" || rest == "AIza" ? 4
                                                                               : 0;
    size_t end = at + prefix;
    while (prefix > 0 && end < text.size() && IsKeyChar(text[end])) ++end;
    if (prefix == 0 || end - at - prefix < kMinSecretChars) continue;
    out.append(text.substr(from, at + prefix - from));
    out += kRedactedMark;
    from = end;
    at = end - 1;  // the next word starts after this one
  }
  out.append(text.substr(from));
  return out;
}

// Text from the body as it goes into an error: one line, the key and key-like words and URL
// secrets masked, then cut to max_bytes. Masked before the cut, so that no prefix of a key
// survives at the end; made one line first, so that the masks see the text as it is shown.
std::string Quote(std::string_view text, size_t max_bytes, std::string_view api_key) {
  std::string line = OneLine(text, std::string::npos);
  line = ScrubKeys(RedactUrlsInText(MaskKey(line, api_key)));
  text::CutLine(&line, max_bytes);
  return line;
}

ErrorCode CodeForStatus(Provider provider, int status) {
  switch (status) {
    case 401:
    case 403:
      return ErrorCode::kAuth;
    case 498:  // Groq flex tier: capacity exceeded, retry later; Cohere: an invalid token
      return provider == Provider::kCohere ? ErrorCode::kAuth : ErrorCode::kRateLimited;
    case 429:
      return ErrorCode::kRateLimited;
    case 400:
    case 404:
    case 413:
    case 422:
      return ErrorCode::kBadRequest;
    default:
      break;
  }
  if (status >= 500 && status <= 599) return ErrorCode::kServer;
  return ErrorCode::kHttpStatus;
}

const Json* Member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const Json& object, const char* key) {
  const Json* value = Member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// What the body says, as sent: ClassifyHttpError quotes message and type; details are quoted.
struct BodyInfo {
  std::string message;
  size_t max_message = kMaxMessage;  // a body that is no error object shows a shorter snippet
  std::string type;
  std::string details;  // appended in brackets (OpenRouter upstream info)
  // Gemini's google.rpc.Status details (request_internal::ReadGoogleStatus).
  std::string reason;
  std::optional<int64_t> retry_delay_ms;
};

// OpenRouter puts the upstream's own error in metadata.raw and moderation reasons in
// metadata.reasons; both say more than the generic "Provider returned error". Each part is
// quoted like the message (one line, masked, cut): the upstream and its reasons are the body's
// text as much as the message is.
std::string OpenRouterDetails(const Json& error, std::string_view api_key) {
  const Json* metadata = Member(error, "metadata");
  if (metadata == nullptr || !metadata->is_object()) return "";
  std::string details = Quote(StringMember(*metadata, "provider_name"), kMaxSnippet, api_key);
  if (const Json* raw = Member(*metadata, "raw"); raw != nullptr && !raw->is_null()) {
    std::string raw_text =
        raw->is_string() ? raw->get<std::string>() : request_internal::Dump(*raw);
    if (!details.empty()) details += ": ";
    details += Quote(raw_text, kMaxSnippet, api_key);
  }
  if (const Json* reasons = Member(*metadata, "reasons");
      reasons != nullptr && reasons->is_array()) {
    std::string list;
    for (const Json& reason : *reasons) {
      if (!reason.is_string()) continue;
      if (!list.empty()) list += ", ";
      list += reason.get_ref<const std::string&>();
    }
    list = Quote(list, kMaxSnippet, api_key);
    if (!list.empty()) {
      if (!details.empty()) details += "; ";
      details += "reasons: " + list;
    }
  }
  return details;
}

BodyInfo ParseBody(Provider provider, std::string_view body, std::string_view api_key) {
  BodyInfo info;
  Json json;
  // An object of over 256 keys is no provider's error: its text is shown, as for any non-JSON.
  const bool parsed =
      request_internal::ParseUntrustedJson(body, request_internal::kMaxErrorBodyObjectKeys,
                                           &json) == request_internal::UntrustedJson::kOk;
  if (parsed) request_internal::UnwrapGoogleErrorArray(&json);
  if (!parsed || !json.is_object()) {
    info.message = std::string(Snippet(body));
    info.max_message = kMaxSnippet;
    return info;
  }
  const Json* error = Member(json, "error");
  const Json* source = &json;
  if (error != nullptr && error->is_object()) {
    source = error;
  } else if (error != nullptr && error->is_string()) {
    info.message = error->get<std::string>();  // Ollama, llama.cpp: {"error": "..."}
    return info;
  }
  info.message = StringMember(*source, "message");
  if (info.message.empty()) {
    // FastAPI-style servers: {"detail": "..."} or a list of validation errors.
    if (const Json* detail = Member(*source, "detail"); detail != nullptr && !detail->is_null()) {
      info.message =
          detail->is_string() ? detail->get<std::string>() : request_internal::Dump(*detail);
    }
  }
  if (const Json* code = Member(*source, "code"); code != nullptr && code->is_string()) {
    info.type = code->get<std::string>();
  }
  if (info.type.empty()) info.type = StringMember(*source, "type");
  // A google.rpc.Status names its status (Gemini, and the local server imitating it).
  if (const Json* status = Member(*source, "status");
      source != &json && status != nullptr && status->is_string()) {
    request_internal::ReadGoogleStatus(*source, &info.type, &info.reason, &info.retry_delay_ms);
  }
  if (provider == Provider::kOpenRouter && source != &json) {
    info.details = OpenRouterDetails(*source, api_key);
  }
  if (info.message.empty() && info.type.empty()) {
    info.message = std::string(Snippet(body));
    info.max_message = kMaxSnippet;
  }
  return info;
}

}  // namespace

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [header_name, value] : headers) {
    if (EqualsIgnoreCase(header_name, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string_view s = Trim(text);
  // Optional "Sun, " day name.
  if (const size_t comma = s.find(','); comma != std::string_view::npos && comma <= 9) {
    s.remove_prefix(comma + 1);
    s = Trim(s);
  }
  int64_t day = 0, year = 0, hour = 0, minute = 0, second = 0;
  size_t day_digits = (s.size() > 1 && IsDigit(s[1])) ? 2 : 1;
  if (!ReadDigits(&s, day_digits, &day) || !Expect(&s, ' ')) return std::nullopt;
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return std::nullopt;
  const std::string month_name = request_internal::ToLowerAscii(s.substr(0, 3));
  int64_t month = 0;
  for (size_t i = 0; i < 12; ++i) {
    if (month_name == kMonths[i]) month = static_cast<int64_t>(i) + 1;
  }
  if (month == 0) return std::nullopt;
  s.remove_prefix(3);
  if (!Expect(&s, ' ') || !ReadDigits(&s, 4, &year) || !Expect(&s, ' ') ||
      !ReadDigits(&s, 2, &hour) || !Expect(&s, ':') || !ReadDigits(&s, 2, &minute) ||
      !Expect(&s, ':') || !ReadDigits(&s, 2, &second)) {
    return std::nullopt;
  }
  s = Trim(s);
  if (!s.empty() && !EqualsIgnoreCase(s, "GMT") && !EqualsIgnoreCase(s, "UTC")) return std::nullopt;
  if (!ValidDateTime(year, month, day, hour, minute, second)) return std::nullopt;
  return ToUnixMs(year, month, day, hour, minute, second);
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  std::string_view s = Trim(text);
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(&s, 4, &year) || !Expect(&s, '-') || !ReadDigits(&s, 2, &month) ||
      !Expect(&s, '-') || !ReadDigits(&s, 2, &day)) {
    return std::nullopt;
  }
  if (s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' ')) return std::nullopt;
  s.remove_prefix(1);
  if (!ReadDigits(&s, 2, &hour) || !Expect(&s, ':') || !ReadDigits(&s, 2, &minute) ||
      !Expect(&s, ':') || !ReadDigits(&s, 2, &second)) {
    return std::nullopt;
  }
  double fraction_ms = 0;
  if (!s.empty() && s.front() == '.') {
    double scale = 100;
    s.remove_prefix(1);
    if (s.empty() || !IsDigit(s.front())) return std::nullopt;
    while (!s.empty() && IsDigit(s.front())) {
      fraction_ms += (s.front() - '0') * scale;
      scale /= 10;
      s.remove_prefix(1);
    }
  }
  int64_t offset_minutes = 0;
  if (s.size() == 1 && (s.front() == 'Z' || s.front() == 'z')) {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int64_t sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int64_t oh = 0, om = 0;
    if (!ReadDigits(&s, 2, &oh) || !Expect(&s, ':') || !ReadDigits(&s, 2, &om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (!s.empty() || !ValidDateTime(year, month, day, hour, minute, second)) return std::nullopt;
  return ToUnixMs(year, month, day, hour, minute, second) + RoundMs(fraction_ms) -
         offset_minutes * 60000;
}

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  if (auto seconds = ParseNumber(s)) return ClampMs(*seconds * 1000);
  double total_ms = 0;
  while (!s.empty()) {
    double value = 0;
    if (!ParseDecimal(&s, &value)) return std::nullopt;
    double unit_ms = 0;
    if (s.substr(0, 2) == "ms") {
      unit_ms = 1;
      s.remove_prefix(2);
    } else if (s.substr(0, 2) == "us") {
      unit_ms = 1e-3;
      s.remove_prefix(2);
    } else if (s.substr(0, 3) == "\xC2\xB5s") {  // "µs"
      unit_ms = 1e-3;
      s.remove_prefix(3);
    } else if (s.substr(0, 2) == "ns") {
      unit_ms = 1e-6;
      s.remove_prefix(2);
    } else if (!s.empty() && s.front() == 'h') {
      unit_ms = 3600000;
      s.remove_prefix(1);
    } else if (!s.empty() && s.front() == 'm') {
      unit_ms = 60000;
      s.remove_prefix(1);
    } else if (!s.empty() && s.front() == 's') {
      unit_ms = 1000;
      s.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    // Saturates: thousands of 1e300h terms must not add up to inf.
    total_ms = std::min(total_ms + value * unit_ms, static_cast<double>(kMaxMs));
  }
  return ClampMs(total_ms);
}

std::optional<int64_t> RetryAfterMs(const HeaderList& headers, int64_t now_unix_ms) {
  if (auto ms_header = FindHeader(headers, "retry-after-ms")) {
    if (auto ms = ParseNumber(*ms_header)) return ClampMs(*ms);
  }
  if (auto header = FindHeader(headers, "retry-after")) {
    if (auto seconds = ParseNumber(*header)) return ClampMs(*seconds * 1000);
    if (auto date_ms = ParseHttpDate(*header)) return ClampedWait(*date_ms, now_unix_ms);
  }
  return std::nullopt;
}

std::optional<bool> ShouldRetryHeader(const HeaderList& headers) {
  auto value = FindHeader(headers, "x-should-retry");
  if (!value) return std::nullopt;
  const std::string_view v = Trim(*value);
  if (EqualsIgnoreCase(v, "true")) return true;
  if (EqualsIgnoreCase(v, "false")) return false;
  return std::nullopt;
}

bool ShouldRetryStatus(int status, const HeaderList& headers) {
  if (auto header = ShouldRetryHeader(headers)) return *header;
  return status == 408 || status == 409 || status == 429 || status == 498 || status >= 500;
}

Error ClassifyHttpError(Provider provider, int status, const HeaderList& headers,
                        std::string_view body, int64_t now_unix_ms, std::string_view api_key) {
  Error error;
  error.code = CodeForStatus(provider, status);
  error.http_status = status;
  error.retry_after_ms = RetryAfterMs(headers, now_unix_ms);

  // Everything taken from the body is quoted (Quote): servers echo what they were sent ("Invalid
  // URL (POST /v1/chat/completions?key=...)", "Incorrect API key provided: <key>").
  BodyInfo info = ParseBody(provider, body, api_key);
  // AWS (Bedrock) names the exception in a header ("ThrottlingException:http://...").
  if (info.type.empty()) {
    const std::string_view aws_type = FindHeader(headers, "x-amzn-errortype").value_or("");
    info.type = std::string(aws_type.substr(0, aws_type.find(':')));
  }
  // Google answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID: an auth error.
  if (info.reason == "API_KEY_INVALID") error.code = ErrorCode::kAuth;
  if (!error.retry_after_ms) error.retry_after_ms = info.retry_delay_ms;
  error.provider_type = Quote(info.type, kMaxProviderType, api_key);
  std::string message = Quote(info.message, info.max_message, api_key);
  if (message.empty()) message = std::string(ReasonPhrase(status));
  if (message.empty()) message = error.provider_type;
  if (!info.details.empty()) message += " [" + info.details + "]";

  error.message = "HTTP " + std::to_string(status) + " from " + std::string(ProviderName(provider));
  if (!message.empty()) error.message += ": " + message;
  return error;
}

namespace {

// A reset value in any of the forms seen: a duration ("6m0s", "1.5s", "30"), an RFC 3339 time
// (Anthropic), or a Unix timestamp in ms or s (OpenRouter sends ms).
std::optional<int64_t> ResetMs(std::string_view raw, int64_t now_unix_ms) {
  if (auto number = ParseNumber(raw)) {
    // In doubles: a number up to 1e300 minus any int64 now cannot overflow, and ClampMs bounds it.
    const double now = static_cast<double>(now_unix_ms);
    if (*number >= 1e12) return ClampMs(*number - now);
    if (*number >= 1e9) return ClampMs(*number * 1000 - now);
    return ClampMs(*number * 1000);
  }
  if (auto duration = ParseDurationMs(raw)) return duration;
  if (auto time = ParseRfc3339(raw)) return ClampedWait(*time, now_unix_ms);
  return std::nullopt;
}

void ReadWindow(const HeaderList& headers, const std::string& limit_name,
                const std::string& remaining_name, const std::string& reset_name,
                int64_t now_unix_ms, RateLimitWindow* window) {
  if (auto v = FindHeader(headers, limit_name)) window->limit = ParseInteger(*v);
  if (auto v = FindHeader(headers, remaining_name)) window->remaining = ParseInteger(*v);
  if (auto v = FindHeader(headers, reset_name)) {
    window->reset = std::string(Trim(*v));
    window->reset_ms = ResetMs(window->reset, now_unix_ms);
  }
}

}  // namespace

RateLimitInfo ParseRateLimitHeaders(const HeaderList& headers, int64_t now_unix_ms) {
  RateLimitInfo info;
  // OpenAI / Groq: x-ratelimit-{limit,remaining,reset}-{requests,tokens}.
  ReadWindow(headers, "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
             "x-ratelimit-reset-requests", now_unix_ms, &info.requests);
  ReadWindow(headers, "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
             "x-ratelimit-reset-tokens", now_unix_ms, &info.tokens);
  // OpenRouter: x-ratelimit-{limit,remaining,reset} (requests).
  if (info.requests.empty()) {
    ReadWindow(headers, "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
               now_unix_ms, &info.requests);
  }
  // Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{...}.
  struct Family {
    const char* name;
    RateLimitWindow* window;
  };
  for (const Family& family :
       {Family{"requests", &info.requests}, Family{"tokens", &info.tokens},
        Family{"input-tokens", &info.input_tokens}, Family{"output-tokens", &info.output_tokens}}) {
    if (!family.window->empty()) continue;
    const std::string prefix = std::string("anthropic-ratelimit-") + family.name + "-";
    ReadWindow(headers, prefix + "limit", prefix + "remaining", prefix + "reset", now_unix_ms,
               family.window);
  }
  return info;
}

}  // namespace llmstream
