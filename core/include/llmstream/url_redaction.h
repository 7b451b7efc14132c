// Secrets in URLs: one rule, used wherever a URL is shown (error messages, logs, recordings, the
// npm package's errors, the playground's wire inspector).
//
//   RedactUrl("http://user:PASS@host/v1?sig=S&alt=sse#t")
//       == "http://user:[redacted]@host/v1?sig=[redacted]&alt=sse#[redacted]"
//
// A base URL may carry a password (userinfo), a signed-URL signature or an API key in its query
// (Azure SAS `sig`, S3 `X-Amz-Signature`, Google `key`), or a token in its fragment. The rule:
//
//  - userinfo (the authority's part before its last '@'): `user:pass@` keeps the user name and
//    masks the password; a userinfo with no ':' (`TOKEN@host`, where keys are often put) is
//    masked whole. Only the authority counts: an '@' in the path or the query is left alone.
//  - a port that is not a number (`host:pa`): what is left of a password holding an unencoded
//    '/', '?' or '#', which ends the authority early for every parser (curl, WHATWG). Masked.
//  - query parameters named like secrets (kSecretUrlParams): their values are masked; all others
//    are kept. Parameters are split at '&' and ';'; a masked value runs to the next '&' (a ';'
//    inside a signature must not leak its tail). Empty values stay empty.
//  - the fragment ('#' to the end, OAuth implicit-flow tokens live there) is masked.
//
// The authority starts after `scheme:` and its slashes, after a leading "//", or, with neither
// (`user:pass@host/v1`, a base URL typed without a scheme), at the start. It ends at the first
// '/', '\\', '?' or '#'. A URL inside another URL's query value is not looked into.
//
// Nothing here throws (short of std::bad_alloc) and every function is linear in its input. The npm
// package implements the same rule in JS (npm/src/redact-url.js) on this table, generated into
// abi.js; tests/node/url_redaction.test.mjs runs both on the same cases and on random URLs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream {

// What a masked part is replaced with (the same mark Redacted() puts in headers).
inline constexpr std::string_view kRedactedMark = "[redacted]";

enum class SecretParamMatch : uint8_t {
  // A word of the name ends with it: the name is percent-decoded and split into words at
  // anything but ASCII letters, digits and non-ASCII bytes; each such word is also split at
  // camelCase humps ("apiKeyId", "APIKey") and between letters and digits ("key2"), and both
  // kinds of word count. So `api_key`, `X-Api-Key`, `apiKey`, `SiG`, `subscription-key`,
  // `accesstoken`, `X-Amz-Security-Token` and `%73ig` are secrets, while `keyword`, `design`,
  // `max_tokens` and `author` are not.
  kWordEnd = 0,
  // The whole (percent-decoded) name is it: names too common as a word of ordinary names
  // (`country_code`, `status_code`).
  kWholeName = 1,
};

struct SecretUrlParam {
  std::string_view name;  // lower case, ASCII
  SecretParamMatch match;
};

// Query parameter names whose values are secrets, compared ASCII case-insensitively. The one
// table: the npm package reads it from abi.js (platform/wasm/abi_gen.cpp writes it there).
// Azure SAS: only `sig` signs; `se` (expiry), `sp` (permissions), `sv`, `sr` are not secret and
// help when debugging a rejected URL, so they stay visible.
inline constexpr std::array<SecretUrlParam, 17> kSecretUrlParams = {{
    {"key", SecretParamMatch::kWordEnd},     // key, api_key, apikey, x-goog-api-key
    {"token", SecretParamMatch::kWordEnd},   // access_token, x-amz-security-token
    {"secret", SecretParamMatch::kWordEnd},  // client_secret
    {"password", SecretParamMatch::kWordEnd},
    {"passwd", SecretParamMatch::kWordEnd},
    {"pass", SecretParamMatch::kWordEnd},
    {"pwd", SecretParamMatch::kWordEnd},
    {"sig", SecretParamMatch::kWordEnd},         // Azure SAS
    {"signature", SecretParamMatch::kWordEnd},   // x-amz-signature, x-goog-signature
    {"credential", SecretParamMatch::kWordEnd},  // x-amz-credential, x-goog-credential
    {"credentials", SecretParamMatch::kWordEnd},
    {"auth", SecretParamMatch::kWordEnd},  // auth, oauth
    {"authorization", SecretParamMatch::kWordEnd},
    {"jwt", SecretParamMatch::kWordEnd},
    {"session", SecretParamMatch::kWholeName},        // a session id is a bearer secret
    {"code", SecretParamMatch::kWholeName},           // OAuth authorization code
    {"code_verifier", SecretParamMatch::kWholeName},  // OAuth PKCE
}};

// Whether a query parameter with this (raw, possibly percent-encoded) name has a secret value.
bool IsSecretUrlParam(std::string_view name);

// The URL with its secrets masked as described above. Any input is accepted (no scheme, IPv6
// hosts, '@' in the path, invalid percent escapes, binary): what is not recognised is kept.
std::string RedactUrl(std::string_view url);

// Free text (an error message, a server's reply) with every URL in it redacted: each
// `scheme://...` run and each relative `?query` run (servers echo "POST /v1/chat?key=...") up to
// whitespace, a control character, a quote, '`', '<' or '>'. Trailing '.', ',', ';', ':', '!' and
// unbalanced ')' are prose, not URL, as linkifiers read them ("(see http://h/?key=k).").
// A URL without a scheme is not recognised in text.
std::string RedactUrlsInText(std::string_view text);

// The secret parts of a URL as they appear in it (password or userinfo, a non-numeric port,
// secret parameter values, the fragment), each also percent-decoded when that differs and is
// ASCII: for scrubbers that mask known secrets wherever they show up (a server that echoes a
// signature without the URL around it). Empty parts are left out.
std::vector<std::string> UrlSecrets(std::string_view url);

}  // namespace llmstream
