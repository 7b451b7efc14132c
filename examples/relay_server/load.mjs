// Load check: N concurrent relay streams, one relay process, the local provider upstream.
// Prints, per N, whether every stream ended with `done`, the time to the first byte of the last
// stream to start and to the end of all, and the relay's peak RSS (VmHWM) and CPU time.
//
//   node examples/relay_server/load.mjs --bin build/examples-installed/relay_server/relay_server \
//        [--streams 1000,5000] [--pace-ms 50] [--tokens 40]
//
// Each stream is one connection to the relay and one from the relay to the provider: with the
// client's and the provider's, 4 descriptors per stream on this machine (check `ulimit -n`).
import fs from 'node:fs';
import http from 'node:http';

import { startProvider, startRelay } from './support.mjs';

function parseArgs(argv) {
  const args = { bin: process.env.RELAY_SERVER_BIN, streams: [1000], paceMs: 50, tokens: 40 };
  for (let i = 2; i < argv.length; i++) {
    const value = argv[++i];
    switch (argv[i - 1]) {
      case '--bin': args.bin = value; break;
      case '--streams': args.streams = value.split(',').map(Number); break;
      case '--pace-ms': args.paceMs = Number(value); break;
      case '--tokens': args.tokens = Number(value); break;
      default: throw new Error(`unknown argument ${argv[i - 1]}`);
    }
  }
  if (!args.bin) throw new Error('--bin path/to/relay_server');
  return args;
}

/** Peak RSS (MiB) and CPU seconds of a process, from /proc. */
function usage(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))[1]);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, fields 14 and 15
  const threads = Number(status.match(/^Threads:\s+(\d+)/m)[1]);
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024, cpuS: ticks / 100, threads };
}

// Streams with a response whose body has not ended yet, and the most at once: how many the relay
// really held together (a slow ramp would let early ones end before late ones start).
const open = { now: 0, max: 0 };

/** One stream: resolves {ok, firstByteMs, endMs}; ok when the body ended with the done event. */
function stream(url, body, t0) {
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'llmstream-relay': '1', 'content-length': Buffer.byteLength(body) },
    });
    request.once('response', (response) => {
      open.max = Math.max(open.max, ++open.now);
      response.once('close', () => open.now--);
      let firstByteMs = -1;
      let tail = '';
      response.setEncoding('utf8');
      response.on('data', (text) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - t0;
        tail = (tail + text).slice(-4096);
      });
      response.on('end', () => resolve({ ok: response.statusCode === 200 && /\nevent: done\n/.test(tail), firstByteMs, endMs: performance.now() - t0 }));
      response.on('error', () => resolve({ ok: false, firstByteMs, endMs: performance.now() - t0 }));
    });
    request.once('error', (error) => resolve({ ok: false, error: error.code, firstByteMs: -1, endMs: performance.now() - t0 }));
    request.end(body);
  });
}

async function run(args, n) {
  const provider = await startProvider({ paceMs: args.paceMs, quiet: true, extraArgs: ['--max-connections', '0'] });
  const relay = await startRelay(args.bin, provider.url, ['--allow-model', 'local-echo', '--max-tokens-cap', String(args.tokens)]);
  try {
    const idle = usage(relay.child.pid);
    const body = JSON.stringify({ model: 'local-echo', prompt: 'load', maxTokens: args.tokens });
    open.now = open.max = 0;
    const t0 = performance.now();
    // The relay's threads, sampled while it streams: one, unless something spawned more.
    let maxThreads = idle.threads;
    const sampler = setInterval(() => (maxThreads = Math.max(maxThreads, usage(relay.child.pid).threads)), 250);
    const results = await Promise.all(Array.from({ length: n }, () => stream(relay.url, body, t0)));
    clearInterval(sampler);
    const wall = (performance.now() - t0) / 1000;
    const used = usage(relay.child.pid);
    const failed = results.filter((r) => !r.ok);
    const ends = results.map((r) => r.endMs).sort((a, b) => a - b);
    const lastFirstByte = Math.max(...results.map((r) => r.firstByteMs));
    console.log(
      `${n} streams (pace ${args.paceMs} ms, ${args.tokens} tokens, ideal ${((args.paceMs * args.tokens) / 1000).toFixed(1)} s): ` +
        `${open.max} open at once, ${n - failed.length} done, ${failed.length} failed${failed.length ? ` (${[...new Set(failed.map((f) => f.error ?? 'no done'))].join(', ')})` : ''}; ` +
        `last first byte ${(lastFirstByte / 1000).toFixed(2)} s, p50 end ${(ends[n >> 1] / 1000).toFixed(2)} s, all done ${wall.toFixed(2)} s; ` +
        `relay peak RSS ${used.peakMiB.toFixed(1)} MiB (idle ${idle.rssMiB.toFixed(1)}), CPU ${used.cpuS.toFixed(2)} s, threads ${maxThreads}`,
    );
    return failed.length === 0;
  } finally {
    await relay.stop();
    await provider.stop();
  }
}

const args = parseArgs(process.argv);
let ok = true;
for (const n of args.streams) ok = (await run(args, n)) && ok;
process.exit(ok ? 0 : 1);
