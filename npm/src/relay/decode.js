// The relay protocol's decoder (docs/relay-protocol.md): a relay's bytes (or text), in any split,
// back into the package's chunks, `{type: event, ...data}`, with the terminal `done` or `error`
// (an instance of the package's error class for its code, as a direct stream's). The same rules
// as the C++ core's RelayDecoder (llmstream/relay.h): event 0 is `start` and names a version this
// client speaks; every event has the next id (a gap or a duplicate breaks the stream: the relay
// guarantees neither); an event over the size limit fails with sse_event_too_large; comments
// (keep-alives) are skipped; a body that ends without done or error was cut (truncated: resume
// after lastEventId). Chunk types newer than this client pass through as they are.
//
// No WebAssembly here: a browser that reads a relay does not download the core.

import { RELAY } from '../../dist/core/abi.js';
import { ErrorCode, toLLMStreamError } from '../errors.js';
import { SseReader } from './sse.js';

const ID_RE = /^(0|[1-9][0-9]*)$/;
/** Events whose data #chunk rebuilds (errors, the completion, the toolCall alias). */
const SPECIAL = new Set(['tool_call_end', 'retry', 'done', 'error']);

export class RelayDecoder {
  /**
   * @param {{maxEventBytes?: number, resumeAfter?: number}} [options] maxEventBytes: the largest
   *   event data read (UTF-8 bytes); resumeAfter: reading a resume (Last-Event-ID): the first
   *   event is resumeAfter + 1, and no start comes
   */
  constructor({ maxEventBytes = RELAY.maxEventBytes, resumeAfter } = {}) {
    this.resumeAfter = resumeAfter;
    /** 'open', 'done', 'error' (the stream failed upstream), 'broken' (the bytes broke the protocol), 'cut' */
    this.end = 'open';
    /** @type {import('../errors.js').LLMStreamError | null} */
    this.error = null;
    this.streamId = '';
    this.model = '';
    /** @type {number | null} the id of the last event read: a resume's Last-Event-ID */
    this.lastEventId = null;
    /** The terminal event's `completion` (done's, or what error's says was assembled), when it had one. */
    this.completion = undefined;
    this.chunks = [];
    this.reader = new SseReader((event) => this.#onEvent(event), { maxEventBytes });
    // The BOM stays in the text: the SSE reader drops one, at the start, for bytes and strings alike.
    this.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  }

  /**
   * The chunks these bytes completed.
   * @param {Uint8Array | string} input
   * @returns {Record<string, any>[]}
   */
  push(input) {
    this.chunks = [];
    if (this.end !== 'open') return this.chunks;
    const text = typeof input === 'string' ? input : this.textDecoder.decode(input, { stream: true });
    this.reader.push(text);
    if (this.reader.failed && this.end === 'open') {
      this.#break(ErrorCode.SSE_EVENT_TOO_LARGE, `relay stream: an event larger than ${this.reader.maxEventBytes} bytes`);
    }
    return this.chunks;
  }

  /** End of body: a stream without done or error ends with a truncated error chunk. */
  finish() {
    const chunks = this.push(this.textDecoder.decode());
    if (this.end !== 'open') return chunks;
    this.reader.end();
    const after = this.lastEventId === null ? 'before its first event' : `after event ${this.lastEventId}`;
    this.#fail('cut', { code: ErrorCode.TRUNCATED, message: `the relay stream ended without done or error ${after} (resume from there)` });
    return this.chunks;
  }

  #break(code, message) {
    this.#fail('broken', { code, message });
  }

  #fail(end, fields) {
    this.end = end;
    this.error = toLLMStreamError(fields);
    this.chunks.push({ type: 'error', error: this.error });
  }

  #onEvent({ type, data, id }) {
    if (this.end !== 'open') return;
    const expected = this.lastEventId !== null ? this.lastEventId + 1 : this.resumeAfter !== undefined ? this.resumeAfter + 1 : 0;
    const n = ID_RE.test(id) ? Number(id) : NaN;
    if (n !== expected) {
      const what = Number.isNaN(n) ? `an event without a valid id ("${id}")` : n < expected ? `a duplicate of event ${n}` : `event ${n} (a gap)`;
      this.#break(ErrorCode.BAD_FRAME, `relay stream: ${what} where event ${expected} was due`);
      return;
    }
    this.lastEventId = n;
    const first = this.resumeAfter === undefined && n === 0;
    if (first !== (type === RELAY.startEvent)) {
      this.#break(ErrorCode.BAD_FRAME, first ? 'relay stream: the first event is not start' : 'relay stream: start after the first event');
      return;
    }
    if (!first && !SPECIAL.has(type) && data.charCodeAt(0) === 123 && data.charCodeAt(1) === 34) {
      // The common event ({"text":...}): parsed straight into the chunk, `type` first, with no
      // copy of the parsed object (`{type, ...data}` in #chunk does the same for the others).
      let chunk;
      try {
        chunk = JSON.parse(`{"type":${JSON.stringify(type)},${data.slice(1)}`);
      } catch {
        this.#break(ErrorCode.BAD_JSON, `relay stream: the data of a ${type} event is not a JSON object`);
        return;
      }
      this.chunks.push(chunk);
      return;
    }
    let value;
    try {
      value = JSON.parse(data);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.#break(ErrorCode.BAD_JSON, `relay stream: the data of a ${type} event is not a JSON object`);
      return;
    }
    if (first) {
      if (!Number.isInteger(value.version)) {
        this.#break(ErrorCode.BAD_JSON, "relay stream: the start event's data is not {version, stream, model}");
      } else if (value.version !== RELAY.version) {
        this.#break(ErrorCode.INVALID_REQUEST, `relay protocol version ${value.version} is not supported (this client speaks ${RELAY.version})`);
      } else {
        this.streamId = String(value.stream ?? '');
        this.model = String(value.model ?? '');
      }
      return;
    }
    this.#chunk(type, value);
  }

  #chunk(type, data) {
    const chunk = { type, ...data };
    if (type === 'tool_call_end' && chunk.toolCall) {
      chunk.function_call = chunk.toolCall;
    } else if (type === 'retry' && data.cause) {
      chunk.cause = toLLMStreamError(data.cause);
    } else if (type === 'done') {
      this.completion = data.completion;
      delete chunk.completion;
      this.end = 'done';
    } else if (type === 'error') {
      if (data.error === null || typeof data.error !== 'object' || typeof data.error.code !== 'string') {
        this.#break(ErrorCode.BAD_JSON, 'relay stream: an error event without its error');
        return;
      }
      this.error = toLLMStreamError(data.error);
      chunk.error = this.error;
      this.completion = data.completion;
      delete chunk.completion;
      this.end = 'error';
    }
    this.chunks.push(chunk);
  }
}

/**
 * Reads a relay body to its end: every chunk, the last one `done` or `error` (a cut stream's is
 * a truncated error). The decoder (its completion, lastEventId, end) is `decoder` when given.
 * @param {AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>} body
 * @param {{maxEventBytes?: number, resumeAfter?: number, decoder?: RelayDecoder}} [options]
 */
export async function* decodeRelay(body, options = {}) {
  const decoder = options.decoder ?? new RelayDecoder(options);
  const iterable = Symbol.asyncIterator in body ? body : readerIterable(/** @type {ReadableStream} */ (body));
  for await (const part of iterable) {
    yield* decoder.push(part);
    if (decoder.end !== 'open') return;
  }
  yield* decoder.finish();
}

/** @param {ReadableStream} stream */
async function* readerIterable(stream) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
