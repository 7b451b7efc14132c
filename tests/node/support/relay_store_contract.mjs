// The relay resume store's contract (npm/src/relay/store.js, RelayStore), as cases any store
// must pass: MemoryStore (relay_store.test.mjs) and RedisStore (relay_store_redis.test.mjs) run
// them alike. On the recorded relay streams (tests/golden/relay/*.relay, written by the C++ codec
// test): a resume from every id gives exactly the stream's tail, byte for byte, with no gap and no
// duplicate, stored then live, also through a second store on the same data (another process's);
// live events reach waiting readers; the byte cap refuses a resume instead of serving a gap.
// Nothing sleeps: a test that waits for an event awaits the store's own promise. What a store's
// clock decides (expiry) is each store's own test file.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LLMStreamError } from '../../../npm/src/errors.js';
import { StreamUnavailableError } from '../../../npm/src/relay/store.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GOLDEN = path.join(REPO, 'tests', 'golden', 'relay');
export const FILES = readdirSync(GOLDEN).filter((f) => f.endsWith('.relay')).sort();

/** A recorded stream's events: its blocks (split on blank lines) that carry an id. */
export function recorded(file) {
  const text = readFileSync(path.join(GOLDEN, file), 'utf8');
  const events = [];
  for (const block of text.split('\n\n')) {
    const id = /^id: (\d+)$/m.exec(block);
    if (!id) continue; // "retry: 1000" is no event
    events.push({ id: Number(id[1]), bytes: `${block}\n\n` });
  }
  // The fixtures are what the store gets: ids 0, 1, 2, ... with no gap.
  assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i), file);
  return events;
}

/** The next n events of a reader, then it leaves (for a stream that has not ended). */
export async function take(reader, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await reader.next();
    assert.equal(r.done, false);
    out.push(r.value);
  }
  await reader.return();
  return out;
}

/** Asserts a reader's events are the recorded ones from index `from` on, byte for byte. */
export function assertBytes(got, events, from, label) {
  assert.equal(got.length, events.length - from, label);
  const bad = got.findIndex((e, i) => e.bytes !== events[from + i].bytes);
  assert.equal(bad, -1, `${label}: event ${got[bad]?.id} differs`);
}

export async function collect(iterable) {
  const out = [];
  for await (const event of iterable) out.push(event);
  return out;
}

/** Asserts the ids are exactly first, first + 1, ... last (no gap, no duplicate). */
export function assertRun(events, first, last, label) {
  assert.equal(events.length, last - first + 1, `${label}: ${events.length} events from ${first} to ${last}`);
  const bad = events.findIndex((e, i) => e.id !== first + i);
  assert.equal(bad, -1, `${label}: event ${bad} has id ${events[bad]?.id}, not ${first + bad}`);
}

/** Whether a promise has settled, after the microtasks already queued ran (no timer involved). */
export async function settled(promise) {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return done;
}

export async function rejectsUnavailable(promise, reason) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof StreamUnavailableError, String(error));
    assert.ok(error instanceof LLMStreamError);
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.status, 409);
    assert.equal(error.reason, reason);
    return true;
  });
}


/**
 * Registers the contract's cases for one store.
 * @param {string} name
 * @param {{make: () => Promise<Store>, other?: () => Promise<Store>, cleanup: () => Promise<void>, timeout?: number}} hooks
 *   make: a fresh, empty store (stream ids repeat across cases); other: a second store on the same
 *   data, as another relay process has (the recorded streams are then appended through one and
 *   resumed through the other); cleanup: after each case; timeout: per case, for a store whose
 *   reader could wait for ever on a lost wake-up (a failure then, not a hung run)
 * @typedef {import('../../../npm/src/relay/store.js').RelayStore & {drop: (id: string) => Promise<void>}} Store
 */
export function storeContract(name, { make, other, cleanup, timeout }) {
  const options = { timeout };
  /** The store that appends, and the one that serves the resumes. */
  const pair = async () => {
    const writer = await make();
    return [writer, other ? await other() : writer];
  };

  describe(`relay store (${name}): resume from every id of every recorded stream`, () => {
    afterEach(cleanup);
    assert.ok(FILES.length > 0, `no golden relay streams in ${GOLDEN} (run the core's Relay* tests)`);
    for (const file of FILES) {
      test(file, options, async () => {
        const events = recorded(file);
        const last = events.length - 1;
        const [w, s] = await pair();
        await w.open('r_1');
        for (const e of events) await w.append('r_1', e.id, e.bytes);
        await w.end('r_1');
        for (let after = -1; after < last; after++) {
          const got = await collect(await s.read('r_1', after));
          assertRun(got, after + 1, last, `${file} after ${after}`);
          assertBytes(got, events, after + 1, `${file} after ${after}`);
        }
        // After the terminal event nothing follows: refused (the relay answers 204).
        await rejectsUnavailable(s.read('r_1', last), 'ended');
        // No Last-Event-ID: from event 0 (start).
        const all = await collect(await s.read('r_1'));
        assert.equal(all.map((e) => e.bytes).join(''), events.map((e) => e.bytes).join(''));
        assert.match(all[0].bytes, /^id: 0\nevent: start\n/);
      });

      test(`${file}, resumed while live`, options, async () => {
        // Half the stream is stored when readers join after each of its ids (stored part, then
        // live part); more join after each later append (live part only); then the end.
        const events = recorded(file);
        const last = events.length - 1;
        const half = Math.floor(events.length / 2);
        const [w, s] = await pair();
        await w.open('r_1');
        for (const e of events.slice(0, half)) await w.append('r_1', e.id, e.bytes);
        const readers = [];
        for (let after = -1; after < half; after++) readers.push({ after, done: collect(await s.read('r_1', after)) });
        for (const e of events.slice(half)) {
          await w.append('r_1', e.id, e.bytes);
          readers.push({ after: e.id, done: collect(await s.read('r_1', e.id)) });
        }
        await w.end('r_1');
        for (const r of readers) {
          const got = await r.done;
          assertRun(got, r.after + 1, last, `${file} after ${r.after}`);
          assertBytes(got, events, r.after + 1, `${file} after ${r.after}`);
        }
      });
    }
  });

  describe(`relay store (${name}): live readers`, () => {
    afterEach(cleanup);
    const events = recorded(FILES.includes('anthropic-text.relay') ? 'anthropic-text.relay' : FILES[0]);

    test('a waiting reader gets the next event when it is appended, and ends after end()', options, async () => {
      const s = await make();
      await s.open('r_1');
      await s.append('r_1', 0, events[0].bytes);
      const reader = await s.read('r_1', 0);
      const next = reader.next();
      assert.equal(await settled(next), false, 'nothing to read yet: the reader waits');
      await s.append('r_1', 1, events[1].bytes);
      assert.deepEqual(await next, { done: false, value: { id: 1, bytes: events[1].bytes } });
      const after = reader.next();
      assert.equal(await settled(after), false);
      await s.end('r_1');
      assert.deepEqual(await after, { done: true, value: undefined });
    });

    test('two readers at once see every event once, in order', options, async () => {
      const s = await make();
      await s.open('r_1');
      const a = collect(await s.read('r_1'));
      await s.append('r_1', 0, events[0].bytes);
      const b = collect(await s.read('r_1'));
      for (const e of events.slice(1)) await s.append('r_1', e.id, e.bytes);
      await s.end('r_1');
      const [ga, gb] = await Promise.all([a, b]);
      assertRun(ga, 0, events.length - 1, 'a');
      assertRun(gb, 0, events.length - 1, 'b');
      assert.deepEqual(ga, gb);
    });

    test('concurrent next() calls on one reader get different events', options, async () => {
      const s = await make();
      await s.open('r_1');
      const reader = await s.read('r_1');
      const pulls = [reader.next(), reader.next(), reader.next()];
      for (const e of events.slice(0, 3)) await s.append('r_1', e.id, e.bytes);
      assert.deepEqual((await Promise.all(pulls)).map((r) => r.value.id), [0, 1, 2]);
    });

    test('end then read: the stored events, then done at once', options, async () => {
      const s = await make();
      await s.open('r_1');
      for (const e of events) await s.append('r_1', e.id, e.bytes);
      await s.end('r_1');
      const last = events.length - 1;
      assertRun(await collect(await s.read('r_1', last - 2)), last - 1, last, 'tail');
      // Nothing after the terminal event: refused, not an empty stream (an EventSource would
      // reconnect to it for ever, each time re-arming the resume window).
      await rejectsUnavailable(s.read('r_1', last), 'ended');
    });

    test('the protocol’s order is enforced on append: no gap, no duplicate, nothing after the end', options, async () => {
      const s = await make();
      await s.open('r_1');
      await assert.rejects(s.append('r_1', 1, 'x'), /expects event 0/);
      await s.append('r_1', 0, 'x');
      await assert.rejects(s.append('r_1', 0, 'x'), /expects event 1/);
      await s.end('r_1');
      await assert.rejects(s.append('r_1', 1, 'x'), /has ended/);
      await assert.rejects(s.open('r_1'), /already open/);
    });

    test('a resume past the last event sent, or with an id that is no id, is refused', options, async () => {
      const s = await make();
      await s.open('r_1');
      await s.append('r_1', 0, events[0].bytes);
      await rejectsUnavailable(s.read('r_1', 1), 'ahead');
      await rejectsUnavailable(s.read('r_1', 1.5), 'bad_id');
      await rejectsUnavailable(s.read('r_1', -2), 'bad_id');
    });
  });

  describe(`relay store (${name}): appendMany (one network read at once)`, () => {
    afterEach(cleanup);

    test('the events get their ids in order, a waiting reader wakes with all of them, the rules hold', options, async () => {
      const s = await make();
      await s.open('r_many');
      const reader = await s.read('r_many', null);
      const first = reader.next(); // waits: nothing stored yet
      await s.appendMany('r_many', 0, ['e0', 'e1', 'e2']);
      assert.deepEqual(await first, { done: false, value: { id: 0, bytes: 'e0' } });
      assert.deepEqual([await reader.next(), await reader.next()].map((r) => r.value), [{ id: 1, bytes: 'e1' }, { id: 2, bytes: 'e2' }]);
      await assert.rejects(s.appendMany('r_many', 2, ['dup']), /expects event 3, not 2/);
      await assert.rejects(s.appendMany('r_many', 4, ['gap']), /expects event 3, not 4/);
      await s.appendMany('r_many', 3, ['e3']);
      await s.end('r_many');
      assertRun(await collect(reader), 3, 3, 'the rest');
      await assert.rejects(s.appendMany('r_many', 4, ['late']), /has ended/);
    });
  });

  describe(`relay store (${name}): bounds`, () => {
    afterEach(cleanup);
    const events = recorded(FILES.includes('anthropic-text.relay') ? 'anthropic-text.relay' : FILES[0]);
    const last = events.length - 1;
    const size = (e) => Buffer.byteLength(e.bytes);

    test('past the byte cap the oldest events go; a resume that needs them is refused, one after them works', options, async () => {
      // A cap that holds the last 5 events exactly.
      const cap = events.slice(-5).reduce((n, e) => n + size(e), 0);
      const s = await make();
      await s.open('r_1', { maxBytes: cap });
      for (const e of events) await s.append('r_1', e.id, e.bytes);
      await s.end('r_1');
      const first = last - 4;
      await rejectsUnavailable(s.read('r_1'), 'trimmed');
      await rejectsUnavailable(s.read('r_1', first - 2), 'trimmed');
      const tail = await collect(await s.read('r_1', first - 1));
      assertRun(tail, first, last, 'after the dropped part');
      assert.equal(tail.map((e) => e.bytes).join(''), events.slice(first).map((e) => e.bytes).join(''));
    });

    test('multi-byte UTF-8 counts as bytes, not UTF-16 units', options, async () => {
      const s = await make();
      await s.open('r_1', { maxBytes: 8 });
      await s.append('r_1', 0, 'ab');
      await s.append('r_1', 1, 'äöü'); // 6 bytes: 8 in all, at the cap
      assertRun(await take(await s.read('r_1'), 2), 0, 1, 'both held');
      await s.append('r_1', 2, 'é'); // 10: event 0 goes
      await rejectsUnavailable(s.read('r_1'), 'trimmed');
      await s.append('r_1', 3, new Uint8Array(9)); // bigger than the cap alone: kept, alone
      await rejectsUnavailable(s.read('r_1', 1), 'trimmed');
      assertRun(await take(await s.read('r_1', 2), 1), 3, 3, 'newest kept');
    });

    test('a reader that falls behind the byte cap fails, never skips', options, async () => {
      const s = await make();
      await s.open('r_1', { maxBytes: size(events[0]) + size(events[1]) });
      const reader = await s.read('r_1');
      await s.append('r_1', 0, events[0].bytes);
      assert.equal((await reader.next()).value.id, 0);
      for (const e of events.slice(1, 6)) await s.append('r_1', e.id, e.bytes);
      await rejectsUnavailable(reader.next(), 'trimmed');
    });

    test('drop() fails the readers still waiting', options, async () => {
      const s = await make();
      await s.open('r_1');
      const reader = await s.read('r_1');
      const next = reader.next();
      assert.equal(await settled(next), false, 'the reader waits');
      await s.drop('r_1');
      await rejectsUnavailable(next, 'dropped');
    });
  });

  test(`relay store (${name}): an unknown stream is refused with 409 invalid_request`, options, async (t) => {
    t.after(cleanup);
    const s = await make();
    await rejectsUnavailable(s.read('r_nope'), 'unknown');
    await rejectsUnavailable(s.read('r_nope', 3), 'unknown');
    await rejectsUnavailable(s.append('r_nope', 0, 'x'), 'unknown');
    await rejectsUnavailable(s.end('r_nope'), 'unknown');
    await assert.rejects(s.read('r_nope'), /relay stream r_nope is not held here \(unknown, or expired/);
  });
}
