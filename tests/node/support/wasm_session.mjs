// Test support: a WasmSession of the embind module (npm/dist/core/llmstream_core*.{mjs,wasm})
// driven by hand, read with an independent reader of the packed layout (npm/src/core/README.md),
// for tests/node/wasm_core.test.mjs and tests/node/wasm_more_providers.test.mjs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { EVENT_KIND_NAMES, Field, Header, RECORD_INTS, SessionAction } from '../../../npm/dist/core/abi.js';
import { parseResultJson } from '../../../npm/src/core/decoder.js';
import { loadCore } from '../../../npm/src/core/load.js';

const { SEND, DONE } = SessionAction;

/**
 * The core module and the full one (every wire API); a missing build fails with how to make it.
 * @returns {Promise<{core: any, fullCore: any}>}
 */
export async function loadCores() {
  try {
    return { core: await loadCore(), fullCore: await loadCore({ full: true }) };
  } catch (error) {
    throw new Error(`the wasm core is not built: run scripts/build-wasm.sh first (${error.message})`);
  }
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The events of the last call on `ws`, as plain objects.
 * @param {any} core the module `ws` belongs to @param {any} ws
 */
export function readEvents(core, ws) {
  const state = ws.statePtr() >> 2;
  const slot = (i) => core.HEAP32[state + i];
  const count = slot(Header.EVENT_COUNT);
  if (count === 0) return [];
  const textPtr = slot(Header.TEXT_PTR);
  const text = decoder.decode(core.HEAPU8.subarray(textPtr, textPtr + slot(Header.TEXT_BYTES)));
  const side = slot(Header.SIDE_COUNT) > 0 ? JSON.parse(ws.sideJson()) : [];
  assert.equal(side.length, slot(Header.SIDE_COUNT));
  const recordsPtr = slot(Header.RECORDS_PTR);
  const records = core.HEAP32.subarray(recordsPtr >> 2, (recordsPtr >> 2) + count * RECORD_INTS);
  const events = [];
  for (let i = 0; i < count; i++) {
    const r = records.subarray(i * RECORD_INTS, (i + 1) * RECORD_INTS);
    // len < 0: a far text (FAR_TEXT_MIN_BYTES or more), ~len bytes at address `start`
    const slice = (start, len) =>
      len >= 0 ? text.slice(start, start + len) : decoder.decode(core.HEAPU8.subarray(start, start + ~len));
    events.push({
      kind: EVENT_KIND_NAMES[r[Field.KIND]],
      choice: r[Field.CHOICE],
      block: r[Field.BLOCK],
      part: r[Field.PART],
      text: slice(r[Field.TEXT], r[Field.TEXT_LEN]),
      id: slice(r[Field.ID], r[Field.ID_LEN]),
      name: slice(r[Field.NAME], r[Field.NAME_LEN]),
      side: r[Field.SIDE] >= 0 ? side[r[Field.SIDE]] : undefined,
      extra: r[Field.EXTRA],
    });
  }
  return events;
}

/** The per-read calls, as the driver makes them (the plain exports, by handle). */
export const poll = (core, ws, t) => core._llmstream_poll(ws.handle(), t);
export const onBody = (core, ws, n, t) => core._llmstream_on_body(ws.handle(), n, t);

/** The session's assembled result. */
export function resultOf(core, ws) {
  const len = ws.packResultJson();
  const ptr = ws.resultJsonPtr();
  return parseResultJson(core.HEAPU8, decoder.decode(core.HEAPU8.subarray(ptr, ptr + len)));
}

/**
 * Read sizes for `size` bytes: whole, 1-byte, seeded random 1..40 and 1..4096.
 * @param {number} size @returns {Record<string, number[]>}
 */
export function splits(size) {
  let seed = 12345;
  const random = (max) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % max);
  };
  const randomSplit = (max) => {
    const out = [];
    for (let left = size; left > 0; ) {
      const n = Math.min(left, random(max));
      out.push(n);
      left -= n;
    }
    return out;
  };
  return {
    whole: [size],
    bytes: new Array(size).fill(1),
    random40: randomSplit(40),
    random4k: randomSplit(4096),
  };
}

/**
 * Drives one WasmSession of `core` over `body` read in `sizes`, answered 200 with
 * `contentType`; returns what came out: the request it built, the events, the number of body
 * calls, the result and the error.
 * @param {any} core @param {object} options the session's options
 * @param {Uint8Array} body @param {number[]} sizes
 * @param {string} [contentType]
 */
export function replay(core, options, body, sizes, contentType = 'text/event-stream; charset=utf-8') {
  const ws = new core.WasmSession(JSON.stringify(options));
  const events = [];
  let bodyCalls = 0;
  try {
    assert.equal(poll(core, ws, 0), SEND, JSON.stringify(readEvents(core, ws)));
    events.push(...readEvents(core, ws));
    const request = JSON.parse(ws.httpRequestJson());
    assert.equal(request.method, 'POST');
    ws.onResponse(200, JSON.stringify([['content-type', contentType]]), 1);
    events.push(...readEvents(core, ws));
    let at = 0;
    let t = 2;
    for (const n of sizes) {
      const ptr = ws.inputBuffer(n);
      core.HEAPU8.set(body.subarray(at, at + n), ptr);
      const count = onBody(core, ws, n, t++);
      bodyCalls++;
      const batch = readEvents(core, ws);
      assert.equal(batch.length, count);
      events.push(...batch);
      at += n;
    }
    assert.equal(at, body.length);
    ws.onEnd(t);
    events.push(...readEvents(core, ws));
    let action = poll(core, ws, t);
    events.push(...readEvents(core, ws));
    if (action !== DONE) {
      action = poll(core, ws, t); // an abort of the finished transfer first, then done
      events.push(...readEvents(core, ws));
    }
    assert.equal(action, DONE);
    assert.equal(ws.done(), true);
    return {
      request,
      events,
      bodyCalls,
      result: resultOf(core, ws),
      error: JSON.parse(ws.errorJson()),
    };
  } finally {
    ws.delete();
  }
}

/**
 * The events of `run` that must not depend on how the body was cut: deltas may be cut
 * differently, so text-like events are compared as joined texts elsewhere.
 * @param {{events: object[]}} run @returns {string[]}
 */
export function eventShape(run) {
  return run.events
    // Deltas may be cut differently; partial objects come at most once per read, so their
    // number depends on the reads too (npm_partial_objects.test.mjs checks them).
    .filter((e) => !['text', 'reasoning', 'refusal', 'tool_call_delta', 'partial_object'].includes(e.kind))
    .map((e) => JSON.stringify({ ...e, text: e.kind === 'keep_alive' ? e.text : '' }));
}

/** @param {string} text @returns {string} the hex SHA-256 of its UTF-8 */
export function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * expected.json writes long strings as {chars, sha256, head, tail}; null means none.
 * @param {string} actual @param {string | null | undefined | {chars: number, sha256: string}} expected
 * @param {string} what
 */
export function assertText(actual, expected, what) {
  if (expected === null || expected === undefined) {
    assert.equal(actual, '', what);
  } else if (typeof expected === 'string') {
    assert.equal(actual, expected, what);
  } else {
    assert.equal([...actual].length, expected.chars, `${what}: length`);
    assert.equal(sha256(actual), expected.sha256, `${what}: sha256`);
  }
}
