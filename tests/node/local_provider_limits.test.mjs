// Limits of the local provider server (server/README.md, "Limits"): the request deadline, the
// connection cap, the bounded request log and the same-origin rule of the control endpoints.
// Real HTTP over 127.0.0.1, each suite with its own server and short limits. Synchronisation is
// by events ('close', 'response', the server's own timers), never by sleeps.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

import { startServer } from '../../server/lib/server.mjs';

const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'server',
  'local-provider.mjs',
);

// Every wait is for an event; a broken limit fails the test here instead of hanging it.
const T = { timeout: 5_000 };

const CHAT_BODY = {
  model: 'local-echo',
  messages: [{ role: 'user', content: 'Hi' }],
  stream: true,
};

/**
 * A raw TCP connection to `port` that records everything it receives. `closed` resolves with
 * {data, ms} (the bytes as text, the time from connect to close) once the server closed it.
 */
function connect(port) {
  const socket = net.connect(port, '127.0.0.1');
  const started = Date.now();
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => (data += chunk));
  socket.on('error', () => {}); // writes after the server closed: EPIPE / ECONNRESET
  const closed = once(socket, 'close').then(() => ({ data, ms: Date.now() - started }));
  const connected = once(socket, 'connect');
  return { socket, connected, closed, received: () => data };
}

/** Sends one GET on raw connection `c`; resolves with the whole answer (fixed length). */
function rawGet(c, pathname, { close = false } = {}) {
  const before = c.received().length;
  const answered = new Promise((resolve, reject) => {
    const check = () => {
      const text = c.received().slice(before);
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) {
        c.socket.off('data', check);
        resolve(text);
      }
    };
    c.socket.on('data', check);
    c.socket.once('close', () => reject(new Error(`closed before the answer: '${c.received()}'`)));
  });
  const connection = close ? 'connection: close\r\n' : '';
  c.socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n${connection}\r\n`);
  return answered;
}

/** Writes `text` one byte every `everyMs` ms until the socket closes (the load, not a wait). */
function trickle(socket, text, everyMs) {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at === text.length) return clearInterval(timer);
    socket.write(text[at++]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

async function records(url) {
  return (await fetch(`${url}/_llmstream/requests`)).json();
}

// ---- 1. the request deadline -------------------------------------------------------------------

describe('request deadline', () => {
  const DEADLINE_MS = 300;
  let provider;
  before(async () => {
    provider = await startServer({
      port: 0,
      paceMs: 0,
      requestTimeoutMs: DEADLINE_MS,
      maxBodyBytes: 1024,
    });
  });
  after(() => provider.close());

  test('a body trickled past the deadline gets 408 and the socket is closed', T, async () => {
    const c = connect(provider.port);
    await c.connected;
    const body = JSON.stringify(CHAT_BODY) + ' '.repeat(500); // ~12 s at this pace
    c.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    // One byte every 20 ms: the connection is never idle, the request never complete in time.
    trickle(c.socket, body, 20);
    const { data, ms } = await c.closed;
    assert.match(data, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(ms >= DEADLINE_MS - 20, `closed after ${ms} ms, before the deadline`);
    const timedOut = (await records(provider.url)).filter((r) => r.status === 408);
    assert.equal(timedOut.length, 1);
    assert.equal(timedOut[0].outcome, 'bad_request');
  });

  test('headers trickled past the deadline get 408 and the socket is closed', T, async () => {
    const c = connect(provider.port);
    await c.connected;
    c.socket.write('GET /health HTTP/1.1\r\n');
    trickle(c.socket, 'x-slow: ' + 'a'.repeat(1000), 10);
    const { data } = await c.closed;
    assert.match(data, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  test('a silent connection is closed at the deadline', T, async () => {
    const c = connect(provider.port);
    const { data } = await c.closed;
    assert.match(data, /^HTTP\/1\.1 408/);
  });

  test('a body over the limit: 413 at once, the socket closes at the deadline', T, async () => {
    const c = connect(provider.port);
    await c.connected;
    const got413 = new Promise((resolve) => {
      c.socket.on('data', () => /\r\n\r\n.*\}/s.test(c.received()) && resolve(c.received()));
    });
    c.socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 100000\r\n\r\n' +
        'x'.repeat(2048),
    );
    // The 413 arrives while the rest of the body is still owed (and never sent); the server
    // keeps reading (and dropping) it so that the 413 is not lost to a reset, until the deadline.
    assert.match(await got413, /^HTTP\/1\.1 413 /);
    const { ms } = await c.closed;
    assert.ok(ms >= DEADLINE_MS - 20, `closed after ${ms} ms, before the deadline`);
  });

  test('a response longer than the deadline is not cut (stall in the middle)', T, async () => {
    const res = await fetch(`${provider.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-llmstream-scenario': `tokens=2; stall_after=1; stall_ms=${3 * DEADLINE_MS}` },
      body: JSON.stringify(CHAT_BODY),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /data: \[DONE\]\n\n$/);
  });

  test('an idle keep-alive connection outlives the deadline and is reused', T, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise((resolve, reject) => {
        const req = http.get(`${provider.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      assert.deepEqual(await get(), { status: 200, reused: false });
      // The clock: a silent connection opened now is closed by the deadline, so once it is,
      // the keep-alive connection has been idle for longer than that.
      await connect(provider.port).closed;
      assert.deepEqual(await get(), { status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });
});

// ---- 2. the connection cap -------------------------------------------------------------------

describe('connection cap', () => {
  /**
   * A server of its own per test (connections left open elsewhere must not count), closed with
   * all its connections when the test ends, also when it fails or times out.
   */
  async function capped(t, maxConnections) {
    const provider = await startServer({ port: 0, paceMs: 0, maxConnections, log: () => {} });
    t.after(() => provider.close());
    return provider;
  }

  test('over the cap a new connection is closed at once; the others are served', T, async (t) => {
    const provider = await capped(t, 2);
    const first = connect(provider.port);
    await first.connected;
    const second = connect(provider.port);
    await second.connected;
    // Both are still sending their first request (not idle): nothing can make room.
    const third = connect(provider.port);
    assert.equal((await third.closed).data, '');
    assert.equal(provider.connections.refused, 1);
    assert.match(await rawGet(first, '/health'), /^HTTP\/1\.1 200 /);
    assert.match(await rawGet(second, '/health'), /^HTTP\/1\.1 200 /);
  });

  test('at the cap the longest-idle keep-alive connection makes room', T, async (t) => {
    const provider = await capped(t, 3);
    const older = connect(provider.port);
    const newer = connect(provider.port);
    await Promise.all([older.connected, newer.connected]);
    // Both answered and kept alive, `older` idle first.
    assert.match(await rawGet(older, '/health'), /^HTTP\/1\.1 200 /);
    assert.match(await rawGet(newer, '/health'), /^HTTP\/1\.1 200 /);
    const busy = connect(provider.port); // still sending its first request
    await busy.connected;
    const late = connect(provider.port);
    await late.connected;
    await older.closed; // evicted for `late`
    assert.match(await rawGet(late, '/health'), /^HTTP\/1\.1 200 /);
    assert.match(await rawGet(newer, '/health'), /^HTTP\/1\.1 200 /);
    assert.match(await rawGet(busy, '/health'), /^HTTP\/1\.1 200 /);
    assert.equal(provider.connections.evicted, 1);
    assert.equal(provider.connections.refused, 0);
  });

  test('a keep-alive connection streaming again is not idle: never evicted', T, async (t) => {
    const provider = await capped(t, 1);
    const c = connect(provider.port);
    await c.connected;
    assert.match(await rawGet(c, '/health'), /^HTTP\/1\.1 200 /); // idle once ...
    const body = JSON.stringify(CHAT_BODY);
    const streaming = new Promise((resolve) => {
      c.socket.on('data', () => c.received().includes('data: {') && resolve());
    });
    c.socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'x-llmstream-scenario: tokens=2; stall_after=1\r\n' + // ... then stalls until closed
        `content-length: ${body.length}\r\n\r\n${body}`,
    );
    await streaming;
    const extra = connect(provider.port);
    assert.equal((await extra.closed).data, '');
    assert.equal(provider.connections.refused, 1);
    assert.equal(c.socket.destroyed, false);
  });

  test('the command line takes both limits from the environment', T, async (t) => {
    const child = spawn(process.execPath, [SCRIPT, '--port', '0', '--quiet'], {
      env: { ...process.env, LLMSTREAM_MAX_CONNECTIONS: '1', LLMSTREAM_REQUEST_TIMEOUT_MS: '200' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => child.kill('SIGTERM'));
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    const port = Number(/:(\d+)$/.exec(line)[1]);
    const silent = connect(port);
    await silent.connected;
    const refused = connect(port);
    assert.equal((await refused.closed).data, ''); // one connection at most
    const { data, ms } = await silent.closed;
    assert.match(data, /^HTTP\/1\.1 408 /); // the deadline is 200 ms, not 10 s
    assert.ok(ms < 5000);
  });
});

// ---- 3. the request log ------------------------------------------------------------------------

/** POSTs a non-streaming chat request with `model` and the scenario in the body field. */
async function chat(url, { model = 'local-echo', ...scenario }) {
  const body = { ...CHAT_BODY, model, stream: false, llmstream: { tokens: 1, ...scenario } };
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('request log', () => {
  let provider;
  before(async () => {
    provider = await startServer({ port: 0, paceMs: 0, maxLogRecords: 3, log: () => {} });
  });
  after(() => provider.close());

  test('string fields are cut to 256 characters and say how long they were', T, async () => {
    const key = `long-${'k'.repeat(1000)}`;
    assert.equal(await chat(provider.url, { model: 'm'.repeat(100_000), key }), 200);
    const [record] = await (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();
    assert.equal(record.model, `${'m'.repeat(256)}…[truncated, 100000 chars]`);
    assert.equal(record.key, `long-${'k'.repeat(251)}…[truncated, 1005 chars]`);
    // The long-poll finds the record by the full key too.
    const wait = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&timeout_ms=2000`);
    assert.equal((await wait.json()).seq, record.seq);
  });

  test('only the last N records are kept (maxLogRecords)', T, async () => {
    for (let i = 0; i < 5; i++) assert.equal(await chat(provider.url, { key: `ring-${i}` }), 200);
    const all = await records(provider.url);
    assert.deepEqual(all.map((r) => r.key), ['ring-2', 'ring-3', 'ring-4']);
  });

  test('so are the `times` counters: a forgotten key fails again', T, async () => {
    const fault = { key: 'budget', times: 1, status: 500 };
    assert.equal(await chat(provider.url, fault), 500);
    assert.equal(await chat(provider.url, fault), 200); // the one failure was used up
    for (const key of ['other-1', 'other-2', 'other-3']) await chat(provider.url, { key });
    assert.equal(await chat(provider.url, fault), 500); // counter dropped with the 3 newer keys
  });

  // CPU-bound (6 × 6 MB of JSON each way, full GCs): a longer timeout than the event waits.
  const SLOW = { timeout: 30_000 };
  test('the heap stays bounded after 6 requests with a 3 MB model and key', SLOW, async (t) => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const heapMB = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    // The default record count: only the cut fields keep memory bounded here.
    const big = await startServer({ port: 0, paceMs: 0, log: () => {} });
    t.after(() => big.close());
    const model = 'm'.repeat(3 * 2 ** 20);
    const key = 'k'.repeat(3 * 2 ** 20);
    assert.equal(await chat(big.url, { key: 'warm-up' }), 200);
    const before = heapMB();
    for (let i = 0; i < 6; i++) assert.equal(await chat(big.url, { model, key: key + i }), 200);
    // A small request last: the connection's parser still holds the last request until the next.
    assert.equal(await chat(big.url, { key: 'small' }), 200);
    const grown = heapMB() - before;
    assert.equal((await records(big.url)).length, 8);
    // Kept whole (or behind slices), 36 MB would stay; about 5 MB does here.
    assert.ok(grown < 12, `the heap grew by ${grown.toFixed(1)} MB`);
  });
});

// ---- 4. CORS: the API for any origin, the control endpoints for the server's own ---------------

/** One request with exactly these headers (Host and Origin included); resolves on 'response'. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const corsHeaders = (headers) => Object.keys(headers).filter((h) => h.startsWith('access-control'));

describe('CORS and the control endpoints', () => {
  const EVIL = 'https://evil.example';
  let provider;
  let logged;
  before(async () => {
    provider = await startServer({ port: 0, paceMs: 0, log: () => {} });
    logged = async (key) => (await request(`${provider.url}/_llmstream/requests?key=${key}`)).text;
  });
  after(() => provider.close());

  test('the API keeps CORS for any origin, private-network preflight included', T, async () => {
    const preflight = await request(`${provider.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: EVIL,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
        'access-control-request-private-network': 'true',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.equal(preflight.headers['access-control-allow-private-network'], 'true');
    const answer = await request(`${provider.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: EVIL, 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ ...CHAT_BODY, llmstream: { key: 'cors-api', tokens: 1 } }),
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    const models = await request(`${provider.url}/v1/models`, { headers: { origin: EVIL } });
    assert.equal(models.status, 200);
    assert.equal(models.headers['access-control-allow-origin'], '*');
  });

  test('control endpoints send no CORS headers and refuse every preflight', T, async () => {
    for (const path of ['/_llmstream/requests', '/_llmstream/fixtures', '/_llmstream/x']) {
      const preflight = await request(provider.url + path, {
        method: 'OPTIONS',
        headers: {
          origin: EVIL,
          'access-control-request-method': 'DELETE',
          'access-control-request-private-network': 'true',
        },
      });
      assert.equal(preflight.status, 403, path);
      assert.deepEqual(corsHeaders(preflight.headers), [], path);
    }
    for (const path of ['/_llmstream/fixtures', '/_llmstream/requests?key=none']) {
      const answer = await request(provider.url + path); // no Origin: curl, the tests
      assert.equal(answer.status, 200);
      assert.deepEqual(corsHeaders(answer.headers), [], path);
    }
  });

  test('an internal error of a control endpoint has no CORS headers either', T, async (t) => {
    // A fixtures "directory" that is a file: listing it fails.
    const fixturesDir = fileURLToPath(import.meta.url);
    const broken = await startServer({ port: 0, paceMs: 0, fixturesDir, log: () => {} });
    t.after(() => broken.close());
    const headers = { origin: broken.url };
    const answer = await request(`${broken.url}/_llmstream/fixtures`, { headers });
    assert.equal(answer.status, 500);
    assert.deepEqual(corsHeaders(answer.headers), []);
  });

  test('another origin is refused with 403 and changes nothing', T, async () => {
    await request(`${provider.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ ...CHAT_BODY, llmstream: { key: 'keep-me', tokens: 1 } }),
    });
    const url = `${provider.url}/_llmstream/requests`;
    const local = `http://localhost:${provider.port}`; // a page on another port is another origin
    for (const headers of [
      { origin: EVIL },
      { origin: 'null' }, // sandboxed frames, file: pages
      { origin: `http://localhost:${provider.port + 1}` },
      { 'sec-fetch-site': 'cross-site' }, // a no-cors request (form POST, <img>) without Origin
      { 'sec-fetch-site': 'same-site', origin: local.replace(/\d+$/, '5173') },
    ]) {
      const answer = await request(url, { method: 'DELETE', headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.deepEqual(corsHeaders(answer.headers), []);
      const read = await request(`${url}/wait?key=keep-me&timeout_ms=10`, { headers });
      assert.equal(read.status, 403, JSON.stringify(headers));
    }
    assert.match(await logged('keep-me'), /"key":"keep-me"/); // not cleared
  });

  test('a Host that is not this server (DNS rebinding) is refused; not by the API', T, async () => {
    const host = `rebound.example:${provider.port}`;
    const headers = { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' };
    const url = `${provider.url}/_llmstream/requests`;
    const answer = await request(url, { method: 'DELETE', headers });
    assert.equal(answer.status, 403);
    assert.match(await logged('keep-me'), /"key":"keep-me"/);
    const api = await request(`${provider.url}/v1/models`, { headers: { host } });
    assert.equal(api.status, 200);
  });

  test('the own origin works as the playground calls it, by either loopback name', T, async () => {
    // A same-origin GET (the playground's fixture list) carries no Origin header.
    const list = await request(`${provider.url}/_llmstream/fixtures`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(list.status, 200);
    for (const name of ['localhost', '127.0.0.1']) {
      const host = `${name}:${provider.port}`;
      const headers = { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' };
      const url = `${provider.url}/_llmstream/requests`;
      assert.equal((await request(url, { method: 'DELETE', headers })).status, 200, name);
    }
    assert.equal(await logged('keep-me'), '[]');
  });
});
