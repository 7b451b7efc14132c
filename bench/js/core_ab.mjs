#!/usr/bin/env node
// Compares builds of the wasm core back to back on the part that (a) in wasm_vs_peers.mjs
// spends in wasm: min / median ns per token over RUNS runs of a generated stream, per read one
// HEAPU8.set + the driver's two plain-export calls, (1) without decoding the packed events
// ("wasm") and (2) with the driver's Decoder and a `text +=` consumer ("full"). Minimum
// and median over many short runs are far steadier on a shared machine than one long run, so
// this is what the build variants in platform/wasm/CMakeLists.txt were compared with.
//
//   node --expose-gc bench/js/core_ab.mjs [--kind openai|anthropic|gemini|ollama|cohere|...]
//        [--size 100k] [--runs 9]
//        MODULE.mjs [MODULE.mjs ...]
//   e.g. build/wasm/platform/wasm/llmstream_core.mjs build/wasm-variant/platform/wasm/llmstream_core.mjs
// (needs bench/data/KIND-SIZE.sse and .txt: scripts/bench-js.sh writes openai's; anthropic's with
//  node ../shared/bench/gen.mjs --out bench/data --sizes 100k --kinds anthropic --write-text)
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { loadCore } from '../../npm/src/core/load.js';
import { Decoder } from '../../npm/src/core/decoder.js';
import { loaderConfig, requestOptions } from '../../npm/src/options.js';
import { loadStream } from './reads.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const kind = flag('--kind', 'openai');
const size = flag('--size', '100k');
const runs = Number(flag('--runs', '9'));
if (args.length === 0) throw new Error('usage: core_ab.mjs [--size 100k] [--runs 9] MODULE.mjs...');

const { reads, meta, text: expected } = loadStream(join(repo, 'bench', 'data', `${kind}-${size}`));
// gen_more.mjs's streams (Gemini, Ollama, Cohere, Bedrock) name their wire API and content type;
// they need the full core module (build/wasm/platform/wasm/llmstream_core_full.mjs).
const driverOptions = meta.api
  ? requestOptions(
      loaderConfig({ provider: 'compatible', api: meta.api, apiKey: 'x', baseURL: 'http://llmstream-bench.invalid/v1' }),
      { model: 'bench', prompt: 'Tell me about streaming' },
    ).driver
  : requestOptions(
      loaderConfig({ provider: kind, apiKey: 'x', baseURL: 'http://llmstream-bench.invalid/v1' }),
      { model: kind === 'openai' ? 'gpt-4o-2024-08-06' : 'claude-sonnet-4-6', prompt: 'Tell me about streaming' },
    ).driver;
const contentType = meta.contentType ?? 'text/event-stream';
const now = () => performance.now();

/** One pass over the stream; returns ms spent in the read loop. */
function pass(core, decode) {
  const ws = new core.WasmSession(JSON.stringify({ ...driverOptions, unixMsAtZero: 0 }));
  const statePtr = ws.statePtr();
  const decoder = new Decoder(core); // the driver's decode: the public chunks
  const handle = ws.handle();
  let text = '';
  const consume = (chunks) => {
    if (chunks === null) return;
    for (let i = 0; i < chunks.length; i++) if (chunks[i].type === 'text') text += chunks[i].text;
  };
  try {
    core._llmstream_poll(handle, now());
    decoder.decode(ws, statePtr);
    ws.onResponse(200, JSON.stringify([['content-type', contentType]]), now());
    decoder.decode(ws, statePtr);
    const ptr = ws.inputBuffer(Math.max(64 * 1024, ...reads.map((r) => r.byteLength)));
    const t0 = now();
    for (let i = 0; i < reads.length; i++) {
      core._llmstream_poll(handle, now());
      if (decode) consume(decoder.decode(ws, statePtr));
      const bytes = reads[i];
      core.HEAPU8.set(bytes, ptr);
      const n = core._llmstream_on_body(handle, bytes.byteLength, now());
      if (decode && n > 0) consume(decoder.decode(ws, statePtr));
    }
    const ms = now() - t0;
    if (decode && text !== expected) throw new Error('the text differs');
    return ms;
  } finally {
    ws.delete();
  }
}

for (const path of args) {
  const core = await loadCore({ moduleUrl: pathToFileURL(resolve(path)) });
  const figures = [];
  for (const [name, decode] of [['wasm', false], ['full', true]]) {
    pass(core, decode); // warm-up
    const ns = [];
    for (let r = 0; r < runs; r++) {
      globalThis.gc?.();
      ns.push((pass(core, decode) * 1e6) / meta.tokens);
    }
    ns.sort((x, y) => x - y);
    figures.push(`${name} ${ns[0].toFixed(0)} / ${ns[ns.length >> 1].toFixed(0)}`);
  }
  console.log(`${path}: ns/token min / median: ${figures.join(', ')}`);
}
