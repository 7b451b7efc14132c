// The relay's in-memory resume store (npm/src/relay/store.js): the store contract
// (support/relay_store_contract.mjs: resume from every id of every recorded stream, live readers,
// the byte cap), then what is MemoryStore's own: expiry by the injected clock and the stream cap.
// Time is a fake clock and a fake scheduler, so nothing sleeps.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LLMStreamError } from '../../npm/src/errors.js';
import { MemoryStore } from '../../npm/src/relay/store.js';
import { assertRun, collect, rejectsUnavailable, storeContract } from './support/relay_store_contract.mjs';

/** A clock and a scheduler the test moves by hand. */
class FakeTime {
  t = 1_000_000;
  timers = [];
  now = () => this.t;
  schedule = (fn, ms) => {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };
  /** Moves the clock and runs the timers now due, in order. */
  advance(ms) {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
  }
}

function store(options = {}) {
  const time = new FakeTime();
  return { time, store: new MemoryStore({ now: time.now, schedule: time.schedule, ...options }) };
}

storeContract('memory', { make: async () => store().store, cleanup: async () => {} });

describe('relay store: expiry by the injected clock', () => {
  test('an ended stream with no reader is dropped resumeWindowMs after its end', async () => {
    const { time, store: s } = store();
    const drops = [];
    await s.open('r_1', { resumeWindowMs: 1000, onDrop: (id, why) => drops.push([id, why]) });
    const reader = collect(await s.read('r_1'));
    await s.append('r_1', 0, 'a');
    time.advance(5000); // a reader holds it: no expiry however long the upstream takes
    await s.append('r_1', 1, 'b');
    await s.end('r_1');
    assert.equal((await reader).length, 2); // the reader left at the end: the window starts
    time.advance(999);
    assert.equal((await collect(await s.read('r_1', 0))).length, 1); // and restarts when this one leaves
    time.advance(999);
    assert.deepEqual(drops, []);
    assert.equal(s.size, 1);
    time.advance(1);
    assert.deepEqual(drops, [['r_1', 'expired']]);
    assert.equal(s.size, 0);
    await rejectsUnavailable(s.read('r_1', 0), 'unknown');
  });

  test('a live stream whose last reader left is dropped after the window unless a reader comes back', async () => {
    const { time, store: s } = store();
    const drops = [];
    await s.open('r_1', { resumeWindowMs: 1000, onDrop: (id, why) => drops.push([id, why]) });
    await s.append('r_1', 0, 'a');
    let reader = await s.read('r_1');
    await reader.next();
    await reader.return(); // the client's connection closed
    time.advance(900);
    reader = await s.read('r_1', 0); // it came back in time
    time.advance(5000);
    assert.deepEqual(drops, []);
    await reader.return(); // left again (a for-await break calls this)
    time.advance(1000);
    assert.deepEqual(drops, [['r_1', 'expired']], 'the relay cancels the upstream here');
    await rejectsUnavailable(s.append('r_1', 1, 'b'), 'unknown');
  });

  test('a stream that ends after its last reader left is kept for the window from its end', async () => {
    const { time, store: s } = store();
    const drops = [];
    await s.open('r_1', { resumeWindowMs: 1000, onDrop: (id, why) => drops.push([id, why]) });
    await s.append('r_1', 0, 'a');
    await (await s.read('r_1')).return(); // the client went away mid-stream
    time.advance(900);
    await s.append('r_1', 1, 'b'); // the upstream finished meanwhile
    await s.end('r_1');
    time.advance(900); // 1800 after the client left, 900 after the end
    assertRun(await collect(await s.read('r_1', 0)), 1, 1, 'resumed after the end');
    time.advance(999);
    assert.deepEqual(drops, []);
    time.advance(1);
    assert.deepEqual(drops, [['r_1', 'expired']]);
  });

  test('a reader left before its first pull still releases the stream', async () => {
    const { time, store: s } = store();
    await s.open('r_1', { resumeWindowMs: 10 });
    const reader = await s.read('r_1');
    await reader.return();
    time.advance(10);
    assert.equal(s.size, 0);
  });

  test('the clock decides even when no timer ran (schedule: null, or a late timer)', async () => {
    const time = new FakeTime();
    const s = new MemoryStore({ now: time.now, schedule: null, resumeWindowMs: 100 });
    await s.open('r_1');
    await s.append('r_1', 0, 'a');
    await s.end('r_1');
    time.t += 99;
    assert.equal((await collect(await s.read('r_1'))).length, 1);
    time.t += 100;
    await rejectsUnavailable(s.read('r_1'), 'unknown');
    await s.open('r_2');
    time.t += 100;
    s.sweep();
    assert.equal(s.size, 0);
  });

  test('an opened stream nobody reads expires too', async () => {
    const { time, store: s } = store({ resumeWindowMs: 50 });
    await s.open('r_1');
    time.advance(50);
    await rejectsUnavailable(s.read('r_1'), 'unknown');
  });
});

describe('relay store: the stream cap', () => {
  test('the stream cap evicts the idle stream closest to its deadline, and refuses when all are read', async () => {
    const { time, store: s } = store({ maxStreams: 2, resumeWindowMs: 1000 });
    const drops = [];
    const onDrop = (id, why) => drops.push([id, why]);
    await s.open('r_1', { onDrop });
    time.advance(10);
    await s.open('r_2', { onDrop });
    await s.open('r_3', { onDrop });
    assert.deepEqual(drops, [['r_1', 'evicted']]);
    await rejectsUnavailable(s.read('r_1'), 'unknown');
    const a = await s.read('r_2');
    const b = await s.read('r_3');
    await assert.rejects(s.open('r_4'), (error) => error instanceof LLMStreamError && error.code === 'limit_exceeded');
    await a.return();
    await s.open('r_4', { onDrop });
    assert.deepEqual(drops, [['r_1', 'evicted'], ['r_2', 'evicted']]);
    await b.return();
  });

});

describe('relay store: appendMany wakes a reader once (the contract has its rules)', () => {
  test('the waiting reader then takes the rest of the batch without waiting (nextNow)', async () => {
    const { store: s } = store();
    await s.open('r_many');
    const reader = await s.read('r_many', null);
    const first = reader.next();
    await s.appendMany('r_many', 0, ['e0', 'e1', 'e2']);
    assert.deepEqual(await first, { done: false, value: { id: 0, bytes: 'e0' } });
    assert.deepEqual([reader.nextNow(), reader.nextNow(), reader.nextNow()], [{ id: 1, bytes: 'e1' }, { id: 2, bytes: 'e2' }, null]);
    await reader.return();
  });
});
