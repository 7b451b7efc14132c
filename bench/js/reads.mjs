// Helpers shared by the JS benchmarks: the generator's stream cut into the same "network reads"
// as bench/core_throughput.cpp (CutReads: 1-16 KiB, mulberry32 seed 1), a fake fetch serving
// them, and small statistics.

import { existsSync, readFileSync } from 'node:fs';

/** mulberry32, the same as bench/core_throughput.cpp's Mulberry32 and gen.mjs's rng(). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CutReads(body, seed): views (no copies) of 1024 + floor(r * (16 KiB - 1024 + 1)) bytes each.
 * @param {Uint8Array} body @param {number} [seed]
 * @returns {Uint8Array[]}
 */
export function cutReads(body, seed = 1) {
  const next = mulberry32(seed);
  const reads = [];
  for (let at = 0; at < body.byteLength; ) {
    let n = 1024 + Math.floor(next() * (16 * 1024 - 1024 + 1));
    n = Math.min(n, body.byteLength - at);
    reads.push(body.subarray(at, at + n));
    at += n;
  }
  return reads;
}

/**
 * Loads K-S.sse, K-S.txt and K-S.meta.json from the generator's output.
 * @param {string} base path without extension, e.g. bench/data/openai-1m
 */
export function loadStream(base) {
  // .sse from the shared generator, .body from bench/gen_more.mjs (its meta names api and type)
  const file = existsSync(base + '.sse') ? base + '.sse' : base + '.body';
  const body = new Uint8Array(readFileSync(file));
  const text = readFileSync(base + '.txt', 'utf8');
  const meta = JSON.parse(readFileSync(base + '.meta.json', 'utf8'));
  return { body, text, meta, reads: cutReads(body, 1) };
}

/**
 * A fetch that answers every request with 200 text/event-stream whose body is a ReadableStream
 * enqueuing the given reads, one per pull (as a socket delivers them). The request is ignored.
 * @param {Uint8Array[]} reads
 */
export function fakeFetch(reads) {
  return async (_url, init = {}) => {
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i < reads.length) controller.enqueue(reads[i++]);
        else controller.close();
      },
    });
    init.signal?.addEventListener?.('abort', () => {}, { once: true });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_bench' },
    });
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
