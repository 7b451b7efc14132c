// The embind module itself (npm/dist/core/llmstream_core.{mjs,wasm}, built by
// scripts/build-wasm.sh): a WasmSession driven by hand over the recorded fixtures in whole,
// 1-byte and random reads, decoded with an independent reader of the packed layout
// (npm/src/core/README.md), compared with shared/fixtures/expected.json; options errors, the
// UTF-16 offsets, raw events and leaked handles. A missing build FAILS (it is never skipped).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { EVENT_KIND_NAMES, Field, Header, RECORD_INTS, SessionAction } from '../../npm/dist/core/abi.js';
import { parseResultJson } from '../../npm/src/core/decoder.js';
import { loadCore, needsFullCore } from '../../npm/src/core/load.js';
import { defaultFixturesDir } from '../../server/lib/server.mjs';

const FIXTURES = defaultFixturesDir();
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.sse'))
  .sort();

const { SEND, DONE } = SessionAction;

// The module of the session being driven: the core module, or the full one for the wire APIs the
// core module leaves out (the Responses API; replay() chooses).
let core;
let coreModule;
let fullCore;
before(async () => {
  try {
    coreModule = await loadCore();
    fullCore = await loadCore({ full: true });
    core = coreModule;
  } catch (error) {
    throw new Error(`the wasm core is not built: run scripts/build-wasm.sh first (${error.message})`);
  }
});

// ---- an independent reader of the packed layout -------------------------------------------

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The events of the last call on `ws`, as plain objects. */
function readEvents(ws) {
  const state = ws.statePtr() >> 2;
  const slot = (i) => core.HEAP32[state + i];
  const count = slot(Header.EVENT_COUNT);
  if (count === 0) return [];
  const textPtr = slot(Header.TEXT_PTR);
  const text = decoder.decode(core.HEAPU8.subarray(textPtr, textPtr + slot(Header.TEXT_BYTES)));
  const side = slot(Header.SIDE_COUNT) > 0 ? JSON.parse(ws.sideJson()) : [];
  assert.equal(side.length, slot(Header.SIDE_COUNT));
  const recordsPtr = slot(Header.RECORDS_PTR);
  const records = core.HEAP32.subarray(recordsPtr >> 2, (recordsPtr >> 2) + count * RECORD_INTS);
  const events = [];
  for (let i = 0; i < count; i++) {
    const r = records.subarray(i * RECORD_INTS, (i + 1) * RECORD_INTS);
    // len < 0: a far text (FAR_TEXT_MIN_BYTES or more), ~len bytes at address `start`
    const slice = (start, len) =>
      len >= 0 ? text.slice(start, start + len) : decoder.decode(core.HEAPU8.subarray(start, start + ~len));
    events.push({
      kind: EVENT_KIND_NAMES[r[Field.KIND]],
      choice: r[Field.CHOICE],
      block: r[Field.BLOCK],
      part: r[Field.PART],
      text: slice(r[Field.TEXT], r[Field.TEXT_LEN]),
      id: slice(r[Field.ID], r[Field.ID_LEN]),
      name: slice(r[Field.NAME], r[Field.NAME_LEN]),
      side: r[Field.SIDE] >= 0 ? side[r[Field.SIDE]] : undefined,
      extra: r[Field.EXTRA],
    });
  }
  return events;
}

/** The per-read calls, as the driver makes them (the plain exports, by handle). */
const poll = (ws, t) => core._llmstream_poll(ws.handle(), t);
const onBody = (ws, n, t) => core._llmstream_on_body(ws.handle(), n, t);

/** The session's assembled result. */
function resultOf(ws) {
  const len = ws.packResultJson();
  const ptr = ws.resultJsonPtr();
  return parseResultJson(core.HEAPU8, decoder.decode(core.HEAPU8.subarray(ptr, ptr + len)));
}

function optionsFor(file) {
  const base = { model: 'test-model', prompt: 'Hi', apiKey: 'sk-test', maxRetries: 0 };
  if (file.startsWith('anthropic')) return { ...base, provider: 'anthropic' };
  if (file.startsWith('openai-responses')) return { ...base, provider: 'openai', api: 'responses' };
  if (file.startsWith('groq')) return { ...base, provider: 'groq' };
  if (file.startsWith('openrouter')) return { ...base, provider: 'openrouter' };
  return { ...base, provider: 'openai' };
}

/** Read sizes for `size` bytes: whole, 1-byte, seeded random 1..40 and 1..4096. */
function splits(size) {
  let seed = 12345;
  const random = (max) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % max);
  };
  const randomSplit = (max) => {
    const out = [];
    for (let left = size; left > 0; ) {
      const n = Math.min(left, random(max));
      out.push(n);
      left -= n;
    }
    return out;
  };
  return {
    whole: [size],
    bytes: new Array(size).fill(1),
    random40: randomSplit(40),
    random4k: randomSplit(4096),
  };
}

/** Drives one WasmSession over `body` read in `sizes`; returns what came out. */
function replay(options, body, sizes) {
  core = needsFullCore(options) ? fullCore : coreModule;
  const ws = new core.WasmSession(JSON.stringify(options));
  const events = [];
  let bodyCalls = 0;
  try {
    assert.equal(poll(ws, 0), SEND);
    events.push(...readEvents(ws));
    const request = JSON.parse(ws.httpRequestJson());
    assert.equal(request.method, 'POST');
    assert.match(request.body, /"stream":true/);
    ws.onResponse(200, JSON.stringify([['content-type', 'text/event-stream; charset=utf-8']]), 1);
    events.push(...readEvents(ws));
    let at = 0;
    let t = 2;
    for (const n of sizes) {
      const ptr = ws.inputBuffer(n);
      core.HEAPU8.set(body.subarray(at, at + n), ptr);
      const count = onBody(ws, n, t++);
      bodyCalls++;
      const batch = readEvents(ws);
      assert.equal(batch.length, count);
      events.push(...batch);
      at += n;
    }
    assert.equal(at, body.length);
    ws.onEnd(t);
    events.push(...readEvents(ws));
    let action = poll(ws, t);
    events.push(...readEvents(ws));
    if (action !== DONE) {
      action = poll(ws, t); // an abort of the finished transfer first, then done
      events.push(...readEvents(ws));
    }
    assert.equal(action, DONE);
    assert.equal(ws.done(), true);
    return {
      events,
      bodyCalls,
      result: resultOf(ws),
      error: JSON.parse(ws.errorJson()),
    };
  } finally {
    ws.delete();
    core = coreModule;
  }
}

function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** expected.json writes long strings as {chars, sha256, head, tail}. */
function assertText(actual, expected, what) {
  if (expected === null || expected === undefined) {
    assert.equal(actual, '', what);
  } else if (typeof expected === 'string') {
    assert.equal(actual, expected, what);
  } else {
    assert.equal([...actual].length, expected.chars, `${what}: length`);
    assert.equal(sha256(actual), expected.sha256, `${what}: sha256`);
  }
}

/** The expected text of choice 0 and the prompt / completion tokens of a fixture. */
function expectedFacts(file) {
  const e = EXPECTED[file];
  if (file.startsWith('anthropic')) {
    const text = e.blocks.filter((b) => b.type === 'text').map((b) => b.text).join('');
    const u = e.usage ?? {};
    const prompt =
      u.input_tokens === undefined
        ? undefined
        : u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
    return { text, promptTokens: prompt, completionTokens: u.output_tokens };
  }
  if (file.startsWith('openai-responses')) {
    const text = e.items.filter((i) => i.type === 'message').map((i) => i.text).join('');
    return { text, promptTokens: e.usage?.input_tokens, completionTokens: e.usage?.output_tokens };
  }
  const usage = e.usage ?? e.x_groq_usage;
  return {
    text: e.choices['0']?.content ?? null,
    promptTokens: usage?.prompt_tokens,
    completionTokens: usage?.completion_tokens,
  };
}

// ---- tests --------------------------------------------------------------------------------

describe('fixtures through a WasmSession', () => {
  for (const file of FILES) {
    test(file, () => {
      const body = readFileSync(path.join(FIXTURES, file));
      const facts = expectedFacts(file);
      let reference;
      for (const [name, sizes] of Object.entries(splits(body.length))) {
        const run = replay(optionsFor(file), body, sizes);
        assert.equal(run.bodyCalls, sizes.length, name);
        const text = run.events
          .filter((e) => e.kind === 'text' && e.choice === 0)
          .map((e) => e.text)
          .join('');
        assertText(text, facts.text, `${name}: text`);
        assert.equal(run.result.text, text, `${name}: result().text`);
        const usages = run.events.filter((e) => e.kind === 'usage').map((e) => e.side);
        assert.deepEqual(run.result.usage, usages.at(-1) ?? null, `${name}: result().usage`);
        if (facts.completionTokens !== undefined) {
          // The provider's last count; a stream that failed mid-way ends with an estimate on
          // top (the session bills what was generated), which must say so.
          const reported = usages.filter((u) => !u.estimated).at(-1);
          assert.ok(reported, `${name}: a reported usage event`);
          assert.equal(reported.promptTokens, facts.promptTokens, `${name}: promptTokens`);
          if (run.error === null) {
            assert.equal(usages.at(-1), reported, `${name}: no estimate after success`);
            assert.equal(reported.completionTokens, facts.completionTokens, `${name}: completionTokens`);
          } else {
            assert.equal(usages.at(-1).estimated, true, `${name}: estimate after the failure`);
          }
        }
        // Every split gives the same events (deltas may be cut differently: compare the rest
        // and the joined texts).
        const shape = run.events
          .filter((e) => !['text', 'reasoning', 'refusal', 'tool_call_delta'].includes(e.kind))
          .map((e) => JSON.stringify({ ...e, text: e.kind === 'keep_alive' ? e.text : '' }));
        if (reference === undefined) {
          reference = { shape, result: run.result, error: run.error };
        } else {
          assert.deepEqual(shape, reference.shape, `${name}: events`);
          assert.deepEqual(run.result, reference.result, `${name}: result`);
          assert.deepEqual(run.error, reference.error, `${name}: error`);
        }
      }
    });
  }
});

describe('the boundary', () => {
  test('the per-read exports do nothing with a zero handle', () => {
    assert.equal(core._llmstream_poll(0, 0), DONE);
    assert.equal(core._llmstream_on_body(0, 10, 0), 0);
  });

  test('records: UTF-16 offsets with a BOM, astral characters and escapes', () => {
    const text = '\uFEFFa🚀é\u2028"\\\n€𝄞';
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm',
        choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = Buffer.from(
      chunk({ role: 'assistant', content: text }) + chunk({ content: '🚀' }) + chunk({}, 'stop') +
        'data: [DONE]\n\n',
    );
    const run = replay(optionsFor('openai'), body, [body.length]);
    const texts = run.events.filter((e) => e.kind === 'text').map((e) => e.text);
    assert.deepEqual(texts, [text, '🚀']);
    assert.equal(run.result.text, text + '🚀');
    const id = run.events.find((e) => e.kind === 'metadata' && e.name === 'id');
    assert.equal(id.text, 'c1');
  });

  test('invalid UTF-8 in an error body is repaired, the side JSON still parses', () => {
    const ws = new core.WasmSession(JSON.stringify(optionsFor('openai')));
    try {
      assert.equal(poll(ws, 0), SEND);
      ws.onResponse(400, JSON.stringify([['content-type', 'text/plain']]), 1);
      const bytes = Buffer.concat([Buffer.from('bad \xff\xfe request '), Buffer.from([0xe2, 0x82])]);
      const ptr = ws.inputBuffer(bytes.length);
      core.HEAPU8.set(bytes, ptr);
      onBody(ws, bytes.length, 2);
      ws.onEnd(3);
      const events = readEvents(ws);
      let action = poll(ws, 3);
      events.push(...readEvents(ws));
      if (action !== DONE) action = poll(ws, 3);
      assert.equal(action, DONE);
      const error = events.find((e) => e.kind === 'error');
      assert.ok(error, JSON.stringify(events));
      assert.equal(error.side.code, 'bad_request');
      assert.equal(error.side.status, 400);
      assert.match(error.side.message, /bad/);
      assert.deepEqual(JSON.parse(ws.errorJson()), error.side);
    } finally {
      ws.delete();
    }
  });

  test('bad options: one invalid_request error, then done; never a throw', () => {
    for (const options of ['{not json', '[]', JSON.stringify({ provider: 'nope' }),
      JSON.stringify({ model: 7 }), JSON.stringify({ messages: [{ role: 'user', content: 5 }] }),
      JSON.stringify({ provider: 'openai', model: 'm', apiKey: 'k' }) /* no prompt */]) {
      const ws = new core.WasmSession(options);
      try {
        assert.equal(poll(ws, 0), DONE, options);
        const events = readEvents(ws);
        assert.equal(events.length, 1, options);
        assert.equal(events[0].kind, 'error');
        assert.equal(events[0].side.code, 'invalid_request', options);
        assert.equal(JSON.parse(ws.errorJson()).code, 'invalid_request');
        assert.equal(poll(ws, 1), DONE);
        assert.deepEqual(readEvents(ws), []);
        assert.equal(resultOf(ws).error.code, 'invalid_request');
        // Calls that do not fit are ignored.
        assert.equal(ws.onEnd(2), 0);
        assert.equal(ws.cancel(2), 0);
      } finally {
        ws.delete();
      }
    }
  });

  test('the request: url, headers and body from the options', () => {
    const ws = new core.WasmSession(JSON.stringify({
      provider: 'anthropic', apiKey: 'sk-ant-secret', model: 'claude-x', system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }], maxTokens: 77, temperature: 0.5,
      stop: ['END'], tools: [{ name: 'f', description: 'd', parameters: { type: 'object' } }],
      toolChoice: 'auto', headers: { 'anthropic-beta': 'x' }, extraBody: { metadata: { user_id: 'u' } },
    }));
    try {
      assert.equal(poll(ws, 0), SEND);
      assert.equal(core.HEAP32[(ws.statePtr() >> 2) + Header.ATTEMPT], 0);
      const request = JSON.parse(ws.httpRequestJson());
      assert.equal(request.url, 'https://api.anthropic.com/v1/messages');
      const headers = new Map(request.headers.map(([k, v]) => [k.toLowerCase(), v]));
      assert.equal(headers.get('x-api-key'), 'sk-ant-secret');
      assert.equal(headers.get('anthropic-beta'), 'x');
      const body = JSON.parse(request.body);
      assert.equal(body.model, 'claude-x');
      assert.equal(body.max_tokens, 77);
      assert.equal(body.system, 'Be brief.');
      assert.deepEqual(body.stop_sequences, ['END']);
      assert.equal(body.tools[0].name, 'f');
      assert.deepEqual(body.metadata, { user_id: 'u' });
      assert.equal(body.stream, true);
    } finally {
      ws.delete();
    }
  });

  test('raw events: one per SSE event, before its decoded events, with the data', () => {
    const file = 'anthropic-text.sse';
    const body = readFileSync(path.join(FIXTURES, file));
    for (const sizes of [[body.length], new Array(body.length).fill(1)]) {
      const run = replay({ ...optionsFor(file), rawEvents: true }, body, sizes);
      const raws = run.events.filter((e) => e.kind === 'raw');
      assert.equal(raws.length, EXPECTED[file].sse_events);
      assert.deepEqual(new Set(raws.map((e) => e.name)), new Set(EXPECTED[file].event_names));
      for (const raw of raws) assert.equal(raw.side.type, raw.name); // Anthropic: type == event
      const i = run.events.findIndex((e) => e.kind === 'text');
      assert.equal(run.events[i - 1].kind, 'raw');
      assert.equal(run.events[i - 1].side.delta.text, run.events[i].text);
    }
    const plain = replay(optionsFor(file), body, [body.length]);
    assert.equal(plain.events.filter((e) => e.kind === 'raw').length, 0);
    const chat = readFileSync(path.join(FIXTURES, 'openai-chat-text-usage.sse'));
    const run = replay({ ...optionsFor('openai'), rawEvents: true }, chat, [chat.length]);
    const raws = run.events.filter((e) => e.kind === 'raw');
    assert.equal(raws.at(-1).side, '[DONE]');
    assert.equal(raws[1].side.object, 'chat.completion.chunk');
    assert.equal(raws[1].name, 'message');
  });

  test('a large read grows the input buffer and memory', () => {
    const deltas = [];
    for (let i = 0; i < 3000; i++) deltas.push(`data: {"choices":[{"index":0,"delta":{"content":"token ${i} "}}]}\n\n`);
    deltas.push('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    const body = Buffer.from(deltas.join('').repeat(8));
    assert.ok(body.length > 1 << 20);
    const run = replay(optionsFor('openai'), body, [body.length]);
    assert.equal(run.events.filter((e) => e.kind === 'text').length >= 3000, true);
  });
});
