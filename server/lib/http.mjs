// Small HTTP helpers: CORS, JSON answers, request bodies.

// Browsers (the web playground) may only read response headers that are exposed.
const EXPOSED_HEADERS = [
  'x-request-id',
  'request-id',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'openai-processing-ms',
  'openai-version',
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-debug-trace-id',
  ...['requests', 'tokens'].flatMap((what) =>
    ['limit', 'remaining', 'reset'].map((field) => `x-ratelimit-${field}-${what}`),
  ),
  ...['requests', 'tokens', 'input-tokens', 'output-tokens'].flatMap((what) =>
    ['limit', 'remaining', 'reset'].map((field) => `anthropic-ratelimit-${what}-${field}`),
  ),
].join(', ');

/** CORS headers for every answer of the API (not of the control endpoints, /_llmstream/). */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED_HEADERS,
};

/**
 * Answers a CORS preflight for the API (never for /_llmstream/, whose preflights are refused).
 * The requested headers are echoed rather than answered with `*` because `*` does not cover
 * `Authorization` (Fetch standard), which the SDKs send.
 */
export function answerPreflight(req, res) {
  const headers = {
    ...CORS_HEADERS,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] || '*',
    'access-control-max-age': '86400',
    vary: 'Access-Control-Request-Headers',
  };
  // Chrome's Private Network Access asks before a public page may call localhost.
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  res.writeHead(204, headers);
  res.end();
}

/** A JSON answer; with the CORS headers unless `cors` is false. */
export function sendJson(res, status, value, headers = {}, { cors = true } = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...(cors ? CORS_HEADERS : {}),
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export class BodyTooLargeError extends Error {}

/** The server's request deadline (`requestTimeoutMs`) passed before the body was complete. */
export class RequestTimeoutError extends Error {}

/**
 * The whole request body; rejects with BodyTooLargeError past `limit` bytes, with
 * RequestTimeoutError when Node's request deadline closed the socket first (Node has then
 * already answered 408), else with an Error when the client went away.
 */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // Past the limit the rest is still read, and dropped, so that the 413 gets delivered.
      if (size > limit) reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // The request emits 'error' ('aborted') and 'close' whoever closed the socket; the
    // socket's own error tells the deadline apart from a client that went away.
    const ended = (err) => {
      if (req.socket?.errored?.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        reject(new RequestTimeoutError('request not received within the deadline'));
      } else {
        reject(err ?? new Error('client disconnected while sending the body'));
      }
    };
    req.on('error', ended);
    req.on('close', () => req.complete || ended());
  });
}
