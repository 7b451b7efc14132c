// Decoder: the packed events of one wasm call (README.md, "The wasm boundary") straight into the
// public chunks (../../README.md, "Chunks"), in one pass. Every number it reads (event kinds,
// record fields, header slots) comes from abi.js, which the build generates from the C++
// (platform/wasm/abi.h).
//
// The chunk shapes follow the seed guide, one kind of payload per chunk, so that `chunk.text`,
// `chunk.metadata`, `chunk.usage.totalTokens`, `chunk.cost.toFixed(4)`, `chunk.function_call`,
// `chunk.error` and `chunk.done` mean what its examples assume:
//  - `text` exists only on answer text chunks (reasoning is `chunk.reasoning`, a refusal
//    `chunk.refusal`, an SSE comment `chunk.comment`), so summing `chunk.text` gives the answer;
//  - a usage chunk carries the cost of that usage in dollars (`cost`, 0 when the model has no
//    price; the details in `costDetails`): the core puts each usage's kCost right after it, and
//    the pair becomes one chunk;
//  - tool calls are `toolCall` on all three of their chunks; the completed call's chunk also
//    names it `function_call`, the guide's name, as an alias of the same object;
//  - `error` exists only on the terminal error chunk, as an LLMStreamError (a retry chunk names
//    the failed attempt's error `cause`);
//  - `raw: true`: each chunk made from a provider event carries that event's parsed object as
//    `chunk.raw`; `raw: 'only'`: the provider objects are the only chunks;
//  - partial objects (the core's kPartialObject records, at most one per value per call) are no
//    chunks of their own: the value, parsed, becomes `partialObject` on the last chunk of this
//    call that it grew from (a text chunk of that choice, or that tool call's delta chunk).

import {
  ASCII_BYTES_FLAG,
  EVENT_KIND_NAMES,
  EventKind,
  Field,
  Header,
  MetadataFormat,
  PartialSource,
  REASONING_PARTS,
  RECORD_INTS,
  TOKEN_CACHE_MAX_BYTES,
  TOOL_KINDS,
  ToolArguments,
} from '../../dist/core/abi.js';
import { toLLMStreamError } from '../errors.js';

// Module constants rather than property reads in the per-token loop.
const K_TEXT = EventKind.TEXT;
const K_USAGE = EventKind.USAGE;
const K_COST = EventKind.COST;
const K_RAW = EventKind.RAW;
const K_PARTIAL = EventKind.PARTIAL_OBJECT;
const F_KIND = Field.KIND;
const F_CHOICE = Field.CHOICE;
const F_BLOCK = Field.BLOCK;
const F_PART = Field.PART;
const F_TEXT = Field.TEXT;
const F_TEXT_LEN = Field.TEXT_LEN;
const F_ID = Field.ID;
const F_ID_LEN = Field.ID_LEN;
const F_NAME = Field.NAME;
const F_NAME_LEN = Field.NAME_LEN;
const F_SIDE = Field.SIDE;
const F_EXTRA = Field.EXTRA;
const H_COUNT = Header.EVENT_COUNT;
const H_RECORDS = Header.RECORDS_PTR;
const H_TEXT = Header.TEXT_PTR;
const H_TEXT_BYTES = Header.TEXT_BYTES;
const H_SIDE_COUNT = Header.SIDE_COUNT;

/**
 * Token texts repeat (" the", " and", ...): text chunks reuse the string of an earlier equal
 * token instead of slicing a new one, as V8's JSON.parse does for short strings. A caller that
 * keeps every chunk's text (`text += chunk.text`, an array of chunks) then holds one string per
 * distinct token, not one per token, and the slices that are not kept die young. Direct-mapped by
 * the hash the core puts in the record (Field.EXTRA); the cached string is compared with the text
 * itself (char by char, against the decoded text or, when the record says the region is ASCII so
 * far, its bytes; no allocation), so a collision is only a miss.
 */
const TOKEN_CACHE_MASK = 4095;
/** @type {(string | undefined)[]} */
const tokenCache = new Array(TOKEN_CACHE_MASK + 1).fill(undefined);

/** One TextDecoder for every session; ignoreBOM keeps a leading U+FEFF (offsets stay right). */
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** @typedef {Record<string, any>} Chunk one public chunk */

/** The cost object of the core -> {cost: number, costDetails: object | null}. */
export function costFields(details) {
  if (!details || typeof details !== 'object' || details.source === 'none') {
    return { cost: 0, costDetails: null };
  }
  const total = Number(details.totalUsd ?? details.total ?? 0);
  return { cost: Number.isFinite(total) ? total : 0, costDetails: details };
}

export class Decoder {
  /**
   * @param {any} core the module (loadCore())
   * @param {{raw?: boolean | 'only', secrets?: string[], partial?: () => any}} [settings]
   *   raw: the `raw` option; secrets: masked in error messages; partial: the completion so far
   *   (an error's `partial`)
   */
  constructor(core, settings = {}) {
    this.core = core;
    this.rawMode = settings.raw ?? false;
    this.secrets = settings.secrets ?? [];
    this.partial = settings.partial ?? (() => null);
    /** The provider object of the SSE event the next chunks come from (raw: true). */
    this.raw = undefined;
    /** @type {import('../errors.js').LLMStreamError | null} the stream's error, once decoded */
    this.failure = null;
    /**
     * Far tool-call arguments decoded for end chunks, by "address,bytes": the result's copy of
     * them is the same bytes (a complete call's arguments never change), so parseResultJson
     * reuses the string instead of holding a second one. Forgotten at a retry, whose attempt
     * may put other arguments at the same address.
     * @type {Map<string, string>}
     */
    this.farArguments = new Map();
  }

  /**
   * The chunks of the last event-producing call of a WasmSession: one TextDecoder.decode of the
   * text region (only when a record needs a string the token cache lacks), one JSON.parse of
   * the side payloads when there are any.
   * @param {any} ws the WasmSession @param {number} statePtr ws.statePtr()
   * @returns {Chunk[] | null} null when the call yielded no chunk
   */
  decode(ws, statePtr) {
    const core = this.core;
    const h = statePtr >> 2;
    if (core.HEAP32[h + H_COUNT] === 0) return null;
    // sideJson() allocates in wasm memory, which may grow it and detach the views: they are
    // taken after it.
    const side = core.HEAP32[h + H_SIDE_COUNT] > 0 ? JSON.parse(ws.sideJson()) : null;
    const h32 = core.HEAP32;
    const u8 = core.HEAPU8;
    const count = h32[h + H_COUNT];
    const records = h32[h + H_RECORDS] >> 2;
    const textPtr = h32[h + H_TEXT] >>> 0;
    const textBytes = h32[h + H_TEXT_BYTES];
    /** @type {string | null} decoded when a record first needs it */
    let text = textBytes > 0 ? null : '';
    const plain = this.rawMode === false;
    const chunks = [];
    /** @type {ReturnType<typeof lastChunks> | undefined} built at the call's first partial object */
    let grewFrom;
    for (let i = 0, r = records; i < count; i++, r += RECORD_INTS) {
      const kind = h32[r + F_KIND];
      if (kind === K_TEXT && plain) {
        // The common kind (one per token), here rather than in a call: this loop runs once per
        // token, and V8 does not inline a call as large as chunkOf.
        const a = h32[r + F_TEXT];
        const n = h32[r + F_TEXT_LEN];
        if (n < 0) {
          // a far text (FAR_TEXT_MIN_BYTES or more): ~n bytes where the core holds them
          chunks.push({ type: 'text', text: decodeUtf8(u8, a >>> 0, ~n), index: h32[r + F_CHOICE], block: h32[r + F_BLOCK] });
          continue;
        }
        const extra = h32[r + F_EXTRA];
        const slot = extra & TOKEN_CACHE_MASK;
        let s = tokenCache[slot];
        let hit = s !== undefined && s.length === n;
        if (hit) {
          // the ASCII flag (the sign bit): the region is ASCII up to here, `a` is a byte offset
          if ((extra & ASCII_BYTES_FLAG) !== 0) hit = sameBytes(s, u8, textPtr + a);
          else hit = sameChars(s, (text ??= decodeUtf8(u8, textPtr, textBytes)), a);
        }
        if (!hit) {
          text ??= decodeUtf8(u8, textPtr, textBytes);
          s = text.slice(a, a + n);
          if (n <= TOKEN_CACHE_MAX_BYTES) tokenCache[slot] = s;
        }
        chunks.push({ type: 'text', text: s, index: h32[r + F_CHOICE], block: h32[r + F_BLOCK] });
        continue;
      }
      text ??= decodeUtf8(u8, textPtr, textBytes);
      if (kind === K_RAW) {
        this.raw = parseRaw(sideValue(h32, r, side));
        if (this.rawMode === 'only' && this.raw !== null && typeof this.raw === 'object') chunks.push(this.raw);
        continue;
      }
      if (kind === K_PARTIAL) {
        if (this.rawMode !== 'only') (grewFrom ??= lastChunks(chunks)).attach(h32, r, this.strOf(h32, r, text, F_TEXT));
        continue;
      }
      let chunk;
      if (kind === K_USAGE) {
        const usage = sideValue(h32, r, side) ?? null;
        // Its cost, when known, is the next record (the core's order): one chunk for the pair.
        let cost;
        if (i + 1 < count && h32[r + RECORD_INTS + F_KIND] === K_COST) {
          i++;
          r += RECORD_INTS;
          cost = sideValue(h32, r, side);
        }
        const fields = costFields(cost);
        chunk = {
          type: 'usage',
          usage,
          ...fields,
          costEstimated: fields.costDetails ? fields.costDetails.source === 'estimated' : Boolean(usage?.estimated),
        };
      } else {
        chunk = this.chunkOf(kind, h32, r, text, side);
      }
      if (this.rawMode === 'only') continue;
      if (this.rawMode === true && this.raw !== undefined && chunk.type !== 'retry') chunk.raw = this.raw;
      chunks.push(chunk);
    }
    return chunks.length > 0 ? chunks : null;
  }

  /** Far tool-call arguments (see farArguments), decoded once. */
  farArgumentsOf(ptr, bytes) {
    const s = decodeUtf8(this.core.HEAPU8, ptr, bytes);
    this.farArguments.set(`${ptr},${bytes}`, s);
    return s;
  }

  /** A record's string field: a slice of the text region, or a far text where the core holds it. */
  strOf(h32, r, text, field) {
    const a = h32[r + field];
    const n = h32[r + field + 1];
    // n < 0: a far text (the tool call's whole arguments, a huge delta), decoded where it is
    return n >= 0 ? text.slice(a, a + n) : decodeUtf8(this.core.HEAPU8, a >>> 0, ~n);
  }

  /**
   * One record other than text, usage and raw as its chunk.
   * @param {number} kind @param {Int32Array} h32 @param {number} r first int of the record
   * @param {string} text @param {any[] | null} side
   * @returns {Chunk}
   */
  chunkOf(kind, h32, r, text, side) {
    const index = h32[r + F_CHOICE];
    const str = (field) => this.strOf(h32, r, text, field);
    switch (kind) {
      case EventKind.TEXT:
        return { type: 'text', text: str(F_TEXT), index, block: h32[r + F_BLOCK] };
      case EventKind.REASONING:
        return { type: 'reasoning', reasoning: str(F_TEXT), index, part: REASONING_PARTS[h32[r + F_PART]] ?? 'text' };
      case EventKind.REFUSAL:
        return { type: 'refusal', refusal: str(F_TEXT), index };
      case EventKind.TOOL_CALL_START:
        return {
          type: 'tool_call_start',
          index,
          toolCall: { index: h32[r + F_BLOCK], id: str(F_ID), name: str(F_NAME), kind: TOOL_KINDS[h32[r + F_PART]] ?? 'function' },
        };
      case EventKind.TOOL_CALL_DELTA:
        return { type: 'tool_call_delta', index, toolCall: { index: h32[r + F_BLOCK], argumentsDelta: str(F_TEXT) } };
      case EventKind.TOOL_CALL_END: {
        const toolCall = {
          index: h32[r + F_BLOCK],
          id: str(F_ID),
          name: str(F_NAME),
          arguments: h32[r + F_TEXT_LEN] >= 0 ? str(F_TEXT) : this.farArgumentsOf(h32[r + F_TEXT] >>> 0, ~h32[r + F_TEXT_LEN]),
          argumentsValid: h32[r + F_PART] === ToolArguments.VALID_JSON,
          kind: TOOL_KINDS[h32[r + F_EXTRA]] ?? 'function',
        };
        return { type: 'tool_call_end', index, toolCall, function_call: toolCall };
      }
      case EventKind.CITATION:
        return { type: 'citation', index, citation: sideValue(h32, r, side) };
      case EventKind.METADATA: {
        const value = h32[r + F_PART] === MetadataFormat.JSON ? sideValue(h32, r, side) : str(F_TEXT);
        return { type: 'metadata', metadata: { [str(F_NAME)]: value } };
      }
      case EventKind.COST: // a cost without its usage: not made by the core, kept if it ever is
        return { type: 'cost', ...costFields(sideValue(h32, r, side)) };
      case EventKind.KEEP_ALIVE:
        return { type: 'keep_alive', comment: str(F_TEXT) };
      case EventKind.WARNING:
        return { type: 'warning', message: str(F_TEXT) };
      case EventKind.ERROR: {
        const error = toLLMStreamError(sideValue(h32, r, side), { partial: this.partial(), secrets: this.secrets });
        this.failure ??= error;
        return { type: 'error', error };
      }
      case EventKind.RETRY: {
        this.farArguments.clear();
        const failed = sideValue(h32, r, side);
        /** @type {Chunk} */
        const chunk = {
          type: 'retry',
          attempt: index,
          delayMs: h32[r + F_BLOCK] >>> 0,
          reason: str(F_TEXT),
          continuation: h32[r + F_PART] !== 0,
        };
        if (failed) chunk.cause = toLLMStreamError(failed, { secrets: this.secrets });
        return chunk;
      }
      case EventKind.FINISH:
        return { type: 'finish', index, finishReason: str(F_TEXT) || null };
      case EventKind.DONE:
        return { type: 'done', done: true, finishReason: str(F_TEXT) || null };
      case EventKind.BLOCK_START:
      case EventKind.BLOCK_END: {
        /** @type {Chunk} */
        const chunk = { type: EVENT_KIND_NAMES[kind], index, block: h32[r + F_BLOCK], blockType: str(F_NAME) };
        const data = sideValue(h32, r, side);
        if (data !== undefined) chunk.data = data;
        return chunk;
      }
      default:
        // A kind newer than this decoder: its name (abi.js) and whatever the record holds.
        return { type: EVENT_KIND_NAMES[kind] ?? 'unknown', index, data: str(F_TEXT) };
    }
  }
}

/**
 * The last chunk of a call per value a partial object may have grown from: text chunks by
 * choice, tool-call deltas by choice and call. One pass over the call's chunks, made only when
 * the call has a partial object, so the cost stays linear however many values it has.
 * @param {Chunk[]} chunks
 */
function lastChunks(chunks) {
  /** @type {Map<number, Chunk>} */
  const text = new Map();
  /** @type {Map<string, Chunk>} */
  const args = new Map();
  for (const c of chunks) {
    if (c.type === 'text') text.set(c.index, c);
    else if (c.type === 'tool_call_delta') args.set(`${c.index},${c.toolCall.index}`, c);
  }
  return {
    /** Parses the snapshot of record r and puts it on its chunk. */
    attach(h32, r, json) {
      const choice = h32[r + F_CHOICE];
      const chunk = h32[r + F_PART] === PartialSource.TEXT
        ? text.get(choice)
        : args.get(`${choice},${h32[r + F_BLOCK]}`);
      if (chunk === undefined) return;
      try {
        chunk.partialObject = JSON.parse(json);
      } catch {
        // the core's snapshots are valid JSON; should one not be, the chunk goes without
      }
    },
  };
}

/** The record's side payload (parsed JSON), or undefined. */
function sideValue(h32, r, side) {
  const i = h32[r + F_SIDE];
  return i >= 0 && side ? side[i] : undefined;
}

/** A raw event's data: the provider's JSON parsed, anything else ("[DONE]") as it is. */
function parseRaw(raw) {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `bytes` UTF-8 bytes of wasm memory at `ptr` as a string (a call's text region, the result JSON). */
export function decodeUtf8(u8, ptr, bytes) {
  return textDecoder.decode(u8.subarray(ptr, ptr + bytes));
}

// The members of the result JSON (packResultJson) that the core may write as [address, byte count]
// (RESULT_STRING_MIN_BYTES or longer), by object: the top level, each choice, tool call, block.
const LONG_TOP = ['text', 'reasoning'];
const LONG_CHOICE = ['text', 'reasoning', 'reasoningSignature', 'refusal'];
const LONG_TOOL_CALL = ['arguments'];
const LONG_BLOCK = ['text', 'signature', 'data'];

/**
 * The result JSON of packResultJson, parsed, with its long strings decoded from wasm memory (they
 * are valid until the next call into the core). Equal references decode once: a choice's text is
 * also the top-level text, and often its block's.
 * @param {Uint8Array} u8 the HEAPU8 after the call @param {string} json
 * @param {Map<string, string>} [known] strings decoded before, by "address,bytes", still valid
 */
export function parseResultJson(u8, json, known = undefined) {
  const result = JSON.parse(json);
  if (result === null || typeof result !== 'object') return result;
  /** @type {Map<string, string>} strings already decoded, by "address,bytes" */
  const decoded = new Map(known);
  const resolve = (object, keys) => {
    for (const key of keys) {
      const ref = object[key];
      if (!Array.isArray(ref)) continue;
      const id = ref.join(',');
      let s = decoded.get(id);
      if (s === undefined) decoded.set(id, (s = decodeRanges(u8, ref)));
      object[key] = s;
    }
  };
  resolve(result, LONG_TOP);
  for (const choice of result.choices ?? []) {
    resolve(choice, LONG_CHOICE);
    for (const call of choice.toolCalls ?? []) resolve(call, LONG_TOOL_CALL);
    for (const block of choice.blocks ?? []) resolve(block, LONG_BLOCK);
  }
  return result;
}

/**
 * Parses the message JSON of WasmSession.packMessageJson: like parseResultJson, its long strings
 * (content, part text / signature / data, arguments) are [address, bytes, ...] references into
 * wasm memory, decoded here at once.
 * @param {Uint8Array} u8 @param {string} json
 */
export function parseMessageJson(u8, json) {
  const message = JSON.parse(json);
  const decoded = new Map();
  const resolve = (object, keys) => {
    for (const key of keys) {
      const ref = object?.[key];
      if (!Array.isArray(ref)) continue;
      const id = ref.join(',');
      let s = decoded.get(id);
      if (s === undefined) decoded.set(id, (s = decodeRanges(u8, ref)));
      object[key] = s;
    }
  };
  resolve(message, ['content']);
  for (const call of message.toolCalls ?? []) resolve(call, ['arguments']);
  for (const part of message.parts ?? []) {
    resolve(part, ['text', 'signature', 'data']);
    resolve(part.toolCall, ['arguments']);
  }
  return message;
}

/**
 * The string stored in [address, bytes, address, bytes, ...]: a long string's own bytes, then the
 * pieces of its tail (core/src/assembler/text_pieces.h). A piece may end inside a UTF-8
 * sequence: one streaming decoder joins them.
 * @param {Uint8Array} u8 @param {number[]} ranges
 */
function decodeRanges(u8, ranges) {
  if (ranges.length === 2) return decodeUtf8(u8, ranges[0] >>> 0, ranges[1]);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let s = '';
  for (let i = 0; i < ranges.length; i += 2) {
    const at = ranges[i] >>> 0;
    s += decoder.decode(u8.subarray(at, at + ranges[i + 1]), { stream: i + 2 < ranges.length });
  }
  return s;
}

/** The string s equals text.slice(a, a + s.length); a char loop, no call out of optimized code. */
function sameChars(s, text, a) {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) !== text.charCodeAt(a + j)) return false;
  return true;
}

/** The string s equals the ASCII bytes u8[p, p + s.length) (a non-ASCII char never matches). */
function sameBytes(s, u8, p) {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) !== u8[p + j]) return false;
  return true;
}
