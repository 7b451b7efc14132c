// Two relay processes sharing one Redis (issue 16 item 3): a real redis-server started here, the
// local provider in this process, and two OS processes each serving createRelay with a
// RedisStore (support/relay_process.mjs). A browser's stream starts on one; its connection is
// cut and the resume lands on the other, which serves the stored events and then the live tail
// the first one keeps appending: no gap, no duplicate, one upstream request. A DELETE that lands
// on the other process cancels the upstream the first one holds.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { APILoader } from '../../npm/src/index.js';
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

/** A relay process; resolves once it printed its URL. {url, stop()} */
function relayProcess(scenario) {
  const child = spawn(process.execPath, [path.join(HERE, 'support', 'relay_process.mjs'), redis.url, `${provider.url}/v1`, scenario],
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
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
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
      const response = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
      const reader = response.body.getReader();
      let text = '';
      while (!/event: text/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      const streamId = /"stream":"(r_[0-9a-f]+)"/.exec(text)[1];
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
});
