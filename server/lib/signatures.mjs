// Signatures the local provider issues on its own output (Anthropic thinking `signature`,
// Bedrock reasoningText `signature`, Gemini `thoughtSignature`, Responses `encrypted_content`,
// redacted reasoning data) and checks when a client sends them back on the next turn, as the
// real providers do: a signature that does not match the text it came with, or one this server
// never issued, is refused with the provider's own error shape. Linked ids (linkedId) name, in an
// item's id, the earlier item the next turn must carry with it.
//
// An HMAC-SHA256 of (kind, text) under a fixed key: stateless (any request may carry any earlier
// answer's signature back, to any server process) and deterministic (the same answer for the same
// request, as the rest of the local provider), and opaque to clients, like the real ones. Not a
// security boundary: only a test oracle for "the round trip kept it byte for byte".
import { createHmac } from 'node:crypto';

const KEY = 'llmstream local provider: round-trip signatures';

const mac = (kind, text) => createHmac('sha256', KEY).update(`${kind}\0${text}`).digest();

/** The signature of `text` as `kind` ("thinking", "thought", "redacted", "encrypted" ...). */
export function sign(kind, text) {
  return mac(kind, text).toString('base64');
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

// Letters and digits, as in the ids plan.mjs makes.
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const OWN_CHARS = 10;
const TAG_CHARS = 8;

/**
 * The id of an item the API refuses on the next turn without item `parent` (a Responses
 * function_call without the reasoning item before it): `${prefix}<parent's id after its
 * prefix><own><tag>`, `own` the first OWN_CHARS characters of the item's own id (letters or
 * digits), `tag` TAG_CHARS more from an HMAC of the rest. The server reads the parent back from
 * the id alone (no state, as for the signatures), and the tag tells these ids from any other.
 */
export function linkedId(prefix, parent, ownId) {
  const own = ownId.slice(0, OWN_CHARS);
  const digest = mac('linked', `${prefix}\0${parent}\0${own}`);
  let tag = '';
  for (let i = 0; i < TAG_CHARS; i++) tag += ID_ALPHABET[digest[i] % ID_ALPHABET.length];
  return `${prefix}${parent.slice(parent.indexOf('_') + 1)}${own}${tag}`;
}

/** The parent id (its prefix `parentPrefix`) linkedId put into `id`, or null for other ids. */
export function linkedParent(id, prefix, parentPrefix) {
  if (typeof id !== 'string' || !id.startsWith(prefix)) return null;
  const body = id.slice(prefix.length);
  if (body.length <= OWN_CHARS + TAG_CHARS) return null;
  const parent = parentPrefix + body.slice(0, -(OWN_CHARS + TAG_CHARS));
  const own = body.slice(-(OWN_CHARS + TAG_CHARS), -TAG_CHARS);
  return linkedId(prefix, parent, own) === id ? parent : null;
}
