// Log-safe copies of requests: keys must never reach a log line, an error message or a bug
// report, whichever header or query parameter carried them.
#include <string>

#include "llmstream/request.h"
#include "request/request_internal.h"

namespace llmstream {

namespace {

constexpr std::string_view kMask = "[redacted]";

bool MentionsSecret(std::string_view lower_name) {
  for (std::string_view word :
       {"key", "token", "secret", "auth", "password", "cookie", "signature", "credential"}) {
    if (lower_name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// Masks the values of secret-looking query parameters (?key=..., &api_key=...).
std::string RedactUrl(std::string_view url) {
  const size_t query_start = url.find('?');
  if (query_start == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, query_start + 1));
  std::string_view query = url.substr(query_start + 1);
  bool first = true;
  while (!query.empty() || first) {
    const size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos &&
        MentionsSecret(request_internal::ToLowerAscii(param.substr(0, eq)))) {
      out.append(param.substr(0, eq + 1));
      out.append(kMask);
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

}  // namespace

bool IsSensitiveHeader(std::string_view name) {
  return MentionsSecret(request_internal::ToLowerAscii(name));
}

HttpRequest Redacted(const HttpRequest& request) {
  HttpRequest out;
  out.method = request.method;
  out.url = RedactUrl(request.url);
  out.body = request.body;
  out.headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    if (!IsSensitiveHeader(name)) {
      out.headers.emplace_back(name, value);
      continue;
    }
    // Keep the scheme word ("Bearer") so logs still show which auth style was used.
    std::string masked;
    if (const size_t space = value.find(' ');
        space != std::string::npos && space > 0 && space < 16 &&
        request_internal::EqualsIgnoreCase(value.substr(0, space), "bearer")) {
      masked = value.substr(0, space + 1);
    }
    masked += kMask;
    out.headers.emplace_back(name, std::move(masked));
  }
  return out;
}

std::string ToLogString(const HttpRequest& request) {
  const HttpRequest safe = Redacted(request);
  std::string out = safe.method + " " + safe.url + "\n";
  for (const auto& [name, value] : safe.headers) out += name + ": " + value + "\n";
  out += "\n";
  out += safe.body;
  return out;
}

}  // namespace llmstream
