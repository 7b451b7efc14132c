// Streamed JSON array framing (docs/wire-formats.md "Streamed JSON array"; Gemini
// `streamGenerateContent` without `alt=sse`): `[` element `,\r\n` element ... `]`, each element
// pretty-printed and flushed as it is produced.

/** Gemini's element text: JSON indented by two spaces (the recorded array's layout). */
export function arrayElement(value) {
  return JSON.stringify(value, null, 2);
}

/**
 * The pieces written for element `index` of a streamed array: `[` before the first, `\n,\r\n`
 * (as Gemini writes it: LF, comma, CRLF) before the others.
 */
export function elementPiece(value, index) {
  return `${index === 0 ? '[' : '\n,\r\n'}${arrayElement(value)}`;
}

/** What ends the array after `count` elements (`[]` when there were none). */
export function arrayEnd(count) {
  return count === 0 ? '[]' : '\n]';
}

/**
 * Splits a recorded array body into pieces, each ending right after one element's closing
 * bracket (the separator before an element goes with it), and a last piece with what follows
 * the last element (`\n]`). Brackets are counted outside strings; the concatenation is the body.
 */
export function splitElements(body) {
  const out = [];
  let start = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let seenOpen = false; // the array's own `[`
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (!seenOpen) seenOpen = true;
      else depth++;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) continue; // the array's own `]`
      depth--;
      if (depth === 0) {
        out.push(body.subarray(start, i + 1));
        start = i + 1;
      }
    }
  }
  if (start < body.length) out.push(body.subarray(start));
  return out;
}
