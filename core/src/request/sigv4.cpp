#include "request/sigv4.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/hmac_sha256.h"
#include "common/sha256.h"
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

using crypto_internal::HmacSha256;
using crypto_internal::Sha256;
using crypto_internal::Sha256Digest;
using crypto_internal::ToHex;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kMaxUnixMs = int64_t{253402300799999};  // 9999-12-31T23:59:59.999Z

// Headers a proxy, the browser or the HTTP stack may add, drop or rewrite on the way: signing
// them would break the signature (the same list as @smithy/signature-v4's, plus its proxy-* and
// sec-* patterns). Authorization is the signature itself.
constexpr std::string_view kUnsignable[] = {
    "authorization", "cache-control",     "connection", "expect",     "from",
    "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
    "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};

bool IsUnsignable(std::string_view lower_name) {
  if (lower_name.starts_with("proxy-") || lower_name.starts_with("sec-")) return true;
  return std::find(std::begin(kUnsignable), std::end(kUnsignable), lower_name) !=
         std::end(kUnsignable);
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Whitespace as JavaScript's \s sees it in ASCII: what the SDKs collapse in header values.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded once ('+' stays '+', as decodeURIComponent leaves it); a stray '%' stays.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
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

// Header values: trimmed, every inner whitespace run one space ("a   b" -> "a b").
std::string CanonicalValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

struct UrlParts {
  std::string_view scheme;
  std::string_view host;  // host[:port] as written, userinfo dropped
  std::string_view path;
  std::string_view query;
};

bool SplitUrl(std::string_view url, UrlParts* parts) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  parts->scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  // WHATWG URL parsers (fetch) and curl leave a scheme's default port out of Host.
  const bool https = EqualsIgnoreCase(parts->scheme, "https");
  const std::string_view default_port = https ? ":443" : ":80";
  if (authority.ends_with(default_port)) authority.remove_suffix(default_port.size());
  parts->host = authority;
  const size_t question = rest.find('?');
  parts->path = rest.substr(0, question);
  parts->query =
      question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  return (https || EqualsIgnoreCase(parts->scheme, "http")) && !parts->host.empty();
}

// Characters allowed in a credential scope part and an access key id: what AWS issues, and
// nothing that could end the scope ('/') or the Authorization header's fields (',', ' ').
bool IsScopeSafe(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsUnreserved(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool HasLineBreak(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string_view AsBytes(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string HashHex(std::string_view bytes) {
  Sha256 sha;
  sha.Update(bytes);
  return sha.Hex();
}

bool IsSigningHeader(std::string_view name, bool content_sha256) {
  return EqualsIgnoreCase(name, "authorization") || EqualsIgnoreCase(name, "x-amz-date") ||
         EqualsIgnoreCase(name, "x-amz-security-token") ||
         (content_sha256 && EqualsIgnoreCase(name, "x-amz-content-sha256"));
}

}  // namespace

std::string AmzDate(int64_t unix_ms) {
  if (unix_ms < 0 || unix_ms > kMaxUnixMs) return "";
  const int64_t seconds = unix_ms / 1000;
  int64_t days = seconds / 86400;
  const int64_t second_of_day = seconds % 86400;
  // Howard Hinnant's civil_from_days.
  days += 719468;
  const int64_t era = days / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const auto two = [](int64_t v) {
    return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  };
  return two(year / 100) + two(year % 100) + two(month) + two(day) + "T" +
         two(second_of_day / 3600) + two(second_of_day / 60 % 60) + two(second_of_day % 60) + "Z";
}

std::string AwsUriEncode(std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string SigV4CanonicalUri(std::string_view path) {
  // RFC 3986 "remove dot segments", plus empty segments collapsed, as the SDKs normalize.
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string normalized = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized += '/';
    normalized.append(segments[i]);
  }
  if (!segments.empty() && path.ends_with('/')) normalized += '/';
  // Encoded again as it stands: the path on the wire is already encoded, and AWS (but S3)
  // compares against the double encoding.
  return AwsUriEncode(normalized, /*keep_slash=*/true);
}

std::string SigV4CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    if (!param.empty()) {
      const size_t eq = param.find('=');
      const std::string_view key = param.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
      params.emplace_back(AwsUriEncode(PercentDecode(key), false),
                          AwsUriEncode(PercentDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());  // by encoded name, then value, byte order
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

bool SignSigV4(const SigV4Credentials& credentials, const SigV4Params& params, HttpRequest* request,
               Error* error, SigV4Steps* steps) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Invalid(error, "AWS credentials need an access key id and a secret access key");
  }
  if (!IsScopeSafe(credentials.access_key_id)) {
    return Invalid(error, "the AWS access key id has characters an access key id cannot have");
  }
  if (!IsScopeSafe(credentials.region)) {
    return Invalid(error, "the AWS region '" + credentials.region +
                              "' is empty or not a region name (like us-east-1)");
  }
  if (!IsScopeSafe(params.service)) {
    return Invalid(error, "the SigV4 service name is empty or not a signing name");
  }
  if (HasLineBreak(credentials.session_token)) {
    return Invalid(error, "the AWS session token has a line break");
  }
  const std::string amz_date = AmzDate(params.unix_ms);
  if (amz_date.empty()) {
    return Invalid(error, "the signing time " + std::to_string(params.unix_ms) +
                              " ms is not within the years 1970..9999");
  }
  UrlParts url;
  if (!SplitUrl(request->url, &url)) {
    return Invalid(error, "a SigV4-signed request needs an http(s) URL with a host");
  }

  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request->headers.size() + 4);
  for (const auto& header : request->headers) {
    if (!IsSigningHeader(header.first, params.add_content_sha256)) headers.push_back(header);
  }
  const std::string payload_hash = HashHex(request->body);
  headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (params.add_content_sha256) headers.emplace_back("X-Amz-Content-Sha256", payload_hash);

  // Canonical headers: lower-case names, sorted; repeated names joined with ',' in order.
  std::vector<std::pair<std::string, std::string>> canonical;
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    std::string lower = ToLowerAscii(name);
    if (IsUnsignable(lower)) continue;
    has_host = has_host || lower == "host";
    canonical.emplace_back(std::move(lower), CanonicalValue(value));
  }
  if (!has_host) canonical.emplace_back("host", std::string(url.host));
  std::stable_sort(canonical.begin(), canonical.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (size_t i = 0; i < canonical.size(); ++i) {
    if (i > 0 && canonical[i].first == canonical[i - 1].first) {
      canonical_headers.back() = ',';  // replaces the previous line's '\n'
    } else {
      if (!signed_headers.empty()) signed_headers += ';';
      signed_headers += canonical[i].first;
      canonical_headers += canonical[i].first + ":";
    }
    canonical_headers += canonical[i].second + "\n";
  }

  std::string canonical_request = request->method + "\n" + SigV4CanonicalUri(url.path) + "\n" +
                                  SigV4CanonicalQuery(url.query) + "\n" + canonical_headers + "\n" +
                                  signed_headers + "\n" + payload_hash;
  const std::string date = amz_date.substr(0, 8);
  const std::string scope =
      date + "/" + credentials.region + "/" + std::string(params.service) + "/aws4_request";
  std::string string_to_sign =
      std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + HashHex(canonical_request);

  // The signing key chain: the secret never leaves this function.
  const Sha256Digest date_key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  const Sha256Digest region_key = HmacSha256(AsBytes(date_key), credentials.region);
  const Sha256Digest service_key = HmacSha256(AsBytes(region_key), params.service);
  const Sha256Digest signing_key = HmacSha256(AsBytes(service_key), "aws4_request");
  const Sha256Digest mac = HmacSha256(AsBytes(signing_key), string_to_sign);
  std::string signature = ToHex(mac.data(), mac.size());

  headers.emplace_back("Authorization", std::string(kAlgorithm) +
                                            " Credential=" + credentials.access_key_id + "/" +
                                            scope + ", SignedHeaders=" + signed_headers +
                                            ", Signature=" + signature);
  request->headers = std::move(headers);
  if (steps != nullptr) {
    steps->amz_date = amz_date;
    steps->canonical_request = std::move(canonical_request);
    steps->string_to_sign = std::move(string_to_sign);
    steps->signed_headers = std::move(signed_headers);
    steps->signature = std::move(signature);
  }
  return true;
}

}  // namespace llmstream::request_internal
