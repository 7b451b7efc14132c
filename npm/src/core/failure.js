// What a fetch or read rejection means for the core: a timeout or a network failure, a one-line
// message, and the platform's own code (Node: error.cause.code such as 'ECONNRESET'; browsers:
// the DOMException name). The core classifies it from there (retry or not, the final error).

import { ERRORS } from '../../dist/core/abi.js';
import { redactUrlsInText } from '../redact-url.js';

const codeNumber = (name) => /** @type {number} */ (ERRORS.find((e) => e.name === name)?.number);
const TIMEOUT = codeNumber('timeout');
const NETWORK = codeNumber('network');

// Platform codes of transport failures that are timeouts rather than network errors.
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TimeoutError',
]);

/**
 * @param {unknown} error what fetch() or a body read rejected with
 * @returns {{code: number, message: string, platformCode: string}} code: the ErrorCode number
 *   (timeout or network)
 */
export function describeFailure(error) {
  const e = /** @type {any} */ (error);
  const chain = [];
  for (let c = e, depth = 0; c && depth < 4; c = c.cause, depth++) chain.push(c);
  let platformCode = '';
  for (const c of chain) {
    if (typeof c.code === 'string' && c.code) {
      platformCode = c.code;
      break;
    }
  }
  if (!platformCode) {
    for (const c of chain) {
      if (typeof c.name === 'string' && c.name && c.name !== 'Error' && c.name !== 'TypeError') {
        platformCode = c.name;
        break;
      }
    }
  }
  const parts = [];
  for (const c of chain) {
    const m = typeof c.message === 'string' ? c.message : String(c);
    if (m && !parts.includes(m)) parts.push(m);
  }
  // Redacted before the core sees it: fetch quotes the URL it refused ("Request cannot be
  // constructed from a URL that includes credentials: http://user:PASS@...").
  let message = redactUrlsInText(parts.join(': ')) || 'the request failed';
  if (platformCode && !message.includes(platformCode)) message += ` (${platformCode})`;
  return { code: TIMEOUT_CODES.has(platformCode) ? TIMEOUT : NETWORK, message, platformCode };
}
