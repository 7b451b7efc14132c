// NDJSON framing (docs/wire-formats.md "NDJSON"; Ollama): one compact JSON object per line,
// each ending with LF, and the splitting of a recorded body back into its lines.

/** One line: the value as compact JSON plus LF (as Go's json.Encoder writes it). */
export function ndjsonLine(value) {
  return `${JSON.stringify(value)}\n`;
}

/**
 * Splits a recorded body after every LF (the concatenation is the body); bytes after the last
 * LF form a last piece.
 */
export function splitLines(body) {
  const out = [];
  let start = 0;
  for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, start)) {
    out.push(body.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < body.length) out.push(body.subarray(start));
  return out;
}
