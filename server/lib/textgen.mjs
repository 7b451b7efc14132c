// Deterministic text: the same prompt always gives the same tokens, byte for byte.
//
// Tokens look like a real tokenizer's output so that clients get exercised the same way:
// words carry their leading space, punctuation comes as its own token, long words are cut
// into pieces, and the prose contains multi-byte UTF-8 (é, ï, curly quotes, an emoji).

const PROSE =
  ' This reply comes from the llmstream local provider — café, naïve, “quotes” and 🚀 included —' +
  ' streamed one token at a time. Each word keeps its leading space; punctuation arrives on its' +
  ' own, and long words such as internationalization are cut into pieces.' +
  ' The same request always yields the same bytes, so tests stay stable.';

const REASONING_PROSE =
  ' I should answer briefly, mention the prompt, and keep the reply deterministic.' +
  ' First restate the question; then continue with the fixed prose. Résumé: done ✅.';

// A token is: optional whitespace + up to 10 word characters, or optional whitespace + one
// other character (a code point, so an emoji stays whole), or trailing whitespace. The
// concatenation of all tokens is always the input text.
const TOKEN_RE = /\s*[\p{L}\p{N}_']{1,10}|\s*[^\s\p{L}\p{N}_']|\s+$/gu;

/** Splits text into tokenizer-like pieces whose concatenation is exactly `text`. */
export function tokenize(text) {
  return text.match(TOKEN_RE) ?? [];
}

const PROSE_TOKENS = tokenize(PROSE);
const REASONING_TOKENS = tokenize(REASONING_PROSE);

// stamp=1: tokens carry this fixed-width placeholder, replaced by the write time (delivery.mjs),
// so that a client can measure the latency from the server's write to its own delivery.
export const STAMP_PLACEHOLDER = '@@@@@@@@@@@@@@@@@@@';

/** `count` stamp tokens (" t" + placeholder each). */
export function stampTokens(count) {
  return Array.from({ length: count }, () => ` t${STAMP_PLACEHOLDER}`);
}

/**
 * A continuation: `partial` is the start of an earlier answer to the same prompt that the
 * client asks to continue (an Anthropic prefill, or an assistant turn followed by "continue").
 * Returns the rest of that deterministic answer, as a model would continue it, or null when
 * `partial` is not how this server's answer began.
 */
export function continuationTokens(prompt, count, partial) {
  const whole = replyTokens(prompt, count).join('');
  if (!partial || !whole.startsWith(partial)) return null;
  return tokenize(whole.slice(partial.length));
}

/** Rough token estimate used for usage numbers: ceil(chars / 4), at least 1. */
export function estimateTokens(chars) {
  return Math.max(1, Math.ceil(chars / 4));
}

/** The prompt as quoted in replies: whitespace collapsed, at most 12 words / 80 chars. */
function excerpt(prompt) {
  const full = prompt.trim().split(/\s+/).filter(Boolean).join(' ');
  let quoted = full.split(' ').slice(0, 12).join(' ');
  const chars = Array.from(quoted); // code points: never cut an emoji in half
  if (chars.length > 80) quoted = chars.slice(0, 80).join('').trimEnd();
  return quoted.length < full.length ? `${quoted}…` : quoted;
}

/**
 * `count` answer tokens for `prompt`: a sentence quoting the prompt, then fixed prose
 * (repeated as needed). `variant` (the choice index for n > 1) starts the prose elsewhere
 * so that the choices differ.
 */
export function replyTokens(prompt, count, variant = 0) {
  const quoted = excerpt(prompt);
  const head = tokenize(quoted ? `You said: “${quoted}”.` : 'Hello!');
  return take(head, PROSE_TOKENS, count, variant * 5);
}

/** `count` reasoning tokens for `prompt`, in the same style. */
export function reasoningTokens(prompt, count) {
  const quoted = excerpt(prompt);
  const head = tokenize(quoted ? `The user wrote “${quoted}”.` : 'The user sent no text.');
  return take(head, REASONING_TOKENS, count, 0);
}

function take(head, cycle, count, offset) {
  const out = head.slice(0, count);
  for (let i = 0; out.length < count; i++) out.push(cycle[(offset + i) % cycle.length]);
  return out;
}

/**
 * Cuts `tokens` at the earliest occurrence of any stop sequence. Returns the kept tokens
 * (the last one possibly shortened) and the matched sequence, or null when none matched.
 */
export function cutAtStop(tokens, stops) {
  if (!stops.length) return { tokens, stop: null };
  const text = tokens.join('');
  let at = -1;
  let stop = null;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      stop = s;
    }
  }
  if (at < 0) return { tokens, stop: null };
  const kept = [];
  let pos = 0;
  for (const token of tokens) {
    if (pos + token.length <= at) {
      kept.push(token);
    } else {
      if (pos < at) kept.push(token.slice(0, at - pos));
      break;
    }
    pos += token.length;
  }
  return { tokens: kept, stop };
}
