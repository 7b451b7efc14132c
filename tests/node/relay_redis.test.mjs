// Two relay processes sharing one Redis (issue 16 item 3): a real redis-server started here, the
// local provider in this process, and two OS processes each serving createRelay with a
// RedisStore (support/relay_process.mjs). A browser's stream starts on one; its connection is
// cut and the resume lands on the other, which serves the stored events and then the live tail
// the first one keeps appending: no gap, no duplicate, one upstream request. A DELETE that lands
// on the other process cancels the upstream the first one holds. The process holding the
// upstream killed with SIGKILL: the resume on the other ends with the retryable "stream lost"
// error about a holder lease later, never hangs. Redis killed and restarted mid-stream: the
// stream continues or ends with that error; new streams work after the restart.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { APILoader, ServerError } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';
import { findRedisServer, startRedis } from './support/redis.mjs';
import { cuttingFront } from './support/relay_net.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = findRedisServer();

let redis;
let provider;
before(async () => {
  assert.ok(BIN, 'no redis-server: scripts/setup.sh installs it (Debian redis-server)');
  redis = await startRedis({ bin: BIN });
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(async () => {
  provider?.close();
  await redis?.stop();
});

/** A relay process; resolves once it printed its URL. {url, stop(), kill()} */
function relayProcess(scenario, { storeOptions = {}, on = redis } = {}) {
  const child = spawn(process.execPath, [path.join(HERE, 'support', 'relay_process.mjs'), on.url, `${provider.url}/v1`, scenario, JSON.stringify(storeOptions)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /relay listening on (\S+)/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          stop: () => new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done(); // exited, or killed
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
          kill: () => new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGKILL');
          }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`relay process exited (${code}) before serving: ${stderr}`)));
  });
}

async function waitOutcome(key, outcome) {
  const res = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=${outcome}&timeout_ms=15000`);
  assert.equal(res.status, 200, `the provider never saw outcome ${outcome} for ${key}`);
  return res.json();
}

/** POSTs a request to a relay and reads until its first text event: {reader, text, streamId}. */
async function startStream(url) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
  const reader = response.body.getReader();
  let text = '';
  while (!/event: text/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  return { reader, text, streamId: /"stream":"(r_[0-9a-f]+)"/.exec(text)[1] };
}

const texts = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');

describe('two relay processes on one Redis', { timeout: 120_000 }, () => {
  test('a resume that lands on the other process continues the stream: no gap, no duplicate, one upstream request', async () => {
    const key = `redis-resume-${process.pid}`;
    const scenario = `key=${key}; pace_ms=10; tokens=60`;
    const [a, b] = await Promise.all([relayProcess(scenario), relayProcess(scenario)]);
    const front = await cuttingFront({ first: a.url, then: b.url, cutAfter: 900 });
    try {
      const stream = new APILoader({ provider: 'relay', baseURL: front.url, retryBaseDelayMs: 0 }).streamCompletion({ prompt: 'Hello' });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      assert.equal(front.connections(), 2, 'the POST on A, the resume on B');
      assert.equal(stream.attempts, 2);
      const direct = [];
      const loader = new APILoader({ provider: 'local', baseURL: `${provider.url}/v1`, headers: { 'x-llmstream-scenario': 'pace_ms=0; tokens=60' } });
      for await (const chunk of loader.streamCompletion({ prompt: 'Hello' })) direct.push(chunk);
      assert.equal(texts(chunks), texts(direct));
      assert.deepEqual(chunks.map((c) => c.type), direct.map((c) => c.type));
      assert.equal(stream.result.text, texts(direct));
      const records = await (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();
      assert.equal(records.length, 1, 'the provider was asked once');
    } finally {
      await front.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('a DELETE that lands on the other process cancels the upstream', async () => {
    const key = `redis-cancel-${process.pid}`;
    const scenario = `key=${key}; pace_ms=20; tokens=400`;
    const [a, b] = await Promise.all([relayProcess(scenario), relayProcess(scenario)]);
    try {
      const started = await startStream(a.url);
      const { reader, streamId } = started;
      let text = started.text;
      const deleted = await fetch(`${b.url}?stream=${streamId}`, { method: 'DELETE' });
      assert.equal(deleted.status, 204);
      await waitOutcome(key, 'client_disconnected');
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.match(text, /event: error\ndata: \{"error":\{"code":"aborted"/);
      const again = await fetch(`${b.url}?stream=${streamId}`, { method: 'DELETE' });
      assert.equal(again.status, 409, 'an ended stream has nothing to cancel');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('the process holding the upstream is killed (SIGKILL): the resume on the other ends with the retryable error a lease later', { timeout: 30_000 }, async () => {
    const key = `redis-holder-${process.pid}`;
    const scenario = `key=${key}; pace_ms=20; tokens=2000`;
    const lease = 600;
    const [a, b] = await Promise.all([relayProcess(scenario, { storeOptions: { holderLeaseMs: lease } }), relayProcess(scenario)]);
    try {
      const { streamId } = await startStream(a.url);
      const resumed = await fetch(`${b.url}?stream=${streamId}`, { headers: { 'last-event-id': '0' } });
      assert.equal(resumed.status, 200);
      const reader = resumed.body.getReader();
      let tail = '';
      while (!/event: text/.test(tail)) tail += new TextDecoder().decode((await reader.read()).value);
      await a.kill();
      const killed = Date.now();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        tail += new TextDecoder().decode(value);
      }
      const took = Date.now() - killed;
      const ids = [...tail.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(ids, ids.map((_, i) => i + 1), 'every event after 0 once, in order');
      const last = ids[ids.length - 1];
      assert.ok(tail.endsWith(`id: ${last}\nevent: error\ndata: {"error":{"code":"server","message":"the relay lost this stream (its store failed, or the relay process holding it stopped)","retryable":true}}\n\n`),
        `the stream ends with the retryable error: ${tail.slice(-300)}`);
      assert.ok(took < 5 * lease, `ended ${took} ms after the kill (lease ${lease} ms)`);
      // Ended in Redis: a resume after its terminal event is told there is nothing more (204).
      assert.equal((await fetch(`${b.url}?stream=${streamId}`, { headers: { 'last-event-id': String(last) } })).status, 204);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('Redis killed and restarted mid-stream: the stream continues or ends with the retryable error, and new streams work', { timeout: 60_000 }, async (t) => {
    // Its own redis-server, with an append-only file: what Redis acknowledged survives its restart.
    const own = await startRedis({ bin: BIN, args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const key = `redis-restart-${process.pid}`;
    const relay = await relayProcess(`key=${key}; pace_ms=10; tokens=300`, { on: own, storeOptions: { holderLeaseMs: 1000, maxWaitMs: 5000 } });
    try {
      const loader = new APILoader({ provider: 'relay', baseURL: relay.url, retryBaseDelayMs: 50 }); // a cut resumes (5 in a row)
      const stream = loader.streamCompletion({ prompt: 'Hello' });
      const chunks = [];
      let thrown = null;
      try {
        for await (const chunk of stream) {
          chunks.push(chunk);
          if (chunks.filter((c) => c.type === 'text').length === 5) await own.restart();
        }
      } catch (error) {
        thrown = error;
      }
      const direct = [];
      const upstream = new APILoader({ provider: 'local', baseURL: `${provider.url}/v1`, headers: { 'x-llmstream-scenario': 'pace_ms=0; tokens=300' } });
      for await (const chunk of upstream.streamCompletion({ prompt: 'Hello' })) direct.push(chunk);
      t.diagnostic(thrown === null ? 'the stream continued across the restart' : `the stream ended with ${thrown.code}`);
      if (thrown === null) {
        assert.equal(texts(chunks), texts(direct), 'continued: the whole text, no gap, no duplicate');
      } else {
        assert.ok(thrown instanceof ServerError && thrown.retryable, `ended with ${thrown}`);
        assert.ok(texts(direct).startsWith(texts(chunks)), 'what came before the error is the start of the text');
      }
      // A new stream after the restart.
      const after = [];
      for await (const chunk of new APILoader({ provider: 'relay', baseURL: relay.url }).streamCompletion({ prompt: 'Hello' })) after.push(chunk);
      assert.equal(texts(after), texts(direct));
    } finally {
      await relay.stop();
      await own.stop();
    }
  });
});
