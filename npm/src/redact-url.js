// Secrets in URLs: the core's rule (core/include/llmstream/url_redaction.h, which says what is
// masked and why) in JS, so that it works before the wasm core loads (a failed load names the
// .wasm URL, which may be signed) and in code that never loads it (the playground's wire
// inspector). The table of secret parameter names is the core's, from abi.js; the scanning is a
// line-for-line copy of core/src/request/redact.cpp, which tests/node/url_redaction.test.mjs
// holds to the C++ (the same hand-written cases, and random URLs through the wasm core's
// redactUrl). Works on UTF-16 code units where the C++ works on UTF-8 bytes: every non-ASCII unit
// is a word character there as every non-ASCII byte is here, so the two agree.

import { REDACTED_MARK, SECRET_URL_PARAMS } from '../dist/core/abi.js';

const WORD_END = SECRET_URL_PARAMS.filter((p) => p.match === 'word_end').map((p) => p.name);
const WHOLE_NAME = new Set(SECRET_URL_PARAMS.filter((p) => p.match === 'whole_name').map((p) => p.name));

// Character classes on code units (ASCII only: String#toLowerCase would fold the Kelvin sign
// into 'k', which the C++ does not).
const isAlpha = (c) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isUpper = (c) => c >= 0x41 && c <= 0x5a;
const isLower = (c) => c >= 0x61 && c <= 0x7a;
const isSchemeChar = (c) => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e; // + - .
const isWordChar = (c) => isAlpha(c) || isDigit(c) || c >= 0x80;
const isSlash = (c) => c === 0x2f || c === 0x5c; // / \
// Where a URL quoted in free text ends: whitespace and controls, " ' < > `
const endsTextUrl = (c) => c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60;
const lowerAscii = (c) => (isUpper(c) ? c + 32 : c);

function hexValue(c) {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** %XX escapes decoded once, each to one code unit (the C++ decodes to one byte). */
function percentDecode(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        out += String.fromCharCode(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

function endsWithIgnoreCase(name, wordStart, wordEnd, lowerSuffix) {
  if (wordEnd - wordStart < lowerSuffix.length) return false;
  const from = wordEnd - lowerSuffix.length;
  for (let i = 0; i < lowerSuffix.length; i++) {
    if (lowerAscii(name.charCodeAt(from + i)) !== lowerSuffix.charCodeAt(i)) return false;
  }
  return true;
}

function wordBreak(name, i) {
  const prev = name.charCodeAt(i - 1);
  const cur = name.charCodeAt(i);
  if (isLower(prev) && isUpper(cur)) return true;
  if (isUpper(prev) && isUpper(cur) && i + 1 < name.length && isLower(name.charCodeAt(i + 1))) return true;
  return (isAlpha(prev) && isDigit(cur)) || (isDigit(prev) && isAlpha(cur));
}

/**
 * Whether a query parameter with this (raw, possibly percent-encoded) name has a secret value.
 * @param {string} rawName
 */
export function isSecretUrlParam(rawName) {
  const name = percentDecode(String(rawName));
  let lower = '';
  for (let i = 0; i < name.length; i++) lower += String.fromCharCode(lowerAscii(name.charCodeAt(i)));
  if (WHOLE_NAME.has(lower)) return true;
  const wordIsSecret = (start, end) => WORD_END.some((suffix) => endsWithIgnoreCase(name, start, end, suffix));
  let tokenStart = -1;
  let wordStart = -1;
  for (let i = 0; i <= name.length; i++) {
    const wordChar = i < name.length && isWordChar(name.charCodeAt(i));
    if (wordStart >= 0 && (!wordChar || wordBreak(name, i))) {
      if (wordIsSecret(wordStart, i)) return true;
      wordStart = -1;
    }
    if (tokenStart >= 0 && !wordChar) {
      if (wordIsSecret(tokenStart, i)) return true;
      tokenStart = -1;
    }
    if (wordChar && wordStart < 0) wordStart = i;
    if (wordChar && tokenStart < 0) tokenStart = i;
  }
  return false;
}

function authorityStart(url) {
  let i = 0;
  if (url.length > 0 && isAlpha(url.charCodeAt(0))) {
    while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++;
    if (i < url.length && url.charCodeAt(i) === 0x3a) {
      let j = i + 1;
      while (j < url.length && isSlash(url.charCodeAt(j))) j++;
      if (j > i + 1) return j;
    }
  }
  if (url.length >= 2 && isSlash(url.charCodeAt(0)) && isSlash(url.charCodeAt(1))) {
    let j = 0;
    while (j < url.length && isSlash(url.charCodeAt(j))) j++;
    return j;
  }
  return 0;
}

/** Calls onSecret(begin, end) for each non-empty secret part of `url`, in order. */
function forEachUrlSecret(url, onSecret) {
  const start = authorityStart(url);
  let authEnd = start;
  while (authEnd < url.length) {
    const c = url.charCodeAt(authEnd);
    if (isSlash(c) || c === 0x3f || c === 0x23) break; // ? #
    authEnd++;
  }
  const authority = url.slice(start, authEnd);

  let hostStart = start;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const colon = authority.slice(0, at).indexOf(':');
    const secretBegin = start + (colon < 0 ? 0 : colon + 1);
    if (start + at > secretBegin) onSecret(secretBegin, start + at);
    hostStart = start + at + 1;
  }

  const hostPort = url.slice(hostStart, authEnd);
  let portBegin = -1;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close >= 0 && close + 1 < hostPort.length && hostPort[close + 1] === ':') portBegin = hostStart + close + 2;
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) portBegin = hostStart + colon + 1;
  }
  if (portBegin >= 0 && portBegin < authEnd) {
    let numeric = true;
    for (let i = portBegin; i < authEnd; i++) numeric = numeric && isDigit(url.charCodeAt(i));
    if (!numeric) onSecret(portBegin, authEnd);
  }

  const hash = url.indexOf('#', authEnd);
  const queryEnd = hash < 0 ? url.length : hash;
  const question = url.indexOf('?', authEnd);
  if (question >= 0 && question < queryEnd) {
    let pos = question + 1;
    while (pos <= queryEnd) {
      let segmentEnd = pos;
      while (segmentEnd < queryEnd && url[segmentEnd] !== '&' && url[segmentEnd] !== ';') segmentEnd++;
      const segment = url.slice(pos, segmentEnd);
      const eq = segment.indexOf('=');
      if (eq >= 0 && isSecretUrlParam(segment.slice(0, eq))) {
        const valueBegin = pos + eq + 1;
        let valueEnd = valueBegin;
        while (valueEnd < queryEnd && url[valueEnd] !== '&') valueEnd++;
        if (valueEnd > valueBegin) onSecret(valueBegin, valueEnd);
        pos = valueEnd + 1;
      } else {
        pos = segmentEnd + 1;
      }
    }
  }
  if (hash >= 0 && hash + 1 < url.length) onSecret(hash + 1, url.length);
}

function redacted(url) {
  let out = '';
  let copied = 0;
  forEachUrlSecret(url, (begin, end) => {
    out += url.slice(copied, begin) + REDACTED_MARK;
    copied = end;
  });
  return out + url.slice(copied);
}

/**
 * The URL with its secrets masked: the password of its userinfo (a userinfo without ':' whole),
 * a non-numeric port, the values of secret-named query parameters, the fragment. Never throws;
 * anything that is not a string is first made one (a URL object, undefined).
 * @param {unknown} url
 * @returns {string}
 */
export function redactUrl(url) {
  return redacted(String(url));
}

/**
 * Free text with every `scheme://...` URL and every relative `?query` in it redacted (error
 * messages quote the URL they failed on).
 * @param {unknown} text
 * @returns {string}
 */
export function redactUrlsInText(text) {
  const s = String(text);
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < s.length) {
    let begin = -1;
    let scanFrom = i + 1;
    if (s.charCodeAt(i) === 0x3f) {
      begin = i;
    } else if (s.startsWith('://', i)) {
      begin = i;
      while (begin > copied && isSchemeChar(s.charCodeAt(begin - 1))) begin--;
      while (begin < i && !isAlpha(s.charCodeAt(begin))) begin++;
      if (begin === i) begin = i + 1;
      scanFrom = i + 3;
    }
    if (begin < 0) {
      i++;
      continue;
    }
    let end = scanFrom;
    let opens = 0;
    let closes = 0;
    while (end < s.length && !endsTextUrl(s.charCodeAt(end))) {
      if (s[end] === '(') opens++;
      if (s[end] === ')') closes++;
      end++;
    }
    while (end > scanFrom) {
      const last = s[end - 1];
      if (last === '.' || last === ',' || last === ';' || last === ':' || last === '!') {
        end--;
      } else if (last === ')' && closes > opens) {
        end--;
        closes--;
      } else {
        break;
      }
    }
    out += s.slice(copied, begin) + redacted(s.slice(begin, end));
    copied = i = end;
  }
  return out + s.slice(copied);
}

/**
 * The secret parts of a URL as they appear in it, each also percent-decoded when that differs
 * and is ASCII: for masking them wherever they show up (a server that echoes a signature).
 * @param {unknown} url
 * @returns {string[]}
 */
export function urlSecrets(url) {
  const s = String(url);
  const secrets = [];
  forEachUrlSecret(s, (begin, end) => {
    const raw = s.slice(begin, end);
    secrets.push(raw);
    const decoded = percentDecode(raw);
    // eslint-disable-next-line no-control-regex
    if (decoded !== raw && /^[\x00-\x7f]*$/.test(decoded)) secrets.push(decoded);
  });
  return secrets;
}
