// The relay's Redis resume store (npm/src/relay/redis-store.js) on a redis-server of the test's
// own: the store contract (support/relay_store_contract.mjs) as MemoryStore passes it, the
// recorded streams appended through one store and resumed through another (two relay processes,
// each on its own connections); then what only Redis has: a reader in a second OS process, expiry
// by Redis TTLs with a short real window, a killed reader's lease letting go a lease later. Nothing sleeps to synchronise: a test
// waits for a store's promise, a child's line, or polls Redis for a key's end with a deadline (an
// observation of Redis's own clock).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { RedisClient } from '../../npm/src/relay/redis-client.js';
import { scripts } from '../../npm/src/relay/redis-scripts.js';
import { RedisStore } from '../../npm/src/relay/redis-store.js';
import { lostStreamEvent } from '../../npm/src/relay/store.js';
import { findRedisServer, redisForTests } from './support/redis.mjs';
import {
  FILES,
  assertBytes,
  assertRun,
  collect,
  recorded,
  rejectsUnavailable,
  settled,
  storeContract,
} from './support/relay_store_contract.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = findRedisServer();

/** The test's redis-server, and our look at it (a client on its own connection). */
const redis = BIN ? redisForTests(BIN) : null;
/** Stores made by a case, closed after it. */
let stores = [];

/**
 * A store on the test's Redis. Its readers' and holders' leases are long unless a case says
 * otherwise: a reader that missed a wake-up would be rescued by its renewal poll (every lease / 3)
 * or by its look when the holder's lease should have run out, and pass, slowly; with long leases
 * it fails by the case's timeout instead.
 */
function make(options = {}) {
  const s = new RedisStore({ url: redis.server.url, leaseMs: 300_000, holderLeaseMs: 300_000, ...options });
  stores.push(s);
  return s;
}

/** Plugged clients, closed after the case (a store does not close a client it was given). */
let plugged = [];

/**
 * A store on a client given to it, with nothing but the three methods the store documents
 * (RedisCommands): what a user's ioredis or node-redis adapter provides; and that client.
 * `beforeSubscribe` runs (awaited) before each subscription, to put something in between;
 * `afterSubscribe` once it holds.
 * @param {{beforeSubscribe?: () => Promise<unknown>, afterSubscribe?: () => void}} [hooks]
 * @returns {[RedisStore, RedisClient]}
 */
function makePlugged({ beforeSubscribe, afterSubscribe } = {}) {
  const client = new RedisClient(redis.server.url);
  plugged.push(client);
  const store = make({
    client: {
      send: (args) => client.send(args),
      subscribe: async (channel, onMessage, onGap) => {
        await beforeSubscribe?.();
        await client.subscribe(channel, onMessage, onGap);
        afterSubscribe?.();
      },
      unsubscribe: (channel) => client.unsubscribe(channel),
    },
  });
  return [store, client];
}

/** Closes the case's stores and empties Redis: the contract's cases reuse stream ids. */
async function cleanup() {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(plugged.map((c) => c.close()));
  stores = [];
  plugged = [];
  await redis.client.send(['FLUSHDB']);
}

/** Polls Redis until `done()` holds, or fails at the deadline: an observation, not a sleep. */
async function until(done, what, deadlineMs = 5000) {
  const start = Date.now();
  while (!(await done())) {
    assert.ok(Date.now() - start < deadlineMs, `${what} after ${deadlineMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Until none of the stream's keys is left (Redis expired them). */
async function vanished(streamId) {
  const keys = ['meta', 'events', 'readers'].map((k) => `relay:{${streamId}}:${k}`);
  await until(async () => (await redis.client.send(['EXISTS', ...keys])) === 0, `relay stream ${streamId} still in Redis`);
}

const pttl = (streamId) => redis.client.send(['PTTL', `relay:{${streamId}}:meta`]);

if (!BIN) {
  test('relay store (redis): redis-server is installed', () => {
    assert.fail('no redis-server: scripts/setup.sh installs it (Debian redis-server)');
  });
} else {

  // The recorded streams are appended through one store and resumed through another: two relay
  // processes, each with its own connections (the second on a plugged client).
  storeContract('redis', { make: async () => make(), other: async () => makePlugged()[0], cleanup, timeout: 300_000 });

  // These wait for signals (a child's line, onDrop): one that never comes fails the suite, not the run.
  describe('relay store (redis): across OS processes', { timeout: 60_000 }, () => {
    afterEach(cleanup);
    const events = recorded(FILES.includes('anthropic-text.relay') ? 'anthropic-text.relay' : FILES[0]);
    const last = events.length - 1;

    test('a reader in another process resumes a stream this one appends to, stored then live', async () => {
      const s = make();
      await s.open('r_1');
      const half = Math.floor(events.length / 2);
      for (const e of events.slice(0, half)) await s.append('r_1', e.id, e.bytes);
      const child = spawnReader('r_1', 1, 15_000);
      await child.ready;
      for (const e of events.slice(half)) await s.append('r_1', e.id, e.bytes);
      await s.end('r_1');
      const { code, lines, stderr } = await child.exited;
      assert.equal(code, 0, stderr);
      const got = lines.map((line) => JSON.parse(line));
      assertRun(got, 2, last, 'the other process');
      assertBytes(got, events, 2, 'the other process');
    });

    test('a reader whose process is killed lets the stream go a lease (plus the window) later', async () => {
      const s = make();
      const dropped = dropSignal();
      await s.open('r_1', { resumeWindowMs: 200, onDrop: dropped.onDrop });
      await s.append('r_1', 0, events[0].bytes);
      const ours = await s.read('r_1'); // holds the stream while the other process starts
      const child = spawnReader('r_1', -1, 300);
      await child.ready;
      await ours.return(); // from here only the other process's lease holds it
      assert.ok((await pttl('r_1')) > 200, 'held by the lease: longer than the window');
      child.kill();
      await child.exited;
      assert.ok((await pttl('r_1')) > 0, 'not dropped at once');
      await vanished('r_1');
      assert.deepEqual(await dropped.promise, ['r_1', 'expired']);
      await rejectsUnavailable(s.append('r_1', 1, events[1].bytes), 'unknown');
    });
  });

  describe('relay store (redis): expiry by Redis TTLs, with a short real window', { timeout: 60_000 }, () => {
    afterEach(cleanup);

    test('an ended stream with no reader is gone resumeWindowMs after its end, and its opener is told', async () => {
      const s = make();
      const dropped = dropSignal();
      await s.open('r_1', { resumeWindowMs: 200, onDrop: dropped.onDrop });
      const reader = collect(await s.read('r_1'));
      await s.append('r_1', 0, 'a');
      await s.append('r_1', 1, 'b');
      await s.end('r_1');
      assert.equal((await reader).length, 2);
      const ttl = await pttl('r_1');
      assert.ok(ttl > 0 && ttl <= 200, `TTL ${ttl}: the window from the end`);
      for (const key of ['events']) assert.ok((await redis.client.send(['PTTL', `relay:{r_1}:${key}`])) > 0, 'the events expire too');
      await vanished('r_1');
      assert.deepEqual(await dropped.promise, ['r_1', 'expired']);
      await rejectsUnavailable(s.read('r_1', 0), 'unknown');
    });

    test('a reader holds a live stream past its window by renewing its lease; when it leaves, the window runs', async () => {
      const s = make({ leaseMs: 150 });
      const dropped = dropSignal();
      await s.open('r_1', { resumeWindowMs: 200, onDrop: dropped.onDrop });
      await s.append('r_1', 0, 'a');
      const reader = await s.read('r_1');
      assert.equal((await reader.next()).value.id, 0);
      // Observed over several leases (each renewed a third of the way): never expiring.
      const start = Date.now();
      while (Date.now() - start < 600) {
        assert.ok((await pttl('r_1')) > 0, 'held while read');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await reader.return(); // the client went away
      const ttl = await pttl('r_1');
      assert.ok(ttl > 0 && ttl <= 200, `TTL ${ttl}: the window from the leave`);
      await vanished('r_1');
      assert.deepEqual(await dropped.promise, ['r_1', 'expired'], 'the relay cancels the upstream here');
      await rejectsUnavailable(s.append('r_1', 1, 'b'), 'unknown');
    });

    test('a stream that ends after its last reader left is kept for the window from its end', async () => {
      const s = make();
      await s.open('r_1', { resumeWindowMs: 1000 });
      await s.append('r_1', 0, 'a');
      await (await s.read('r_1')).return(); // the client went away mid-stream
      // 900 ms later by Redis's clock (the TTL is that clock): 100 ms of the window are left.
      await redis.client.send(['PEXPIRE', 'relay:{r_1}:meta', '100']);
      await s.append('r_1', 1, 'b'); // the upstream finished meanwhile
      await s.end('r_1');
      const ttl = await pttl('r_1');
      assert.ok(ttl > 500 && ttl <= 1000, `TTL ${ttl}: the window from the end`);
      assertRun(await collect(await s.read('r_1', 0)), 1, 1, 'resumed after the end');
    });

    test('an opened stream nobody reads expires too', async () => {
      const s = make();
      await s.open('r_1', { resumeWindowMs: 200 });
      await vanished('r_1');
      await rejectsUnavailable(s.read('r_1'), 'unknown');
    });
  });

  // A holder that dies (kill -9, or cut off from Redis) must not leave its readers waiting for
  // ever: a lease it renews, and readers that end the stream with the "stream lost" event once it
  // ran out. Readers here hold a 300 s lease: only the holder's lease can wake them in time.
  describe('relay store (redis): the holder\'s lease', { timeout: 30_000 }, () => {
    afterEach(cleanup);
    const LEASE = 500;

    test('a holder killed with SIGKILL: a reader in another process gets the "stream lost" event about a lease later', async () => {
      const holder = spawnHolder('r_1', LEASE, 3);
      await holder.ready;
      const s = make();
      const reader = await s.read('r_1');
      assert.deepEqual(await take3(reader), ['e0', 'e1', 'e2']);
      const next = reader.next(); // waits: the holder lives and appends nothing
      assert.equal(await settled(next), false);
      holder.kill();
      await holder.exited;
      const killed = Date.now();
      assert.deepEqual(await next, { done: false, value: { id: 3, bytes: lostStreamEvent(3) } });
      const took = Date.now() - killed;
      assert.ok(took < 4 * LEASE, `the stream ended ${took} ms after the kill (lease ${LEASE} ms)`);
      assert.deepEqual(await reader.next(), { done: true, value: undefined });
      // Ended in the store, as by its holder: a resume gets the same terminal event, then nothing.
      assert.deepEqual(await collect(await s.read('r_1', 2)), [{ id: 3, bytes: lostStreamEvent(3) }]);
      await rejectsUnavailable(s.read('r_1', 3), 'ended');
      assert.match(lostStreamEvent(3), /^id: 3\nevent: error\ndata: \{"error":\{"code":"server","message":"[^"]+","retryable":true\}\}\n\n$/);
    });

    test('a holder that lives keeps its stream through quiet leases (its timer renews), and end() lets go', async () => {
      const h = make({ holderLeaseMs: 400 }); // renewed every 133 ms: a busy machine's late timer is no lapse
      await h.open('r_1');
      await h.append('r_1', 0, 'zero');
      const reader = await make().read('r_1', 0);
      const next = reader.next();
      // Observed over several of its leases without an append: never ended.
      const start = Date.now();
      while (Date.now() - start < 1200) {
        assert.equal(await redis.client.send(['HGET', 'relay:{r_1}:meta', 'ended']), '0', 'ended while its holder lives');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(await settled(next), false);
      await h.append('r_1', 1, 'one');
      assert.deepEqual(await next, { done: false, value: { id: 1, bytes: 'one' } });
      await h.append('r_1', 2, 'done');
      await h.end('r_1');
      assertRun(await collect(reader), 2, 2, 'to the end');
      assert.equal(await redis.client.send(['LLEN', 'relay:{r_1}:events']), 3, 'no "stream lost" after an end');
    });

    test('a holder whose append failed lets go (the relay could not store its terminal event): readers end the stream', async () => {
      const h = make({ holderLeaseMs: 300 });
      await h.open('r_1');
      await h.append('r_1', 0, 'zero');
      const reader = await make().read('r_1', 0);
      const next = reader.next();
      await assert.rejects(h.append('r_1', 5, 'five'), /expects event 1, not 5/);
      assert.deepEqual(await next, { done: false, value: { id: 1, bytes: lostStreamEvent(1) } });
      assert.deepEqual(await reader.next(), { done: true, value: undefined });
    });

    test('a holder cut off from Redis: its append rejects, and a reader elsewhere gets the "stream lost" event', async () => {
      const proxy = await tcpProxy(redis.server.port);
      try {
        const h = make({ host: '127.0.0.1', port: proxy.port, holderLeaseMs: LEASE, maxWaitMs: 1000 });
        await h.open('r_1');
        await h.appendMany('r_1', 0, ['e0', 'e1', 'e2']);
        const reader = await make().read('r_1');
        assert.deepEqual(await take3(reader), ['e0', 'e1', 'e2']);
        proxy.cut(); // its connections die, new ones are refused
        await assert.rejects(h.append('r_1', 3, 'e3'), /may or may not have run|no connection within|ECONNREFUSED|connection closed/);
        const { value } = await reader.next();
        assert.deepEqual(value, { id: 3, bytes: lostStreamEvent(3) });
        assert.deepEqual(await reader.next(), { done: true, value: undefined });
      } finally {
        proxy.cut();
      }
    });
  });

  describe('relay store (redis): appendMany in Redis', { timeout: 20_000 }, () => {
    afterEach(cleanup);

    test('one script call per batch; a batch past 256 events or 1 MiB is split, in order', async () => {
      const client = new RedisClient(redis.server.url);
      plugged.push(client);
      let calls = 0;
      const s = make({
        client: {
          send: (args) => {
            if (/^EVAL/.test(String(args[0])) && args[1] !== scripts.fetch.sha && args[1] !== scripts.join.sha) calls++;
            return client.send(args);
          },
          subscribe: (channel, onMessage, onGap) => client.subscribe(channel, onMessage, onGap),
          unsubscribe: (channel) => client.unsubscribe(channel),
        },
      });
      await s.open('r_1');
      calls = 0;
      await s.appendMany('r_1', 0, Array.from({ length: 600 }, (_, i) => `e${i}`));
      assert.equal(calls, 3, '600 events: 256 + 256 + 88');
      calls = 0;
      const big = 'x'.repeat(400 * 1024);
      await s.appendMany('r_1', 600, [big, big, big, 'small']);
      assert.equal(calls, 2, '1.2 MiB: two calls');
      calls = 0;
      await s.appendMany('r_1', 604, ['y'.repeat(2 * 1024 * 1024)]);
      assert.equal(calls, 1, 'one event larger than a call\'s budget still goes, alone');
      await s.end('r_1');
      const got = await collect(await s.read('r_1'));
      assertRun(got, 0, 604, 'all of them');
      assert.equal(got[600].bytes, big);
      assert.equal(got[603].bytes, 'small');
    });
  });

  describe('relay store (redis): reconnects and script reloads', { timeout: 20_000 }, () => {
    afterEach(cleanup);

    test('a reader whose subscription was cut fetches once it is back: the append published meanwhile is not missed', async () => {
      const writer = make();
      await writer.open('r_1');
      await writer.append('r_1', 0, 'zero');
      let afterSubscribe;
      const subscribed = new Promise((resolve) => (afterSubscribe = resolve));
      const [s, client] = makePlugged({ afterSubscribe });
      const reader = await s.read('r_1', 0);
      const next = reader.next(); // subscribes, then fetches once more, then waits for a message
      await subscribed;
      // That FETCH has left (after the microtasks), and its empty answer came back before this
      // PING's on the same connection; after the microtasks the reader waits for a message.
      await new Promise((resolve) => setImmediate(resolve));
      await client.send(['PING']);
      await new Promise((resolve) => setImmediate(resolve));
      // In one transaction: the reader's subscriber connection is killed, then event 1 is appended;
      // its message reaches no one. Only the resubscription (onGap) makes the reader look again.
      await redis.client.send(['SCRIPT', 'LOAD', scripts.append.source]);
      const [multi, killed, appended, exec] = await Promise.all([
        redis.client.send(['MULTI']),
        redis.client.send(['CLIENT', 'KILL', 'TYPE', 'pubsub']),
        redis.client.send(['EVALSHA', scripts.append.sha, '3', 'relay:{r_1}:meta', 'relay:{r_1}:events', 'relay:{r_1}:readers', '1', 'relay:{r_1}', 'one']),
        redis.client.send(['EXEC']),
      ]);
      assert.deepEqual([multi, killed, appended], ['OK', 'QUEUED', 'QUEUED']);
      assert.equal(exec[0], 1, 'one subscriber connection killed');
      assert.equal(exec[1][0], 'ok');
      assert.deepEqual(await next, { done: false, value: { id: 1, bytes: 'one' } });
      await writer.append('r_1', 2, 'two');
      assert.deepEqual(await reader.next(), { done: false, value: { id: 2, bytes: 'two' } }, 'the new subscription delivers');
      await reader.return();
    });

    test('scripts Redis forgot (SCRIPT FLUSH, a restart) are sent again', async () => {
      const s = make();
      await s.open('r_1');
      await s.append('r_1', 0, 'zero');
      await redis.client.send(['SCRIPT', 'FLUSH']);
      await s.appendMany('r_1', 1, ['one', 'two']);
      await s.end('r_1');
      assertRun(await collect(await s.read('r_1')), 0, 2, 'after the flush');
    });
  });

  describe('relay store (redis): the expiry watch across a lost connection', { timeout: 20_000 }, () => {
    afterEach(cleanup);

    test('while Redis cannot be reached the opener keeps looking, and is told once it can', async () => {
      const proxy = await tcpProxy(redis.server.port);
      try {
        const s = make({ host: '127.0.0.1', port: proxy.port, maxWaitMs: 1000 });
        const dropped = dropSignal();
        await s.open('r_1', { resumeWindowMs: 300, onDrop: dropped.onDrop });
        proxy.cut(); // its first look (300 ms on) fails: no connection
        await vanished('r_1'); // Redis expired it meanwhile
        await proxy.mend();
        assert.deepEqual(await dropped.promise, ['r_1', 'expired'], 'the relay cancels the upstream then');
      } finally {
        proxy.cut();
      }
    });
  });

  describe('relay store (redis): a resume whose JOIN lost its connection', { timeout: 20_000 }, () => {
    afterEach(cleanup);

    test('the JOIN runs again on the next connection (harmless: the same lease), and the resume is served', async () => {
      const proxy = await tcpProxy(redis.server.port);
      try {
        const writer = make();
        await writer.open('r_1');
        await writer.append('r_1', 0, 'zero');
        const s = make({ host: '127.0.0.1', port: proxy.port });
        assert.equal(await s.cancel('r_none'), false); // connected
        proxy.dropNextReply();
        const reader = await s.read('r_1');
        assert.deepEqual(await reader.next(), { done: false, value: { id: 0, bytes: 'zero' } });
        assert.equal(await redis.client.send(['ZCARD', 'relay:{r_1}:readers']), 1, 'one lease');
        await reader.return();
      } finally {
        proxy.cut();
      }
    });
  });

  describe('relay store (redis): keys and connections', { timeout: 20_000 }, () => {
    afterEach(cleanup);

    test('an append between a reader\'s last FETCH and its SUBSCRIBE is not missed', async () => {
      const writer = make();
      await writer.open('r_1');
      await writer.append('r_1', 0, 'zero');
      // Its message is published before the subscription holds: the reader never sees it.
      const [s] = makePlugged({ beforeSubscribe: () => writer.append('r_1', 1, 'one') });
      const reader = await s.read('r_1', 0);
      assert.deepEqual(await reader.next(), { done: false, value: { id: 1, bytes: 'one' } });
      await reader.return();
    });

    test('a message for an id the reader has, or past its next, is no event: the reader fetches', async () => {
      const writer = make();
      let afterSubscribe;
      const subscribed = new Promise((resolve) => (afterSubscribe = resolve));
      const [s, client] = makePlugged({ afterSubscribe });
      await writer.open('r_1');
      await writer.append('r_1', 0, 'zero');
      const reader = await s.read('r_1', 0);
      const next = reader.next(); // nothing to read: it subscribes, then fetches once more
      await subscribed;
      // That FETCH has left (after the microtasks), and its empty answer came back before this
      // PING's on the same connection; after the microtasks the reader waits for a message.
      await new Promise((resolve) => setImmediate(resolve));
      await client.send(['PING']);
      await new Promise((resolve) => setImmediate(resolve));
      // Published before the real one: the reader sees them first (a channel keeps its order).
      await redis.client.send(['PUBLISH', 'relay:{r_1}', '0\nstale']);
      await redis.client.send(['PUBLISH', 'relay:{r_1}', '5\nahead']);
      await writer.append('r_1', 1, 'one');
      assert.deepEqual(await next, { done: false, value: { id: 1, bytes: 'one' } });
      await writer.append('r_1', 2, 'two');
      assert.deepEqual(await reader.next(), { done: false, value: { id: 2, bytes: 'two' } });
      await reader.return();
    });

    test('nextNow() hands out what a FETCH brought without waiting, then null', async () => {
      const s = make();
      await s.open('r_1');
      for (let id = 0; id < 5; id++) await s.append('r_1', id, `e${id}`);
      await s.end('r_1');
      const reader = /** @type {any} */ (await s.read('r_1'));
      assert.equal(reader.nextNow(), null, 'nothing fetched yet');
      assert.equal((await reader.next()).value.id, 0); // one FETCH brought all five
      assert.deepEqual([1, 2, 3, 4].map(() => reader.nextNow()?.id), [1, 2, 3, 4]);
      assert.equal(reader.nextNow(), null);
      assert.deepEqual(await reader.next(), { done: true, value: undefined });
    });

    test('an id that could name other keys is no stream', async () => {
      const s = make();
      await rejectsUnavailable(s.read('r_1}:meta'), 'unknown');
      await assert.rejects(s.open('a{b}'), TypeError);
    });

    test('close() ends the connections the store made', async () => {
      await onlyAdmin(); // the connections of earlier cases' stores are gone
      const a = make();
      const b = make();
      await a.open('r_1');
      await a.append('r_1', 0, 'x');
      const reader = await b.read('r_1', 0);
      const next = reader.next(); // nothing to read yet: b subscribes, on its second connection
      await until(async () => (await redis.client.send(['PUBSUB', 'NUMSUB', 'relay:{r_1}']))[1] === 1, 'b not subscribed');
      assert.equal(await clients(), 4, 'ours, a\'s, and b\'s two');
      await a.append('r_1', 1, 'y');
      assert.equal((await next).value.bytes, 'y');
      await Promise.all([a.close(), b.close()]);
      await assert.rejects(reader.next(), /relay store: closed/);
      await onlyAdmin();
    });
  });
}

/** The number of connections Redis has now (ours included). */
async function clients() {
  return (await redis.client.send(['CLIENT', 'LIST'])).trim().split('\n').length;
}

/** Until Redis has only our own connection left (it sees a close a moment later). */
async function onlyAdmin() {
  await until(async () => (await clients()) === 1, 'connections still open');
}

/** onDrop, and a promise of its first call. */
function dropSignal() {
  let onDrop;
  const promise = new Promise((resolve) => (onDrop = (...args) => resolve(args)));
  return { onDrop, promise };
}

/** A reader in another node process (support/relay_store_reader.mjs). */
function spawnReader(streamId, after, leaseMs) {
  return spawnSupport('relay_store_reader.mjs', [streamId, String(after), String(leaseMs)]);
}

/** A holder in another node process (support/relay_store_holder.mjs). */
function spawnHolder(streamId, holderLeaseMs, count) {
  return spawnSupport('relay_store_holder.mjs', [streamId, String(holderLeaseMs), String(count)]);
}

/**
 * A support script in another node process, on the test's Redis: `ready` once it printed
 * "ready", `exited` with its code and the lines it printed after that, `kill()` (SIGKILL).
 */
function spawnSupport(script, args) {
  const child = spawn(process.execPath, [path.join(HERE, 'support', script), redis.server.url, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  let onReady;
  let onFail;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => {
    child.on('close', (code) => {
      onFail(new Error(`${script} exited (${code}) before it was ready: ${stderr}`));
      resolve({ code, lines: out.split('\n').slice(1, -1), stderr });
    });
  });
  return { ready, exited, kill: () => child.kill('SIGKILL') };
}

/** The bytes of a reader's next three events. */
async function take3(reader) {
  const out = [];
  for (let i = 0; i < 3; i++) out.push((await reader.next()).value.bytes);
  return out;
}

/**
 * A TCP proxy to Redis; cut() kills its connections and refuses new ones (a holder cut off),
 * mend() takes new ones again on the same port, dropNextReply() kills the connection of the next
 * command after it was forwarded.
 */
async function tcpProxy(port) {
  const sockets = new Set();
  let server;
  const listen = (at) => new Promise((resolve) => {
    server = net.createServer(relay);
    server.listen(at, '127.0.0.1', resolve);
  });
  let dropNext = false;
  const relay = (socket) => {
    const upstream = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(socket);
    sockets.add(upstream);
    upstream.pipe(socket);
    socket.on('data', (d) => {
      if (!dropNext) {
        upstream.write(d);
        return;
      }
      // The command reaches Redis (and runs), the connection dies before its reply comes back.
      dropNext = false;
      socket.removeAllListeners('close');
      upstream.unpipe(socket);
      upstream.end(d);
      socket.destroy();
    });
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };
  await listen(0);
  const proxyPort = server.address().port;
  return {
    port: proxyPort,
    cut: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
    mend: () => listen(proxyPort),
    /** The next command a client sends runs, and its connection dies before the reply. */
    dropNextReply: () => {
      dropNext = true;
    },
  };
}
