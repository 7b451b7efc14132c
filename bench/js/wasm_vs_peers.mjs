#!/usr/bin/env node
// ns per token of llmstream's wasm path in Node next to JS peers, in one process, on the same
// synthetic stream (../shared/bench/gen.mjs) fed in the same reads (1-16 KiB, mulberry32 seed 1:
// bench/core_throughput.cpp's CutReads) as Uint8Arrays:
//
//  (a) bytes -> chunk objects, below the async iterator (synchronous, no streams, no promises),
//      with two consumers (--consumers read,concat): `read` looks at each text chunk's text (sums
//      the lengths; keeps nothing), `concat` appends it to one string (`text +=`). The first is
//      the measure of (a) itself; the second adds what a caller that keeps the whole answer pays
//      on top (the garbage collector over a 1M-piece string: ~85 ns/token for llmstream, ~165
//      for esp on this machine), reported beside it. The first warm-up run of each measurement
//      concatenates and compares the whole text; timed `read` runs compare the total length.
//      llmstream-core   new WasmSession(options JSON of the driver); per read what npm/src/core/session.js does:
//                       HEAPU8.set into the input buffer, ONE onBody call (the plain export
//                       _llmstream_on_body, as the driver), poll, Decoder#decode()
//                       (the driver's own decode: one TextDecoder.decode + one object per event)
//      esp              eventsource-parser's createParser: onEvent -> JSON.parse(data) -> delta
//                       content, the reads decoded by one streaming TextDecoder
//  (b) the whole for-await loop as a user writes it, over a fake fetch whose Response body is a
//      ReadableStream enqueuing the same reads (no sockets: the same for both)
//      llmstream-api    new APILoader({provider:'openai', fetch}).streamCompletion({model, prompt})
//                       with `if (chunk.text) text += chunk.text`
//      openai-sdk       new OpenAI({fetch}).chat.completions.create({..., stream: true}) with
//                       `text += chunk.choices[0]?.delta?.content ?? ''`
//
// Every run's assembled text (or, for (a) `read`, its length) is compared with the generator's
// .txt. One warm-up run per
// measurement, then RUNS rounds in which every measurement runs once (round-robin, so that a
// change of machine load hits all of them alike); figures are medians. `cpu ns/tok` is the
// process's CPU time per token (process.cpuUsage: user + system, so GC helper threads count
// too): on a shared, oversubscribed machine it moves far less with the load than the wall
// time. Prints one JSON line per measurement, then a summary table and the gzipped sizes of
// the module (npm/dist/core/*, or --module's build).
//
//   node --expose-gc bench/js/wasm_vs_peers.mjs [--data bench/data] [--kind openai] [--size 1m]
//        [--runs 5] [--warmup 1] [--only llmstream-core,esp,llmstream-api,openai-sdk]
//        [--consumers read,concat]
//        [--module path/to/llmstream_core.mjs]   (another build, e.g. -O3, for (a) and (b); (b)
//                                                 then makes APILoader's calls on that module)
// (scripts/bench-js.sh builds the module and the data when missing, then runs this.)

import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import os from 'node:os';

import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';

import { loadCore } from '../../npm/src/core/load.js';
import { SessionAction } from '../../npm/dist/core/abi.js';
import { Decoder } from '../../npm/src/core/decoder.js';
import { openSession } from '../../npm/src/core/session.js';
import { createChunkStream } from '../../npm/src/chunk-stream.js';
import { APILoader } from '../../npm/src/index.js';
import { loaderConfig, requestOptions } from '../../npm/src/options.js';
import { fakeFetch, loadAverage, loadStream, median } from './reads.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dataDir = opt('--data', join(repo, 'bench', 'data'));
const kind = opt('--kind', 'openai');
const size = opt('--size', '1m');
const runs = Number(opt('--runs', '5'));
const warmups = Number(opt('--warmup', '1'));
const only = opt('--only', 'llmstream-core,esp,llmstream-api,openai-sdk').split(',');
const moduleOpt = opt('--module', undefined);
// How the (a) consumers use each chunk: 'read' looks at its text (its length is summed; nothing
// is kept), 'concat' appends it to one string (`text +=`, as (b) does). The first warm-up run
// always concatenates and compares the whole text.
const consumers = opt('--consumers', 'read,concat').split(',');
const moduleUrl = moduleOpt === undefined ? undefined : pathToFileURL(resolve(moduleOpt));
if (kind !== 'openai') throw new Error('only --kind openai: the peers are OpenAI Chat clients');

const BASE_URL = 'http://llmstream-bench.invalid/v1';
const MODEL = 'gpt-4o-2024-08-06';
const PROMPT = 'Tell me about streaming';
const now = () => performance.now();

const stream = loadStream(join(dataDir, `${kind}-${size}`));
const { reads, meta } = stream;
const tokens = meta.tokens;
const core = await loadCore(moduleUrl ? { moduleUrl } : {});

// SessionAction (llmstream/session.h)
const { SEND, DONE } = SessionAction;

// The options object APILoader hands the driver for this request (npm/src/options.js).
const driverOptions = requestOptions(loaderConfig({ provider: 'openai', apiKey: 'x', baseURL: BASE_URL }), {
  model: MODEL,
  prompt: PROMPT,
}).driver;

// ---- (a) below the iterator ------------------------------------------------------------------

/**
 * llmstream: the driver's per-read work, synchronously. Returns {text, textLength, chunks,
 * wasmMs}; `text` only with the 'concat' consumer.
 */
function runLlmstreamCore(consumer) {
  let wasmMs = 0;
  let text = '';
  let textLength = 0;
  let chunkCount = 0;
  const concat = consumer === 'concat';
  const consume = (chunks) => {
    if (chunks === null) return;
    chunkCount += chunks.length;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      if (c.type === 'text') {
        if (concat) text += c.text;
        else textLength += c.text.length;
      }
    }
  };
  const settings = { ...driverOptions, unixMsAtZero: Math.round(Date.now() - now()) };
  const ws = new core.WasmSession(JSON.stringify(settings));
  const statePtr = ws.statePtr();
  const decoder = new Decoder(core); // the driver's decode: the public chunks
  const handle = ws.handle(); // the driver's per-read calls go through the plain exports
  try {
    let action = core._llmstream_poll(handle, now());
    consume(decoder.decode(ws, statePtr));
    if (action !== SEND) throw new Error(`expected SEND, got action ${action}`);
    JSON.parse(ws.httpRequestJson()); // what the driver hands fetch
    const headers = JSON.stringify([['content-type', 'text/event-stream'], ['x-request-id', 'req_bench']]);
    if (ws.onResponse(200, headers, now()) > 0) consume(decoder.decode(ws, statePtr));
    let inputPtr = 0;
    let inputCapacity = 0;
    // The split: wasm side (copy-in + calls) vs JS side (decode into chunk objects + consume).
    // Two extra performance.now() per read: ~2 ns/token.
    let inWasm = 0;
    for (let i = 0; i < reads.length; i++) {
      // session.js: poll (WAIT), then the read: one HEAPU8.set, one onBody, one decode.
      const t0 = now();
      core._llmstream_poll(handle, t0);
      consume(decoder.decode(ws, statePtr));
      const bytes = reads[i];
      const len = bytes.byteLength;
      if (len > inputCapacity) {
        inputCapacity = Math.max(len, 64 * 1024);
        inputPtr = ws.inputBuffer(inputCapacity);
      }
      core.HEAPU8.set(bytes, inputPtr);
      const n = core._llmstream_on_body(handle, len, now());
      inWasm += now() - t0;
      if (n > 0) consume(decoder.decode(ws, statePtr));
    }
    wasmMs = inWasm;
    if (ws.onEnd(now()) > 0) consume(decoder.decode(ws, statePtr));
    for (let guard = 0; guard < 100; guard++) {
      action = core._llmstream_poll(handle, now());
      consume(decoder.decode(ws, statePtr));
      if (action === DONE) break;
    }
    if (action !== DONE) throw new Error('the core did not finish');
    const error = ws.errorJson();
    if (error !== 'null') throw new Error('the core failed: ' + error);
  } finally {
    ws.delete();
  }
  return { text: concat ? text : null, textLength: concat ? text.length : textLength, chunks: chunkCount, wasmMs };
}

/** eventsource-parser + JSON.parse on the same reads; the same result as runLlmstreamCore. */
function runEsp(consumer) {
  let text = '';
  let textLength = 0;
  let chunkCount = 0;
  const concat = consumer === 'concat';
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data);
      chunkCount++;
      const content = chunk.choices[0]?.delta?.content;
      if (content) {
        if (concat) text += content;
        else textLength += content.length;
      }
    },
  });
  for (let i = 0; i < reads.length; i++) parser.feed(decoder.decode(reads[i], { stream: true }));
  parser.feed(decoder.decode());
  return { text: concat ? text : null, textLength: concat ? text.length : textLength, chunks: chunkCount };
}

// ---- (b) the whole for-await loop ------------------------------------------------------------

/**
 * APILoader#streamCompletion on `core` (the --module build): the same three calls it makes
 * (requestOptions, createChunkStream, openSession), minus the loadCore() of npm/dist/core.
 */
function streamCompletionOn(fetchImpl) {
  const { driver, rawMode, signal, secrets, fetch, metricsIntervalMs } = requestOptions(
    loaderConfig({ provider: 'openai', apiKey: 'x', baseURL: BASE_URL, fetch: fetchImpl }),
    { model: MODEL, prompt: PROMPT },
  );
  return createChunkStream({
    rawMode,
    secrets,
    metricsIntervalMs,
    open: async () => openSession(core, driver, { fetch, signal, raw: rawMode, secrets }),
  });
}

async function runLlmstreamApi() {
  const stream = moduleUrl
    ? streamCompletionOn(fakeFetch(reads))
    : new APILoader({ provider: 'openai', apiKey: 'x', baseURL: BASE_URL, fetch: fakeFetch(reads) })
        .streamCompletion({ model: MODEL, prompt: PROMPT });
  let text = '';
  let chunkCount = 0;
  for await (const chunk of stream) {
    chunkCount++;
    if (chunk.text) text += chunk.text;
  }
  return { text, chunks: chunkCount };
}

async function runOpenaiSdk() {
  const client = new OpenAI({ apiKey: 'x', baseURL: BASE_URL, fetch: fakeFetch(reads), maxRetries: 0 });
  let text = '';
  let chunkCount = 0;
  const completion = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    stream: true,
  });
  for await (const chunk of completion) {
    chunkCount++;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return { text, chunks: chunkCount };
}

const A_CONSUMERS = {
  read: 'each text read (length summed, nothing kept)',
  concat: 'each text appended to one string (text +=)',
};
const MEASUREMENTS = [
  ...consumers.flatMap((consumer) => {
    const suffix = consumer === 'read' ? '' : `+${consumer}`;
    return [
      { name: `llmstream-core${suffix}`, only: 'llmstream-core', level: 'a', consumer,
        what: `bytes -> chunk objects (wasm core + driver decode); ${A_CONSUMERS[consumer]}`,
        run: (c) => runLlmstreamCore(c) },
      { name: `esp${suffix}`, only: 'esp', level: 'a', consumer,
        what: `bytes -> chunk objects (eventsource-parser + JSON.parse); ${A_CONSUMERS[consumer]}`,
        run: (c) => runEsp(c) },
    ];
  }),
  { name: 'llmstream-api', level: 'b', what: 'for-await over APILoader.streamCompletion', run: runLlmstreamApi },
  { name: 'openai-sdk', level: 'b', what: 'for-await over openai chat.completions.create', run: runOpenaiSdk },
].filter((m) => only.includes(m.only ?? m.name));

/** One run of `m`; `check`: concatenate and compare the whole text (else only its length). */
async function timed(m, check = false) {
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  const t0 = now();
  const out = await m.run(check ? 'concat' : m.consumer);
  const ms = now() - t0;
  const c1 = process.cpuUsage(c0);
  if (out.text !== null && out.text !== undefined ? out.text !== stream.text : out.textLength !== stream.text.length) {
    throw new Error(`${m.name}: assembled text differs from ${kind}-${size}.txt ` +
      `(${out.textLength ?? out.text.length} vs ${stream.text.length} UTF-16 units)`);
  }
  return { ms, cpuMs: (c1.user + c1.system) / 1e3, chunks: out.chunks, wasmMs: out.wasmMs };
}

const startLoad = loadAverage();
for (const m of MEASUREMENTS) {
  m.times = [];
  m.cpuTimes = [];
  m.wasmTimes = [];
  for (let w = 0; w < Math.max(warmups, 1); w++) m.chunks = (await timed(m, w === 0)).chunks;
}
for (let r = 0; r < runs; r++) {
  for (const m of MEASUREMENTS) {
    const t = await timed(m);
    m.times.push(t.ms);
    m.cpuTimes.push(t.cpuMs);
    if (t.wasmMs !== undefined) m.wasmTimes.push(t.wasmMs);
    m.chunks = t.chunks;
  }
}
const endLoad = loadAverage();

const env = {
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  load_start: startLoad,
  load_end: endLoad,
};
const results = {};
for (const m of MEASUREMENTS) {
  const ms = median(m.times);
  const row = {
    bench: 'wasm_vs_peers',
    level: m.level,
    peer: m.name,
    what: m.what,
    stream: `${kind}-${size}`,
    tokens,
    bytes: stream.body.byteLength,
    reads: reads.length,
    chunks: m.chunks,
    runs: m.times.length,
    ms_median: +ms.toFixed(1),
    ns_per_token: +((ms * 1e6) / tokens).toFixed(1),
    ns_per_token_min: +((Math.min(...m.times) * 1e6) / tokens).toFixed(1),
    ns_per_token_max: +((Math.max(...m.times) * 1e6) / tokens).toFixed(1),
    cpu_ns_per_token: +((median(m.cpuTimes) * 1e6) / tokens).toFixed(1),
    mb_per_s: +(stream.body.byteLength / 1e6 / (ms / 1e3)).toFixed(1),
    ...(m.wasmTimes.length
      ? {
          wasm_ns_per_token: +((median(m.wasmTimes) * 1e6) / tokens).toFixed(1),
          js_ns_per_token: +(((ms - median(m.wasmTimes)) * 1e6) / tokens).toFixed(1),
        }
      : {}),
    text_ok: true,
    module: moduleUrl && m.name.startsWith('llmstream') ? moduleUrl.pathname : 'npm/dist/core',
    ...env,
  };
  results[m.name] = row;
  console.log(JSON.stringify(row));
}

// gzipped sizes of the module (--module's build, else npm/dist/core)
const distDir = moduleUrl ? dirname(fileURLToPath(moduleUrl)) : join(repo, 'npm', 'dist', 'core');
const sizes = [];
for (const f of readdirSync(distDir).filter((f) => /^llmstream_core\.(mjs|wasm)$/.test(f)).sort()) {
  const raw = readFileSync(join(distDir, f));
  sizes.push({ file: f, bytes: raw.length, gzip9: gzipSync(raw, { level: 9 }).length });
}
const gzTotal = sizes.reduce((s, x) => s + x.gzip9, 0);
console.log(JSON.stringify({ bench: 'wasm_vs_peers', sizes, gzip9_total: gzTotal, target_bytes: 120_000 }));

// summary
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`\n# ${kind}-${size}: ${tokens} tokens, ${(stream.body.byteLength / 1e6).toFixed(1)} MB, ${reads.length} reads ` +
  `(1-16 KiB); median of ${runs} runs after ${warmups} warm-up; node ${process.version}; load ${startLoad} -> ${endLoad}`);
if (moduleUrl) console.log(`# llmstream-core and llmstream-api ran ${moduleUrl.pathname} (sizes below: that build)`);
console.log(`${pad('level', 6)}${pad('peer', 16)}${lpad('ns/token', 10)}${lpad('min', 9)}${lpad('max', 9)}${lpad('MB/s', 8)}` +
  `${lpad('cpu ns/tok', 12)}`);
for (const row of Object.values(results)) {
  console.log(`${pad(row.level, 6)}${pad(row.peer, 16)}${lpad(row.ns_per_token.toFixed(1), 10)}` +
    `${lpad(row.ns_per_token_min.toFixed(1), 9)}${lpad(row.ns_per_token_max.toFixed(1), 9)}${lpad(row.mb_per_s.toFixed(1), 8)}` +
    `${lpad(row.cpu_ns_per_token.toFixed(1), 12)}`);
}
const verdict = (ok) => (ok ? 'met' : 'NOT met');
for (const consumer of consumers) {
  const suffix = consumer === 'read' ? '' : `+${consumer}`;
  const ours = results[`llmstream-core${suffix}`];
  const peer = results[`esp${suffix}`];
  if (ours?.wasm_ns_per_token !== undefined) {
    console.log(`llmstream-core${suffix} split: wasm (HEAPU8.set + poll + onBody) ${ours.wasm_ns_per_token.toFixed(1)} ns/token, ` +
      `JS (Decoder#decode -> chunk objects, consume) ${ours.js_ns_per_token.toFixed(1)} ns/token`);
  }
  if (ours && peer) {
    const a = ours.ns_per_token;
    const ratio = peer.ns_per_token / a;
    console.log(`(a${suffix}) esp${suffix} / llmstream-core${suffix} = ${ratio.toFixed(1)}x (target >= 8x: ${verdict(ratio >= 8)}); ` +
      `llmstream-core${suffix} ${a.toFixed(1)} ns/token (target <= 250: ${verdict(a <= 250)}); consumer: ${A_CONSUMERS[consumer]}`);
  }
}
if (results['llmstream-api'] && results['openai-sdk']) {
  const ratio = results['openai-sdk'].ns_per_token / results['llmstream-api'].ns_per_token;
  console.log(`(b) openai-sdk / llmstream-api = ${ratio.toFixed(1)}x (target >= 10x: ${verdict(ratio >= 10)})`);
}
for (const s of sizes) console.log(`size ${pad(s.file, 22)}${lpad(s.bytes, 9)} bytes${lpad(s.gzip9, 9)} gzip -9`);
console.log(`size ${pad('total', 22)}${lpad('', 15)}${lpad(gzTotal, 9)} gzip -9 (target < 120000: ${verdict(gzTotal < 120_000)})`);
