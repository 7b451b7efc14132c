// Test support for the relay: what the relay tests share. recordedAs / FIXTURE_FILES: how each
// recorded fixture is streamed (provider, API, Content-Type); cuttingFront: a TCP front that
// cuts its first connection mid-response and sends later ones on (to the same relay, or to
// another process: a load balancer whose reconnect lands elsewhere).

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = path.join(process.env.LLMSTREAM_SHARED_DIR ?? path.join(REPO, '..', 'shared'), 'fixtures');

const MORE = readdirSync(path.join(FIXTURES, 'more-providers'))
  .filter((f) => /\.(sse|json|ndjson|eventstream)$/.test(f) && f !== 'expected.json')
  .map((f) => `more-providers/${f}`);
/** Every recorded fixture: the 28 shared ones, then the more-providers ones. */
export const FIXTURE_FILES = [...readdirSync(FIXTURES).filter((f) => f.endsWith('.sse')).sort(), ...MORE.sort()];

/** The provider, API and Content-Type a fixture is streamed with (as the C++ test's options). */
export function recordedAs(file) {
  const name = path.basename(file);
  if (file.startsWith('more-providers/')) {
    const provider = name.split('-')[0];
    const contentType = {
      gemini: name.endsWith('.json') ? 'application/json; charset=UTF-8' : 'text/event-stream',
      ollama: 'application/x-ndjson',
      bedrock: 'application/vnd.amazon.eventstream',
    }[provider] ?? 'text/event-stream';
    return { provider, ...(provider === 'bedrock' ? { region: 'us-east-1' } : {}), contentType };
  }
  if (name.startsWith('anthropic')) return { provider: 'anthropic', contentType: 'text/event-stream' };
  if (name.startsWith('openai-responses')) return { provider: 'openai', api: 'responses', contentType: 'text/event-stream' };
  const provider = { groq: 'groq', openrouter: 'openrouter' }[name.split('-')[0]] ?? 'openai';
  return { provider, contentType: 'text/event-stream' };
}

/**
 * A TCP front: its first connection goes to `first` and is cut once `cutAfter` response bytes
 * went through (mid-event, most likely); every later one goes to `then` (whole, or cut too when
 * cutAfter lists an offset for it).
 * @param {{first: string, then?: string, cutAfter: number | number[]}} options relay URLs
 * @returns {Promise<{url: string, connections: () => number, cuts: () => number, close: () => Promise<void>}>}
 */
export async function cuttingFront({ first, then = first, cutAfter, stall = false }) {
  // stall: at the cut, stop forwarding and keep both connections open instead (a half-open
  // connection, or a proxy that holds the bytes): only the client's idle timeout notices.
  // cutAfter: one offset (the first connection is cut), or one per connection (0: not cut).
  const offsets = Array.isArray(cutAfter) ? cutAfter : [cutAfter];
  let connections = 0;
  let cuts = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    const n = connections++;
    const cutAt = offsets[n] ?? 0;
    const cut = cutAt > 0;
    const target = new URL(n === 0 ? first : then);
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    let forwarded = 0;
    upstream.on('data', (data) => {
      if (!cut) return void client.write(data);
      const room = cutAt - forwarded;
      if (room <= 0) return;
      client.write(room >= data.length ? data : data.subarray(0, room));
      forwarded += Math.min(room, data.length);
      if (forwarded >= cutAt) {
        cuts++;
        if (stall) {
          // The client's side stays open whatever the relay does (it ends its response, closes).
          upstream.removeAllListeners('close');
          upstream.removeAllListeners('error');
          upstream.on('error', () => {});
          return;
        }
        client.destroy();
        upstream.destroy();
      }
    });
    client.on('data', (data) => upstream.write(data));
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${new URL(first).pathname}`,
    connections: () => connections,
    cuts: () => cuts,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Waits until `done()` (sync or async) holds, checking once per turn of the event loop, or
 * fails with `what` at the deadline: an observation of state, not a sleep.
 */
export async function until(done, what, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `${what} (after ${deadlineMs} ms)`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
