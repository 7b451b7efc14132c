// Peak memory of the npm package on a stream of tool-call argument deltas (issue 13, item 2):
// N MiB of arguments in small deltas, served from memory through a fake fetch, consumed with
// for-await as a user would, keeping nothing. Prints the peak RSS and the wasm heap against the
// assembled arguments. Never asserts: figures go to bench/README.md ("Hostile shapes").
//
//   node bench/js/hostile_memory.mjs [--mib N] [--text]     (default 32 MiB of arguments)

import { APILoader } from '../../npm/src/index.js';
import { loadCore } from '../../npm/src/core/load.js';

const args = process.argv.slice(2);
const mib = Number(args[args.indexOf('--mib') + 1] ?? 32) || 32;
const text = args.includes('--text');

const head = '{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[';
const piece = '{\\"a\\":1} '.repeat(8); // 64 bytes of arguments per delta once unescaped
const pieceBytes = 64;
const event = text
  ? `data: ${head}{"index":0,"delta":{"content":"${'word '.repeat(13)}"}}]}\n\n`
  : `data: ${head}{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"${piece}"}}]}}]}\n\n`;
const start = text
  ? ''
  : `data: ${head}{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}\n\n`;
const end = `data: ${head}{"index":0,"delta":{},"finish_reason":"${text ? 'stop' : 'tool_calls'}"}]}\n\ndata: [DONE]\n\n`;

const deltas = Math.ceil((mib << 20) / pieceBytes);
const encoder = new TextEncoder();
const eventBytes = encoder.encode(event);
// Reads of ~16 KiB built on demand, so the input itself is not held in memory.
const perRead = Math.max(1, Math.floor(16384 / eventBytes.length));
function* reads() {
  yield encoder.encode(start);
  for (let sent = 0; sent < deltas; sent += perRead) {
    const n = Math.min(perRead, deltas - sent);
    const read = new Uint8Array(n * eventBytes.length);
    for (let i = 0; i < n; i++) read.set(eventBytes, i * eventBytes.length);
    yield read;
  }
  yield encoder.encode(end);
}

const baseline = process.memoryUsage().rss;
let peakRss = baseline;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 20);

// A fetch whose body pulls the reads from the generator, one per pull, as a socket delivers them.
const fetch = async () => {
  const source = reads();
  const body = new ReadableStream({
    pull(controller) {
      const next = source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
};
const loader = new APILoader({ provider: 'openai', apiKey: 'k', fetch });
let chunks = 0;
let last = null;
const core = await loadCore(); // the same instance the loader uses (cached)
let heapBeforeEnd = 0;
for await (const chunk of loader.streamCompletion({ model: 'm', prompt: 'p' })) {
  chunks++;
  if (chunks % 4096 === 0) sample();
  if (chunk.type !== 'done' && chunk.type !== 'tool_call_end') heapBeforeEnd = core.HEAPU8.byteLength;
  if (chunk.type === 'error' || chunk.type === 'done' || chunk.type === 'tool_call_end') last = chunk;
}
sample();
clearInterval(timer);
const assembled = deltas * pieceBytes;
const wasmHeap = core.HEAPU8.byteLength;
console.log(
  `${text ? 'text' : 'tool arguments'}: ${(assembled / 2 ** 20).toFixed(1)} MiB assembled, ` +
    `${chunks} chunks, last ${last?.type}${last?.error ? ' ' + last.error.code : ''}; ` +
    `peak RSS +${((peakRss - baseline) / 2 ** 20).toFixed(0)} MiB ` +
    `(${((peakRss - baseline) / assembled).toFixed(1)}x); wasm heap ${(wasmHeap / 2 ** 20).toFixed(0)} MiB ` +
    `(${(wasmHeap / assembled).toFixed(1)}x; ${(heapBeforeEnd / 2 ** 20).toFixed(0)} MiB before the end)`,
);
