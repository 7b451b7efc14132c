// The native client reading a relay (issue 16, item 5): the `llmstream` CLI with --provider relay
// against the npm package's relay (createRelay) on a real loopback HTTP server, streaming from the
// local provider. The oracle is the same CLI reading the provider directly: the same answer, usage
// and result; a cut connection is resumed with one upstream request; Ctrl-C reaches the relay as
// a DELETE and the provider sees the disconnect. Only 127.0.0.1; synchronisation by output, exit
// and the provider's request log, never by sleeps.
//
// The binary comes from LLMSTREAM_CLI (default build/native-release/platform/native/llmstream):
// these tests run in the npm stage, after the native build.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createRelay } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';
import { cuttingFront } from './support/relay_net.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.resolve(REPO, process.env.LLMSTREAM_CLI ?? 'build/native-release/platform/native/llmstream');
const KEY = 'sk-relay-native-5e4d3c2b1a09';
const APP_TOKEN = 'app-token-native-123456';

// No real keys from the developer's shell, no proxy for loopback traffic.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/_API_KEY$/.test(name) && !/^(http|https|all)_proxy$/i.test(name)),
);
ENV.NO_PROXY = ENV.no_proxy = '127.0.0.1,localhost';

let provider;
before(async () => {
  assert.ok(existsSync(CLI), `the llmstream CLI is not built: ${CLI} is missing (cmake --build --preset native-release)`);
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(() => provider?.close());

let keys = 0;
const freshKey = (what) => `native-relay-${what}-${process.pid}-${++keys}`;

/** A relay streaming from the local provider with `scenario`, on loopback; every request logged. */
async function serve(scenario, extra = {}) {
  const relay = createRelay({
    provider: 'local', baseURL: `${provider.url}/v1`, apiKey: KEY, maxRetries: 0,
    headers: { 'x-llmstream-scenario': scenario },
    ...extra,
    policy: {
      models: '*',
      // The app's own authentication: the CLI sends its token (LLMSTREAM_RELAY_TOKEN) as Bearer.
      authenticate: (caller) => caller.headers.get('authorization') === `Bearer ${APP_TOKEN}`,
      ...extra.policy,
    },
  });
  const requests = [];
  let sent = '';
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, lastEventId: req.headers['last-event-id'] ?? null });
    const write = res.write.bind(res);
    res.write = (chunk, ...rest) => {
      if (chunk) sent += Buffer.from(chunk).toString('utf8');
      return write(chunk, ...rest);
    };
    relay(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/api/chat`,
    requests,
    sent: () => sent,
    close: () => {
      relay.cancelAll();
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs the CLI to completion: {code, stdout, stderr}. */
async function run(args) {
  const child = spawn(CLI, args, { env: { ...ENV, LLMSTREAM_RELAY_TOKEN: APP_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}

const jsonLines = (stdout) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
const textOf = (events) => events.filter((e) => e.type === 'text').map((e) => e.text).join('');
/** What a relay carries of the events (no keep-alives, raw or metadata ids), for comparison. */
const kinds = (events) => events.map((e) => e.type).filter((t) => t !== 'keep_alive' && t !== 'metrics');
const last = (events, type) => events.filter((e) => e.type === type).at(-1);

/** The provider's records of `key`. */
async function requestsOf(key) {
  return (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();
}
async function waitOutcome(key, outcome) {
  const res = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=${outcome}&timeout_ms=10000`);
  assert.equal(res.status, 200, `the provider never saw outcome ${outcome} for ${key}`);
  return res.json();
}

/** The direct run: the same CLI reading the local provider itself. */
function direct(scenario) {
  return run(['--provider', 'local', '--base-url', provider.url, '--scenario', scenario, '--json', 'Hello']);
}

describe('llmstream --provider relay', () => {
  test('gives the direct stream: text, events, usage, finish', async () => {
    const scenario = 'pace_ms=0; tokens=30';
    const relay = await serve(scenario);
    try {
      const relayed = await run(['--provider', 'relay', '--base-url', relay.url, '--json', '--model', 'local-echo', 'Hello']);
      const own = await direct(scenario);
      assert.equal(relayed.code, 0, relayed.stderr);
      assert.equal(own.code, 0, own.stderr);
      const got = jsonLines(relayed.stdout);
      const want = jsonLines(own.stdout);
      assert.equal(textOf(got), textOf(want));
      assert.ok(textOf(got).length > 0);
      // (Metadata too, but its order among the deltas is the relay's upstream read's.)
      const noMetadata = (events) => kinds(events).filter((t) => t !== 'metadata');
      assert.deepEqual(noMetadata(got), noMetadata(want));
      assert.deepEqual(last(got, 'usage'), last(want, 'usage'));
      // (A finish chunk has no place for the provider's raw reason: the result has it.)
      assert.equal(last(got, 'finish').text, last(want, 'finish').text);
      assert.equal(relay.requests.length, 1);
      assert.equal(relay.requests[0].method, 'POST');
      assert.ok(!relay.sent().includes(KEY), 'the provider key reached the client');
    } finally {
      await relay.close();
    }
  });

  test("the relay's error reaches the CLI with its code (a refused model: policy_violation, exit 1)", async () => {
    const relay = await serve('pace_ms=0; tokens=3', { policy: { models: ['local-echo'] } });
    try {
      const refused = await run(['--provider', 'relay', '--base-url', relay.url, '--json', '--model', 'gpt-4.1', 'Hello']);
      const error = last(jsonLines(refused.stdout), 'error');
      assert.equal(error?.error?.code, 'policy_violation', refused.stdout + refused.stderr);
      assert.equal(relay.requests.length, 1, 'a refusal is not retried');
    } finally {
      await relay.close();
    }
  });

  for (const cutAfter of [450, 1500]) {
    test(`a connection cut after ${cutAfter} bytes is resumed: one upstream request, the same text`, async () => {
      const key = freshKey('resume');
      const relay = await serve(`key=${key}; pace_ms=2; tokens=40`);
      const front = await cuttingFront({ first: relay.url, cutAfter });
      try {
        const relayed = await run(['--provider', 'relay', '--base-url', front.url, '--json', '--model', 'local-echo', 'Hello']);
        assert.equal(relayed.code, 0, relayed.stderr);
        assert.equal(front.cuts(), 1, 'the front cut the first connection');
        const own = await direct('pace_ms=0; tokens=40');
        assert.equal(textOf(jsonLines(relayed.stdout)), textOf(jsonLines(own.stdout)));
        assert.ok(!jsonLines(relayed.stdout).some((e) => e.type === 'retry'), 'the resume is invisible');
        assert.deepEqual(relay.requests.map((r) => r.method), ['POST', 'GET']);
        assert.match(relay.requests[1].url, /\?stream=r_[0-9a-f]+$/);
        assert.match(relay.requests[1].lastEventId ?? '', /^\d+$/);
        assert.equal((await requestsOf(key)).length, 1, 'the provider was asked once');
      } finally {
        await front.close();
        await relay.close();
      }
    });
  }

  test('Ctrl-C sends DELETE: the relay stops the upstream at once', async () => {
    const key = freshKey('cancel');
    const relay = await serve(`key=${key}; pace_ms=20; tokens=2000`);
    try {
      const child = spawn(CLI, ['--provider', 'relay', '--base-url', relay.url, '--model', 'local-echo', 'Hello'], {
        env: { ...ENV, LLMSTREAM_RELAY_TOKEN: APP_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      await once(child.stdout, 'data');
      child.kill('SIGINT');
      const [code] = await once(child, 'close');
      assert.equal(code, 130, stderr);
      const record = await waitOutcome(key, 'client_disconnected');
      assert.ok(record.events_sent < 1000, `the provider stopped early (${record.events_sent} events)`);
      const deletes = relay.requests.filter((r) => r.method === 'DELETE');
      assert.equal(deletes.length, 1, JSON.stringify(relay.requests));
      assert.match(deletes[0].url, /\?stream=r_[0-9a-f]+$/);
    } finally {
      await relay.close();
    }
  });
});
