// The npm package's MetricsTracker (npm/src/metrics.js) on the timed stream of
// tests/golden/metrics.json, which the core's MetricsRecorder is held to as well
// (tests/metrics_golden_test.cpp): the two implementations of the same definitions must give
// the same summary, worked out by hand there. (Two implementations because the core's recorder
// in the wasm module does not fit the module's size budget: bench/README.md.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { MetricsTracker } from '../../npm/src/metrics.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const golden = JSON.parse(readFileSync(path.join(REPO, 'tests', 'golden', 'metrics.json'), 'utf8'));

/** The public chunk of a golden event. */
function chunkOf(e) {
  switch (e.kind) {
    case 'text':
      return { type: 'text', text: e.text, index: 0 };
    case 'reasoning':
      return { type: 'reasoning', reasoning: e.text, part: e.part, index: 0 };
    case 'tool_call_delta':
      return { type: 'tool_call_delta', index: 0, toolCall: { index: 0, argumentsDelta: e.text } };
    case 'metadata':
      return { type: 'metadata', metadata: { [e.name]: e.text } };
    case 'usage':
      return { type: 'usage', usage: { completionTokens: e.completionTokens, promptTokens: e.promptTokens, estimated: false } };
    case 'done':
      return { type: 'done', done: true };
    default:
      throw new Error(`unknown kind ${e.kind}`);
  }
}

/** Every number of `want` equals the one at the same place in `got` (to 1e-9 relative). */
function expectSubset(want, got, where) {
  if (want !== null && typeof want === 'object') {
    assert.equal(typeof got, 'object', where);
    for (const key of Object.keys(want)) expectSubset(want[key], got[key], `${where}.${key}`);
  } else if (typeof want === 'number') {
    assert.equal(typeof got, 'number', `${where}: ${got}`);
    assert.ok(Math.abs(want - got) <= 1e-9 * Math.max(1, Math.abs(want)), `${where}: ${got}, want ${want}`);
  } else {
    assert.deepEqual(got, want, where);
  }
}

test('MetricsTracker gives the hand-worked summary of the golden stream', () => {
  let t = 0;
  const transport = { responseAtMs: null, bytesRead: 0 };
  const tracker = new MetricsTracker(() => t, () => transport);
  for (const step of golden.steps) {
    t = step.t;
    if (step.request) tracker.start();
    if (step.response) transport.responseAtMs = t;
    if (step.bytes) transport.bytesRead += step.bytes;
    const chunks = (step.events ?? []).map(chunkOf);
    if (chunks.length) tracker.batch(chunks);
    if (chunks.some((c) => c.type === 'done')) tracker.end();
  }
  expectSubset(golden.expected, tracker.summary(), 'summary');
});
