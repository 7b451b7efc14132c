// Error classes. A failed stream ends with one of these: the async iterator first yields the
// `{type: 'error'}` chunk (whose `error` is the instance) and then throws it on the next pull, so
// code that checks `chunk.error` and code that uses try/catch both see the failure; `complete()`
// rejects with it. Every instance carries the stable `code` of the core (error.h) and the partial
// completion delivered before the failure.

import { ERRORS } from '../dist/core/abi.js';
import { redactUrlsInText } from './redact-url.js';

/**
 * The core's stable error codes (`error.llmstreamCode`; also `error.code`, except below), from
 * the C++ (llmstream/error.h, through the generated abi.js): `ErrorCode.RATE_LIMITED` is
 * 'rate_limited'.
 */
export const ErrorCode = Object.freeze(
  Object.fromEntries(ERRORS.filter((e) => e.name !== 'none').map((e) => [e.name.toUpperCase(), e.name])),
);

const BY_NAME = new Map(ERRORS.map((e) => [e.name, e]));

export class LLMStreamError extends Error {
  /**
   * @param {string} message
   * @param {object} [details] code, status, providerType, retryAfterMs, partial, cause,
   *   platformCode
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    const llmstreamCode = details.code ?? ErrorCode.PROVIDER_ERROR;
    this.name = new.target.name;
    // Our code, always. `code` is the same, except for network errors that carry the platform's
    // own code ('ECONNRESET', 'ECONNREFUSED' ...), as Node's errors do.
    this.llmstreamCode = llmstreamCode;
    this.code = details.platformCode || llmstreamCode;
    this.status = details.status || undefined;
    this.providerType = details.providerType || undefined;
    const ms = details.retryAfterMs;
    this.retryAfterMs = typeof ms === 'number' && ms >= 0 ? ms : undefined;
    // Seconds, as the Retry-After header and openai-node put it.
    this.retryAfter = this.retryAfterMs === undefined ? undefined : this.retryAfterMs / 1000;
    this.retryable = BY_NAME.get(llmstreamCode)?.retryable ?? false;
    // The completion assembled before the failure (text delivered so far, usage...), or null.
    // Not enumerable, so that logging an error does not print the whole answer.
    Object.defineProperty(this, 'partial', {
      value: details.partial ?? null,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** Any HTTP status that is not 2xx (also a 2xx that is not an event stream). */
export class APIStatusError extends LLMStreamError {}
/** 401 / 403. */
export class AuthenticationError extends APIStatusError {}
/** 429 (Groq 498), after the retries. `retryAfter` (s) / `retryAfterMs` from the headers. */
export class RateLimitError extends APIStatusError {}
/** 5xx, Anthropic 529 overloaded, after the retries. */
export class ServerError extends APIStatusError {}
/** 400 / 404 / 413 / 422: retrying will not help. */
export class BadRequestError extends APIStatusError {}
/** Connection refused / reset / DNS / TLS. `code` is the platform's code when there is one. */
export class APIConnectionError extends LLMStreamError {}
/** No first byte in time (`timeout`) or no byte for too long mid-stream (`stalled`). */
export class TimeoutError extends LLMStreamError {}
/** The request's AbortSignal fired. Named 'AbortError', like fetch's. */
export class AbortError extends LLMStreamError {
  constructor(message = 'The stream was aborted', details = {}) {
    super(message, { code: ErrorCode.ABORTED, ...details });
    this.name = 'AbortError';
  }
}
/** The provider reported an error inside a 200 stream, or stopped it (content filter). */
export class ProviderError extends LLMStreamError {}
/** The body ended without the provider's terminal event. */
export class TruncatedError extends LLMStreamError {}
/** The request could not be built (no model, a bad option...): nothing was sent. */
export class InvalidRequestError extends LLMStreamError {}
/** A relay's policy refused the request (HTTP 403: a model it does not allow, maxTokens past its cap, a tool it lacks). */
export class PolicyViolationError extends APIStatusError {}

// The class of each code is the C++'s choice (platform/wasm/abi.h: JsErrorClass), by name.
const CLASSES = {
  LLMStreamError,
  APIStatusError,
  AuthenticationError,
  RateLimitError,
  ServerError,
  BadRequestError,
  APIConnectionError,
  TimeoutError,
  AbortError,
  ProviderError,
  TruncatedError,
  InvalidRequestError,
  PolicyViolationError,
};
for (const e of ERRORS) {
  if (!CLASSES[e.jsClass]) throw new Error(`llmstream: abi.js names the error class ${e.jsClass}, which errors.js lacks`);
}

/** The class used for a core error code (LLMStreamError for the rest). */
export function errorClassFor(code) {
  return CLASSES[BY_NAME.get(code)?.jsClass] ?? LLMStreamError;
}

const ERRNO_RE = /\b(E[A-Z]{3,}[A-Z0-9_]*)\b/;

// undici (Node's fetch) reports socket failures with codes of its own: the errno they stand for.
const UNDICI_CODES = {
  UND_ERR_SOCKET: 'ECONNRESET', // "other side closed": the connection dropped mid-response
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

// The platform's own code of a network failure: the first errno-style code on the cause chain
// (undici puts 'ECONNREFUSED' on the cause of its 'fetch failed' TypeError), undici's socket codes
// as the errno they stand for, else one named in a message. Undefined when there is none (browsers
// say only "network error").
function platformCodeOf(cause, message, reported) {
  if (typeof reported === 'string' && reported) {
    if (/^E[A-Z0-9]{3,}$/.test(reported)) return reported;
    if (UNDICI_CODES[reported]) return UNDICI_CODES[reported];
  }
  let mapped;
  for (let e = cause, depth = 0; e && typeof e === 'object' && depth < 6; e = e.cause, depth++) {
    const c = e.code;
    if (typeof c === 'string' && /^E[A-Z0-9]{3,}$/.test(c)) return c;
    if (typeof c === 'string' && UNDICI_CODES[c]) mapped ??= UNDICI_CODES[c];
    const m = typeof e.message === 'string' && e.message.match(ERRNO_RE);
    if (m) return m[1];
  }
  if (mapped) return mapped;
  const m = typeof message === 'string' && message.match(ERRNO_RE);
  return m ? m[1] : undefined;
}

// "fetch failed" / "terminated" say little: add the innermost cause's message.
function explain(message, cause) {
  if (!/^(fetch failed|terminated|network error|failed to fetch)$/i.test(message)) return message;
  let detail;
  for (let e = cause, depth = 0; e && typeof e === 'object' && depth < 6; e = e.cause, depth++) {
    if (typeof e.message === 'string' && e.message && e.message !== message) detail = e.message;
  }
  return detail ? `${message}: ${detail}` : message;
}

/**
 * `text` made safe to show: each URL in it redacted (redact-url.js: passwords, signatures, keys in
 * the query) and each known secret (API key, secret header values, the base URL's secrets)
 * replaced by "[redacted]".
 */
export function scrub(text, secrets) {
  let out = redactUrlsInText(String(text ?? ''));
  for (const s of secrets ?? []) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}

/**
 * Scrubs the message and stack of an error and of its causes in place (they are shown with the
 * error: `console.log(error)`, error reporters), as far as they let themselves be written.
 * @param {unknown} error @param {string[]} secrets
 */
export function scrubErrorChain(error, secrets) {
  for (let e = /** @type {any} */ (error), depth = 0; e && typeof e === 'object' && depth < 6; e = e.cause, depth++) {
    for (const key of ['message', 'stack']) {
      try {
        if (typeof e[key] === 'string') {
          const clean = scrub(e[key], secrets);
          if (clean !== e[key]) e[key] = clean;
        }
      } catch {
        // a frozen error or a getter: left as it is
      }
    }
  }
}

/**
 * An error instance from the core's error object ({code, message, status, providerType,
 * retryAfterMs, cause?}) or from anything thrown.
 */
export function toLLMStreamError(error, { partial = null, secrets = [] } = {}) {
  if (error instanceof LLMStreamError) {
    if (partial && !error.partial) error.partial = partial;
    return error;
  }
  const isObject = error !== null && typeof error === 'object';
  const known = isObject && typeof error.code === 'string' && BY_NAME.has(error.code);
  // Anything else thrown (a wasm abort, a bug in this package) is not a network failure: retrying
  // would hit it again.
  const code = known ? error.code : ErrorCode.INTERNAL;
  const message = scrub(
    (isObject ? error.message : String(error)) || `llmstream error: ${code}`,
    secrets,
  );
  const cause = isObject ? (known ? error.cause : error) : undefined;
  scrubErrorChain(cause, secrets);
  const details = {
    code,
    status: isObject ? (error.status ?? error.httpStatus) : undefined,
    providerType: isObject ? error.providerType : undefined,
    retryAfterMs: isObject ? error.retryAfterMs : undefined,
    partial,
    cause,
  };
  if (code === ErrorCode.NETWORK) {
    details.message = explain(message, cause);
    // The wasm driver reports the platform's code of a transport failure as providerType.
    details.platformCode =
      (isObject && typeof error.platformCode === 'string' && error.platformCode) ||
      platformCodeOf(cause, message, isObject ? error.providerType : undefined);
  }
  const Class = errorClassFor(code);
  const text = scrub(details.message ?? message, secrets);
  return Class === AbortError ? new AbortError(text, details) : new Class(text, details);
}
