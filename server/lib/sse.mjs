// Server-Sent Events framing (wire-formats.md section 1): building events, splitting a
// recorded body back into its events.

/** A data-only event (OpenAI Chat Completions framing). */
export function sseData(payload) {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** A named event whose JSON `type` equals the event name (Anthropic, OpenAI Responses). */
export function sseEvent(payload) {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';

/**
 * Splits a recorded SSE body into blocks, each ending after its blank line (LF, CRLF or CR
 * line ends), so that concatenating the blocks gives back the exact bytes. A comment block
 * counts as a block. Bytes after the last blank line (an unterminated tail) form a last block.
 */
export function splitEvents(body) {
  const ends = [];
  let lineStart = 0;
  let blockHasLine = false;
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c !== 0x0a && c !== 0x0d) {
      i++;
      continue;
    }
    const next = c === 0x0d && body[i + 1] === 0x0a ? i + 2 : i + 1;
    if (i !== lineStart) {
      blockHasLine = true;
    } else if (blockHasLine) {
      ends.push(next); // the blank line that dispatches the block
      blockHasLine = false;
    } else if (ends.length > 0) {
      ends[ends.length - 1] = next; // an extra blank line stays with the previous block
    }
    i = lineStart = next;
  }
  if (ends.at(-1) !== body.length) ends.push(body.length);
  const blocks = [];
  let start = 0;
  for (const end of ends) {
    if (end > start) blocks.push(body.subarray(start, end));
    start = end;
  }
  return blocks;
}
