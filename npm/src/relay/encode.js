// The relay protocol's encoder (docs/relay-protocol.md): the package's chunks as the bytes a
// relay writes, the same bytes as the C++ core's RelayEncoder (llmstream/relay.h) writes from
// the events the chunks came from. Each chunk is one SSE event: its `type` is the event name,
// its data the chunk as JSON.stringify writes it, without `type`, `raw` and `function_call` (the
// alias of `toolCall`, which the client restores); errors as their fields.

import { ERRORS, EVENT_KIND_NAMES, RELAY } from '../../dist/core/abi.js';

/** The core's error codes: an error with none of them is no error of ours. */
const CODES = new Set(ERRORS.map((e) => e.name));

/**
 * Chunk types that are no relay events: the core's kinds the protocol does not send (the relay
 * writes its own keep-alives), and the live metrics, which each client measures itself.
 */
const LOCAL = new Set([...EVENT_KIND_NAMES.filter((name) => !RELAY.events.includes(name)), 'metrics']);

/**
 * An LLMStreamError as the protocol carries it: {code, message, retryable, retryAfterMs?,
 * status?, providerType?, platformCode?} (`code` is always the core's code).
 * @param {any} error
 */
export function errorFields(error) {
  // Not one of ours (a bug, the core failing to load): a relay says no more than that.
  const known = error !== null && typeof error === 'object' && CODES.has(error.llmstreamCode ?? error.code);
  if (!known) return { code: 'internal', message: 'the relay failed', retryable: false };
  const code = error.llmstreamCode ?? error.code;
  /** @type {Record<string, unknown>} */
  const out = { code, message: String(error.message ?? ''), retryable: Boolean(error.retryable) };
  if (typeof error.retryAfterMs === 'number') out.retryAfterMs = error.retryAfterMs;
  if (error.status !== undefined && error.status !== null) out.status = error.status;
  if (error.providerType) out.providerType = error.providerType;
  if (typeof error.code === 'string' && error.code !== code) out.platformCode = error.code;
  return out;
}

/** The headers of every relay stream response (docs/relay-protocol.md, "The stream"). */
export const RELAY_SSE_HEADERS = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'llmstream-relay': String(RELAY.version),
  // nginx would otherwise buffer the stream
  'x-accel-buffering': 'no',
});

export class RelayEncoder {
  /** @param {{stream: string, model: string}} start the stream id ("r_" + 64 random bits or more, hex) and the model */
  constructor({ stream, model }) {
    this.stream = stream;
    this.model = model;
    /** The id the next event gets. */
    this.nextId = 0;
    /** A terminal event (done or error) was written. */
    this.ended = false;
  }

  /** "retry: 1000" and event 0, start. */
  start() {
    return RelayEncoder.preamble() + this.startEvent();
  }

  /** Event 0, start, alone (what a resume store keeps: every response writes its own preamble). */
  startEvent() {
    return this.#event(RELAY.startEvent, { version: RELAY.version, stream: this.stream, model: this.model });
  }

  /** "retry: 1000": what every relay response opens with, before its first event (not an event). */
  static preamble() {
    return `retry: ${RELAY.retryMs}\n\n`;
  }

  /**
   * One chunk as its event ('' for chunks that are not relayed, and after the terminal one).
   * @param {Record<string, any>} chunk
   * @param {{completion?: unknown}} [extra] completion: the terminal event's `completion` member
   *   (done's, or error's: what was assembled before the failure)
   */
  encode(chunk, { completion } = {}) {
    if (this.ended || chunk === null || typeof chunk !== 'object' || typeof chunk.type !== 'string') return '';
    if (LOCAL.has(chunk.type)) return '';
    const fast = this.#plain(chunk);
    if (fast !== null) return `id: ${this.nextId++}\nevent: ${chunk.type}\ndata: ${fast}\n\n`;
    // type is the event name; raw is the provider's, never relayed; function_call the alias of toolCall
    const { type, raw, function_call, ...data } = chunk;
    if (type === 'error') {
      data.error = errorFields(chunk.error);
      if (completion !== undefined) data.completion = completion; // what was assembled before the failure
      this.ended = true;
    } else if (type === 'retry' && chunk.cause) {
      data.cause = errorFields(chunk.cause);
    } else if (type === 'done') {
      if (completion !== undefined) data.completion = completion;
      this.ended = true;
    }
    return this.#event(type, data);
  }

  /** The comment a relay writes while nothing else is sent (not an event: no id). */
  static keepAlive() {
    return `: ${RELAY.keepAliveComment}\n\n`;
  }

  /**
   * The data of the common chunk (text, reasoning, a tool call's delta ...) without copying it
   * into a new object: the chunk's own JSON minus its leading `"type":...,` member, which is the
   * same bytes as JSON.stringify of the chunk without `type` when `type` is its first member and
   * nothing else must go. Null when that does not hold (the general path then).
   * @param {Record<string, any>} chunk
   */
  #plain(chunk) {
    const type = chunk.type;
    if (type === 'error' || type === 'retry' || type === 'done' || chunk.raw !== undefined || 'function_call' in chunk) return null;
    const json = JSON.stringify(chunk);
    const prefix = this.#prefixes.get(type) ?? this.#prefix(type);
    if (!json.startsWith(prefix)) return null; // type not first, or the only member
    return `{${json.slice(prefix.length)}`;
  }

  /** `{"type":"text",`, per chunk type. */
  #prefixes = new Map();

  #prefix(type) {
    const prefix = `{"type":${JSON.stringify(type)},`;
    if (this.#prefixes.size < 64) this.#prefixes.set(type, prefix); // bounded: types come from chunks
    return prefix;
  }

  #event(name, data) {
    return `id: ${this.nextId++}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  }
}
