// The embind module itself (npm/dist/core/llmstream_core.{mjs,wasm}, built by
// scripts/build-wasm.sh): a WasmSession driven by hand over the recorded fixtures in whole,
// 1-byte and random reads, decoded with an independent reader of the packed layout
// (npm/src/core/README.md; support/wasm_session.mjs), compared with shared/fixtures/expected.json; options errors, the
// UTF-16 offsets, raw events and leaked handles. A missing build FAILS (it is never skipped).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { Header, SessionAction } from '../../npm/dist/core/abi.js';
import { needsFullCore } from '../../npm/src/core/load.js';
import { defaultFixturesDir } from '../../server/lib/server.mjs';
import * as driven from './support/wasm_session.mjs';
import { assertText, eventShape, loadCores, splits } from './support/wasm_session.mjs';

const FIXTURES = defaultFixturesDir();
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.sse'))
  .sort();

const { SEND, DONE } = SessionAction;

// The core module, and the full one for the wire APIs the core module leaves out (the
// Responses API; replay() chooses).
let core;
let fullCore;
before(async () => {
  ({ core, fullCore } = await loadCores());
});

// The packed-layout reader and the per-read calls (support/wasm_session.mjs), on the core module.
const readEvents = (ws) => driven.readEvents(core, ws);
const poll = (ws, t) => driven.poll(core, ws, t);
const onBody = (ws, n, t) => driven.onBody(core, ws, n, t);
const resultOf = (ws) => driven.resultOf(core, ws);

function optionsFor(file) {
  const base = { model: 'test-model', prompt: 'Hi', apiKey: 'sk-test', maxRetries: 0 };
  if (file.startsWith('anthropic')) return { ...base, provider: 'anthropic' };
  if (file.startsWith('openai-responses')) return { ...base, provider: 'openai', api: 'responses' };
  if (file.startsWith('groq')) return { ...base, provider: 'groq' };
  if (file.startsWith('openrouter')) return { ...base, provider: 'openrouter' };
  return { ...base, provider: 'openai' };
}

/** Drives one WasmSession (of the module the options need) over `body` read in `sizes`. */
function replay(options, body, sizes) {
  const run = driven.replay(needsFullCore(options) ? fullCore : core, options, body, sizes);
  assert.match(run.request.body, /"stream":true/);
  return run;
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
        const shape = eventShape(run);
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
