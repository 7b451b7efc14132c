#!/usr/bin/env node
// Load check for the local provider: opens many concurrent slow streams and reports whether
// they all finished on time, the worst gap between events, and the server's CPU and memory.
//
//   node server/load-check.mjs [--streams 2000] [--pace-ms 50] [--tokens 40]
//                              [--endpoint chat|responses|messages] [--url http://127.0.0.1:PORT]
//
// Without --url it starts `local-provider.mjs --port 0 --quiet` itself (loopback only) and
// samples that process's CPU time and RSS from /proc (Linux). Exit status 1 when a stream
// failed or the run overran its deadline. The client runs in this one process, so on a busy
// machine its own lag shows up in the numbers too.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    streams: { type: 'string' },
    'pace-ms': { type: 'string' },
    tokens: { type: 'string' },
    endpoint: { type: 'string' },
    url: { type: 'string' },
  },
});
const streams = Number(opt.streams ?? 2000);
const paceMs = Number(opt['pace-ms'] ?? 50);
const tokens = Number(opt.tokens ?? 40);
opt.endpoint ??= 'chat';
const ENDPOINTS = {
  chat: ['/v1/chat/completions', { messages: [{ role: 'user', content: 'load' }] }],
  responses: ['/v1/responses', { input: 'load' }],
  messages: ['/v1/messages', { max_tokens: 4096, messages: [{ role: 'user', content: 'load' }] }],
};
if (!ENDPOINTS[opt.endpoint])
  throw new Error(`--endpoint must be one of ${Object.keys(ENDPOINTS)}`);
const [endpoint, fields] = ENDPOINTS[opt.endpoint];
const body = JSON.stringify({ model: 'local-fast', stream: true, ...fields });

let child = null;
let baseUrl = opt.url;
if (!baseUrl) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'local-provider.mjs');
  // Every stream holds a connection: lift the connection cap (256 by default) above them.
  const cap = String(streams + 64);
  child = spawn(process.execPath, [script, '--port', '0', '--quiet', '--max-connections', cap], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve) =>
    createInterface({ input: child.stdout }).once('line', resolve),
  );
  baseUrl = line.replace(/^.* listening on /, '');
}
const target = new URL(endpoint, baseUrl);

/** CPU seconds (user + system) and RSS in MiB of the spawned server, from /proc. */
function serverUsage() {
  if (!child) return null;
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    return { cpu: (Number(stat[11]) + Number(stat[12])) / 100, rssMiB: rssKiB / 1024 };
  } catch {
    return null;
  }
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let open = 0;
let allOpen = Infinity; // when the last stream got its first byte
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, serverUsage()?.rssMiB ?? 0);
}, 250);

function runStream() {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstByte = 0;
    let last = 0;
    let maxGap = 0;
    let events = 0;
    let tail = '';
    const fail = (err) => resolve({ ok: false, error: err.message });
    const req = http.request(target, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'x-llmstream-scenario': `pace_ms=${paceMs}; tokens=${tokens}`,
      },
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        if (firstByte === 0) {
          firstByte = now;
          if (++open === streams) allOpen = now;
        } else if (now > allOpen) {
          // Only gaps once every stream is open: the connection ramp is not pacing.
          maxGap = Math.max(maxGap, now - last);
        }
        last = now;
        // Count event boundaries, also when a "\n\n" is split between two reads.
        const text = tail + chunk;
        events += text.split('\n\n').length - 1;
        tail = text.endsWith('\n') ? '\n' : '';
      });
      res.on('end', () =>
        resolve({
          ok: res.statusCode === 200,
          ttfb: firstByte - started,
          ms: performance.now() - firstByte,
          maxGap,
          events,
        }),
      );
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

const ideal = (tokens + 2) * paceMs; // role chunk + tokens + finish chunk, then [DONE]
const deadlineMs = ideal * 3 + 30_000;
const deadline = setTimeout(() => {
  console.error(`load-check: not finished after ${deadlineMs / 1000} s`);
  child?.kill('SIGTERM');
  process.exit(1);
}, deadlineMs);

const usageBefore = serverUsage();
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: streams }, runStream));
const wall = performance.now() - t0;
const usageAfter = serverUsage();
clearTimeout(deadline);
clearInterval(sampler);

const ok = results.filter((r) => r.ok);
const summary = (key) => {
  const v = ok.map((r) => r[key]).sort((a, b) => a - b);
  const at = (p) => (v[Math.min(v.length - 1, Math.floor((v.length * p) / 100))] ?? 0).toFixed(0);
  return `p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms`;
};
const events = ok.reduce((sum, r) => sum + r.events, 0);
console.log(
  `streams       ${ok.length}/${streams} ok (${endpoint}, ${tokens} tokens, pace ${paceMs} ms)`,
);
console.log(`first byte    ${summary('ttfb')} (connection ramp)`);
console.log(`stream time   ${summary('ms')} after the first byte (ideal ~${ideal} ms)`);
console.log(`worst gap     ${summary('maxGap')} per stream, once all were open`);
const rate = ((events / wall) * 1000).toFixed(0);
console.log(`events        ${events} in ${(wall / 1000).toFixed(1)} s (${rate}/s)`);
if (usageBefore && usageAfter) {
  const cpu = usageAfter.cpu - usageBefore.cpu;
  const share = ((cpu * 1000) / wall) * 100;
  const rss = `peak RSS ${peakRss.toFixed(0)} MiB`;
  console.log(`server        ${cpu.toFixed(1)} CPU s (${share.toFixed(0)}% of one core), ${rss}`);
}
const failed = results.filter((r) => !r.ok);
if (failed.length)
  console.log(`failures      ${failed.length}, e.g. ${failed[0].error ?? 'bad status'}`);
child?.kill('SIGTERM');
process.exit(failed.length ? 1 : 0);
