#!/usr/bin/env node
// The npm relay's cost (issue 16 item 9), in one process, on the generator's stream cut into the
// same network reads as the other benchmarks (reads.mjs):
//   direct   the package reads the provider bytes itself (APILoader -> chunks)
//   relay    provider bytes in -> relay bytes out: createRelay's fetch shape, the response read
//            to its end (the pump, the encoder, the memory store, the SSE response)
//   client   the same plus `provider: 'relay'` reading that response back into chunks
// min / median ns per token over RUNS runs each, interleaved. Then streams held: N relayed
// streams kept open at once against a provider that sends one event and goes silent, the
// resident and heap memory per stream.
//
//   node --expose-gc bench/js/relay_overhead.mjs [--kind openai] [--size 100k] [--runs 7] [--streams 2000]
// (needs bench/data/KIND-SIZE.sse: scripts/bench-js.sh writes it)

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { APILoader, createRelay } from '../../npm/src/index.js';
import { fakeFetch, loadStream } from './reads.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i < 0 ? def : args[i + 1];
};
const kind = flag('--kind', 'openai');
const size = flag('--size', '100k');
const runs = Number(flag('--runs', '7'));
const held = Number(flag('--streams', '2000'));

const { reads, meta } = loadStream(join(repo, 'bench', 'data', `${kind}-${size}`));
const tokens = meta.tokens ?? meta.tokenCount ?? meta.textTokens;
if (!tokens) throw new Error(`no token count in ${kind}-${size}.meta.json`);
const upstream = { provider: kind, apiKey: 'sk-bench', baseURL: 'http://llmstream-bench.invalid/v1', maxRetries: 0 };
const request = { model: 'bench-model', prompt: 'Tell me about streaming' };
const relayOptions = { ...upstream, policy: { models: '*', maxTokens: 1_000_000 } };

async function drain(stream) {
  let n = 0;
  for await (const chunk of stream) if (chunk.type === 'text') n++;
  return n;
}

async function direct() {
  return drain(new APILoader({ ...upstream, fetch: fakeFetch(reads) }).streamCompletion(request));
}

function post(relay) {
  return relay.fetch(new Request('http://relay.bench/api/chat', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
  }));
}

async function relayOut() {
  const relay = createRelay({ ...relayOptions, fetch: fakeFetch(reads) });
  const response = await post(relay);
  let bytes = 0;
  for await (const part of response.body) bytes += part.byteLength;
  return bytes;
}

async function client() {
  const relay = createRelay({ ...relayOptions, fetch: fakeFetch(reads) });
  const loader = new APILoader({ provider: 'relay', baseURL: 'http://relay.bench/api/chat', fetch: (url, init) => relay.fetch(new Request(url, init)) });
  return drain(loader.streamCompletion(request));
}

const cases = { direct, relay: relayOut, client };
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const fn of Object.values(cases)) await fn(); // warm: the core module loads, code is compiled
for (let r = 0; r < runs; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    globalThis.gc?.();
    const t0 = performance.now();
    await fn();
    times[name].push(((performance.now() - t0) * 1e6) / tokens);
  }
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
console.log(`${kind}-${size}: ${tokens} tokens, ${runs} runs each (ns/token, min / median)`);
for (const [name, xs] of Object.entries(times)) {
  const { min, median } = stat(xs);
  console.log(`  ${name.padEnd(7)} ${min.toFixed(0).padStart(6)} / ${median.toFixed(0).padStart(6)}`);
}
const d = stat(times.direct).min;
console.log(`  relay overhead over direct: ${(stat(times.relay).min - d).toFixed(0)} ns/token; client over direct: ${(stat(times.client).min - d).toFixed(0)} ns/token`);

// ---- streams held -------------------------------------------------------------------------
// A provider that sends one text event and then nothing: each stream stays open in the relay.
const first = new TextEncoder().encode('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n');
const silent = async (_url, init = {}) => new Response(new ReadableStream({
  start(controller) {
    controller.enqueue(first);
    init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), { once: true });
  },
}), { status: 200, headers: { 'content-type': 'text/event-stream' } });
const relay = createRelay({ ...relayOptions, provider: 'openai', fetch: silent, keepAliveMs: 600_000 });
globalThis.gc?.();
const before = process.memoryUsage();
const readers = [];
for (let i = 0; i < held; i++) {
  const response = await post(relay);
  const reader = response.body.getReader();
  await reader.read(); // the preamble
  readers.push(reader);
}
// Every stream's first text event arrived.
for (const reader of readers) {
  let text = '';
  while (!text.includes('event: text')) text += new TextDecoder().decode((await reader.read()).value);
}
globalThis.gc?.();
const after = process.memoryUsage();
const perStream = (key) => ((after[key] - before[key]) / held / 1024).toFixed(1);
console.log(`streams held: ${held} open at once: rss ${perStream('rss')} KiB/stream, heap ${perStream('heapUsed')} KiB/stream, ` +
  `external+arrayBuffers ${perStream('external')} KiB/stream (rss total ${(after.rss / 2 ** 20).toFixed(0)} MiB)`);
relay.cancelAll();
for (const reader of readers) await reader.cancel().catch(() => {});
process.exit(0);
