// Log-safe copies of requests and URLs: keys must never reach a log line, an error message or a
// bug report, whichever header, query parameter, userinfo or fragment carried them.
#include <string>
#include <vector>

#include "llmstream/request.h"
#include "llmstream/url_redaction.h"
#include "request/request_internal.h"

namespace llmstream {

namespace {

constexpr std::string_view kMask = kRedactedMark;

bool MentionsSecret(std::string_view lower_name) {
  for (std::string_view word :
       {"key", "token", "secret", "auth", "password", "cookie", "signature", "credential"}) {
    if (lower_name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// ---- Secrets in URLs (url_redaction.h) ----------------------------------------------------------

bool IsAsciiAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAsciiUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool IsSchemeChar(unsigned char c) {
  return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.';
}
// Words of a parameter name: ASCII letters and digits, and non-ASCII bytes (a word in another
// script is one word, never split inside a UTF-8 sequence).
bool IsWordChar(unsigned char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c >= 0x80; }
bool IsSlash(char c) { return c == '/' || c == '\\'; }  // WHATWG reads '\' as '/' in http(s)
// Where a URL quoted in free text ends.
bool EndsTextUrl(unsigned char c) {
  return c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

int HexValue(unsigned char c) {
  if (IsAsciiDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded once; a '%' not followed by two hex digits stays as it is.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(static_cast<unsigned char>(text[i + 1]));
      const int low = HexValue(static_cast<unsigned char>(text[i + 2]));
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Whether `word` ends with `lower_suffix` (ASCII case-insensitively).
bool EndsWithIgnoreCase(std::string_view word, std::string_view lower_suffix) {
  if (word.size() < lower_suffix.size()) return false;
  const std::string_view tail = word.substr(word.size() - lower_suffix.size());
  for (size_t i = 0; i < tail.size(); ++i) {
    if (request_internal::ToLowerAscii(tail[i]) != lower_suffix[i]) return false;
  }
  return true;
}

bool WordIsSecret(std::string_view word) {
  for (const SecretUrlParam& param : kSecretUrlParams) {
    if (param.match == SecretParamMatch::kWordEnd && EndsWithIgnoreCase(word, param.name)) {
      return true;
    }
  }
  return false;
}

// Whether a word of the name ends between name[i - 1] and name[i] (both word characters):
// camelCase humps ("apiKey", "APIKey") and letter/digit changes ("key2").
bool WordBreak(std::string_view name, size_t i) {
  const auto prev = static_cast<unsigned char>(name[i - 1]);
  const auto cur = static_cast<unsigned char>(name[i]);
  if (IsAsciiLower(prev) && IsAsciiUpper(cur)) return true;
  if (IsAsciiUpper(prev) && IsAsciiUpper(cur) && i + 1 < name.size() &&
      IsAsciiLower(static_cast<unsigned char>(name[i + 1]))) {
    return true;
  }
  return (IsAsciiAlpha(prev) && IsAsciiDigit(cur)) || (IsAsciiDigit(prev) && IsAsciiAlpha(cur));
}

// The authority's first byte: after `scheme:` and its slashes, after a leading "//", else 0
// (no scheme: `user:pass@host/v1`; a scheme without slashes is read as userinfo, the safe side).
size_t AuthorityStart(std::string_view url) {
  size_t i = 0;
  if (!url.empty() && IsAsciiAlpha(static_cast<unsigned char>(url[0]))) {
    while (i < url.size() && IsSchemeChar(static_cast<unsigned char>(url[i]))) ++i;
    if (i < url.size() && url[i] == ':') {
      size_t j = i + 1;
      while (j < url.size() && IsSlash(url[j])) ++j;
      if (j > i + 1) return j;
    }
  }
  if (url.size() >= 2 && IsSlash(url[0]) && IsSlash(url[1])) {
    size_t j = 0;
    while (j < url.size() && IsSlash(url[j])) ++j;
    return j;
  }
  return 0;
}

// Calls on_secret(begin, end) for each non-empty secret part of `url`, in order, never
// overlapping. One pass: every find below starts where the previous part ended.
template <typename OnSecret>
void ForEachUrlSecret(std::string_view url, OnSecret&& on_secret) {
  const size_t start = AuthorityStart(url);
  size_t auth_end = start;
  while (auth_end < url.size() && !IsSlash(url[auth_end]) && url[auth_end] != '?' &&
         url[auth_end] != '#') {
    ++auth_end;
  }
  const std::string_view authority = url.substr(start, auth_end - start);

  // Userinfo: up to the authority's last '@'.
  size_t host_start = start;
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const size_t colon = authority.substr(0, at).find(':');
    const size_t secret_begin = start + (colon == std::string_view::npos ? 0 : colon + 1);
    if (start + at > secret_begin) on_secret(secret_begin, start + at);
    host_start = start + at + 1;
  }

  // A port that is not a number.
  const std::string_view host_port = url.substr(host_start, auth_end - host_start);
  size_t port_begin = std::string_view::npos;
  if (!host_port.empty() && host_port.front() == '[') {
    if (const size_t close = host_port.find(']'); close != std::string_view::npos &&
                                                  close + 1 < host_port.size() &&
                                                  host_port[close + 1] == ':') {
      port_begin = host_start + close + 2;
    }
  } else if (const size_t colon = host_port.find(':'); colon != std::string_view::npos) {
    port_begin = host_start + colon + 1;
  }
  if (port_begin != std::string_view::npos && port_begin < auth_end) {
    bool numeric = true;
    for (size_t i = port_begin; i < auth_end; ++i) {
      numeric = numeric && IsAsciiDigit(static_cast<unsigned char>(url[i]));
    }
    if (!numeric) on_secret(port_begin, auth_end);
  }

  // Query and fragment.
  const size_t hash = url.find('#', auth_end);
  const size_t query_end = hash == std::string_view::npos ? url.size() : hash;
  const size_t question = url.find('?', auth_end);
  if (question != std::string_view::npos && question < query_end) {
    size_t pos = question + 1;
    while (pos <= query_end) {
      size_t segment_end = pos;
      while (segment_end < query_end && url[segment_end] != '&' && url[segment_end] != ';') {
        ++segment_end;
      }
      const std::string_view segment = url.substr(pos, segment_end - pos);
      const size_t eq = segment.find('=');
      if (eq != std::string_view::npos && IsSecretUrlParam(segment.substr(0, eq))) {
        const size_t value_begin = pos + eq + 1;
        size_t value_end = value_begin;
        while (value_end < query_end && url[value_end] != '&') ++value_end;
        if (value_end > value_begin) on_secret(value_begin, value_end);
        pos = value_end + 1;
      } else {
        pos = segment_end + 1;
      }
    }
  }
  if (hash != std::string_view::npos && hash + 1 < url.size()) on_secret(hash + 1, url.size());
}

// Masks the secret parts of `url`, appending to `out`.
void AppendRedactedUrl(std::string_view url, std::string* out) {
  size_t copied = 0;
  ForEachUrlSecret(url, [&](size_t begin, size_t end) {
    out->append(url.substr(copied, begin - copied));
    out->append(kMask);
    copied = end;
  });
  out->append(url.substr(copied));
}

}  // namespace

bool IsSecretUrlParam(std::string_view raw_name) {
  const std::string name = PercentDecode(raw_name);
  const std::string lower = request_internal::ToLowerAscii(name);
  for (const SecretUrlParam& param : kSecretUrlParams) {
    if (param.match == SecretParamMatch::kWholeName && lower == param.name) return true;
  }
  // Words are checked twice: as split at punctuation only ("SiG", "ACCESSTOKEN": any case), and
  // as split at camelCase humps and digits too ("accessTokenType", "key2").
  const std::string_view view = name;
  size_t token_start = std::string::npos;
  size_t word_start = std::string::npos;
  for (size_t i = 0; i <= name.size(); ++i) {
    const bool word_char = i < name.size() && IsWordChar(static_cast<unsigned char>(name[i]));
    if (word_start != std::string::npos && (!word_char || WordBreak(name, i))) {
      if (WordIsSecret(view.substr(word_start, i - word_start))) return true;
      word_start = std::string::npos;
    }
    if (token_start != std::string::npos && !word_char) {
      if (WordIsSecret(view.substr(token_start, i - token_start))) return true;
      token_start = std::string::npos;
    }
    if (word_char && word_start == std::string::npos) word_start = i;
    if (word_char && token_start == std::string::npos) token_start = i;
  }
  return false;
}

std::string RedactUrl(std::string_view url) {
  std::string out;
  out.reserve(url.size() + 16);
  AppendRedactedUrl(url, &out);
  return out;
}

std::string RedactUrlsInText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[0, copied) is in `out`
  size_t i = 0;
  while (i < text.size()) {
    size_t begin = std::string_view::npos;
    size_t scan_from = i + 1;
    if (text[i] == '?') {
      begin = i;  // a relative reference's query: "POST /v1/chat?key=..."
    } else if (text.compare(i, 3, "://") == 0) {
      // Back over the scheme (not past what is already done), which starts with a letter.
      begin = i;
      while (begin > copied && IsSchemeChar(static_cast<unsigned char>(text[begin - 1]))) --begin;
      while (begin < i && !IsAsciiAlpha(static_cast<unsigned char>(text[begin]))) ++begin;
      if (begin == i) begin = i + 1;  // no scheme: "//host..." is still an authority
      scan_from = i + 3;
    }
    if (begin == std::string_view::npos) {
      ++i;
      continue;
    }
    size_t end = scan_from;
    size_t opens = 0, closes = 0;
    while (end < text.size() && !EndsTextUrl(static_cast<unsigned char>(text[end]))) {
      opens += text[end] == '(';
      closes += text[end] == ')';
      ++end;
    }
    // Prose around the URL stays prose: "(see http://h/?key=k)." keeps its ')' and '.', as
    // linkifiers do. At worst a secret's last punctuation marks show.
    while (end > scan_from) {
      const char last = text[end - 1];
      if (last == '.' || last == ',' || last == ';' || last == ':' || last == '!') {
        --end;
      } else if (last == ')' && closes > opens) {
        --end;
        --closes;
      } else {
        break;
      }
    }
    out.append(text.substr(copied, begin - copied));
    AppendRedactedUrl(text.substr(begin, end - begin), &out);
    copied = i = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  ForEachUrlSecret(url, [&](size_t begin, size_t end) {
    const std::string_view raw = url.substr(begin, end - begin);
    secrets.emplace_back(raw);
    std::string decoded = PercentDecode(raw);
    bool ascii = true;
    for (const char c : decoded) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii && decoded != raw) secrets.push_back(std::move(decoded));
  });
  return secrets;
}

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
