// Signatures the local provider issues on its own output (Anthropic thinking `signature`,
// Bedrock reasoningText `signature`, Gemini `thoughtSignature`, Responses `encrypted_content`,
// redacted reasoning data) and checks when a client sends them back on the next turn, as the
// real providers do: a signature that does not match the text it came with, or one this server
// never issued, is refused with the provider's own error shape.
//
// An HMAC-SHA256 of (kind, text) under a fixed key: stateless (any request may carry any earlier
// answer's signature back, to any server process) and deterministic (the same answer for the same
// request, as the rest of the local provider), and opaque to clients, like the real ones. Not a
// security boundary: only a test oracle for "the round trip kept it byte for byte".
import { createHmac } from 'node:crypto';

const KEY = 'llmstream local provider: round-trip signatures';

/** The signature of `text` as `kind` ("thinking", "thought", "redacted", "encrypted" ...). */
export function sign(kind, text) {
  return createHmac('sha256', KEY).update(`${kind}\0${text}`).digest('base64');
}

/** Whether `signature` is the one sign(kind, text) gives. */
export function verify(kind, text, signature) {
  return typeof signature === 'string' && signature === sign(kind, text);
}

/**
 * Opaque data that carries `text` (redacted thinking, encrypted reasoning): base64 of a JSON
 * {t, s} with its own signature, so the server can read the text back and tell tampering.
 */
export function seal(kind, text) {
  return Buffer.from(JSON.stringify({ t: text, s: sign(kind, text) })).toString('base64');
}

/** The text sealed in `data`, or null when it is not data seal(kind, ...) made. */
export function unseal(kind, data) {
  if (typeof data !== 'string') return null;
  try {
    const { t, s } = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    return typeof t === 'string' && verify(kind, t, s) ? t : null;
  } catch {
    return null;
  }
}
