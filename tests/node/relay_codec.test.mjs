// The relay protocol's codec in the npm package (npm/src/relay/encode.js, decode.js) against the
// C++ core's (llmstream/relay.h). The C++ test (tests/relay_codec_test.cpp) writes what its
// encoder makes of every recorded fixture into tests/golden/relay/; here the package streams the
// same fixture (in several read splits) and its encoder, fed the package's own chunks, must write
// those bytes exactly; the package's decoder, fed the C++ bytes in every split (byte by byte
// too), must give back the chunks the direct stream yielded (deepEqual), and a resume slice
// exactly their tail. The decoder's rules are each broken once by hand below.
// A missing wasm build FAILS (run scripts/build-wasm.sh); missing golden files FAIL (run the core
// tests: llmstream_core_tests --gtest_filter='Relay*').

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { EVENT_KIND_NAMES, RELAY } from '../../npm/dist/core/abi.js';
import { AuthenticationError, LLMStreamError, RateLimitError } from '../../npm/src/errors.js';
import { APILoader } from '../../npm/src/index.js';
import { decodeRelay, RelayDecoder } from '../../npm/src/relay/decode.js';
import { RelayEncoder } from '../../npm/src/relay/encode.js';
import { FIXTURE_FILES, FIXTURES, recordedAs } from './support/relay_net.mjs';
import { splits } from './support/wasm_session.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = path.join(REPO, 'tests', 'golden', 'relay');
// What the C++ test's encoder is given (tests/relay_codec_test.cpp, RelayFixtureOptions).
const STREAM_ID = 'r_00000000000000000000';
const MODEL = 'fixture-model';

const FILES = FIXTURE_FILES;

/** `bytes` cut into `sizes` pieces. */
function* pieces(bytes, sizes) {
  let at = 0;
  for (const n of sizes) {
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

/** The chunks the package yields for a fixture answered in `sizes` reads. */
async function directChunks(file, body, sizes) {
  const { contentType, ...config } = recordedAs(file);
  const fetch = async () => {
    const parts = pieces(body, sizes);
    const stream = new ReadableStream({
      pull(controller) {
        const next = parts.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': contentType } });
  };
  const ai = new APILoader({ ...config, apiKey: 'test-key', fetch });
  const stream = ai.streamCompletion({
    model: MODEL, prompt: 'x', maxRetries: 0, estimateUsage: false, partialObjects: false,
  });
  const chunks = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    assert.equal(chunks.at(-1)?.error, error, 'a failed stream throws the error it yielded');
  }
  return chunks;
}

const relayed = (chunks) => chunks.filter((c) => RELAY.events.includes(c.type));

/** The relay bytes the package's encoder writes for these chunks. */
function encode(chunks) {
  const encoder = new RelayEncoder({ stream: STREAM_ID, model: MODEL });
  let out = encoder.start();
  for (const chunk of chunks) out += encoder.encode(chunk);
  return out;
}

/** Every chunk the decoder gives for `bytes` in `sizes` reads. */
function decode(bytes, sizes, options = {}) {
  const decoder = new RelayDecoder(options);
  const chunks = [];
  for (const piece of pieces(bytes, sizes)) chunks.push(...decoder.push(piece));
  chunks.push(...decoder.finish());
  return { chunks, decoder };
}

/** Errors compared by what the protocol carries (a direct stream's also holds `partial`). */
function comparable(chunks) {
  return chunks.map((c) => {
    const fields = (e) => ({ class: e.constructor.name, code: e.code, llmstreamCode: e.llmstreamCode, message: e.message, status: e.status, providerType: e.providerType, retryAfterMs: e.retryAfterMs, retryable: e.retryable });
    if (c.type === 'error') return { ...c, error: fields(c.error) };
    if (c.type === 'retry' && c.cause) return { ...c, cause: fields(c.cause) };
    return c;
  });
}

/** Every `index` and `block` number anywhere in `value` (a chunk, its toolCall, a completion). */
function indexes(value, where, out = []) {
  if (value === null || typeof value !== 'object') return out;
  for (const [key, member] of Object.entries(value)) {
    if ((key === 'index' || key === 'block') && typeof member === 'number') out.push([`${where}.${key}`, member]);
    else indexes(member, `${where}.${key}`, out);
  }
  return out;
}

// The wasm boundary and the relay carry indexes as int32: an index the core keeps above
// INT32_MAX (Cohere's tool plan block was UINT32_MAX) came out as -1 in chunks and relay events.
describe("the package's chunks and relay events carry no negative index or block", () => {
  for (const file of FILES) {
    test(file, async () => {
      const body = readFileSync(path.join(FIXTURES, file));
      const chunks = await directChunks(file, body, [body.length]);
      assert.ok(chunks.length > 2);
      const found = chunks.flatMap((chunk, i) => indexes(chunk, `chunk ${i} (${chunk.type})`));
      assert.ok(found.length > 0);
      assert.deepEqual(found.filter(([, n]) => !(Number.isInteger(n) && n >= 0)), []);
      const bytes = encode(chunks);
      assert.doesNotMatch(bytes, /"(index|block)":-/);
      const decoded = decode(Buffer.from(bytes), [bytes.length]).chunks;
      assert.deepEqual(decoded.flatMap((chunk, i) => indexes(chunk, `${i}`)).filter(([, n]) => n < 0), []);
    });
  }
});

describe('the C++ and the package write the same relay bytes and read each other', () => {
  for (const file of FILES) {
    test(file, async () => {
      const body = readFileSync(path.join(FIXTURES, file));
      const golden = readFileSync(path.join(GOLDEN, `${path.basename(file).replace(/\.[^.]+$/, '')}.relay`));
      const goldenText = golden.toString('utf8');
      let direct = null;
      for (const [name, sizes] of Object.entries(splits(body.length))) {
        const chunks = await directChunks(file, body, sizes);
        const bytes = encode(chunks);
        assert.equal(bytes, goldenText, `${file}, provider split ${name}: the package's encoder writes the C++ bytes`);
        direct ??= relayed(chunks);
      }
      assert.ok(direct.length > 2);
      assert.ok(['done', 'error'].includes(direct.at(-1).type));
      for (const [name, sizes] of Object.entries(splits(golden.length))) {
        const { chunks, decoder } = decode(golden, sizes);
        assert.deepEqual(comparable(chunks), comparable(direct), `${file}, relay split ${name}`);
        assert.equal(decoder.streamId, STREAM_ID);
        assert.equal(decoder.model, MODEL);
        assert.equal(decoder.end, direct.at(-1).type);
        if (direct.at(-1).type === 'error') assert.ok(chunks.at(-1).error instanceof LLMStreamError);
      }
      // Resumes: Last-Event-ID k gives exactly the chunks after event k (event k + 1 is chunk k).
      const starts = [];
      for (let at = golden.indexOf('\nid: '); at >= 0; at = golden.indexOf('\nid: ', at + 1)) starts.push(at + 1);
      assert.equal(starts.length, direct.length + 1, 'one event per relayed chunk, after start');
      const step = Math.max(1, Math.floor(direct.length / 25));
      for (let k = 0; k < direct.length; k += step) {
        const tail = golden.subarray(starts[k + 1]);
        const { chunks, decoder } = decode(tail, splits(tail.length).random40, { resumeAfter: k });
        assert.deepEqual(comparable(chunks), comparable(direct.slice(k)), `${file}: resume after ${k}`);
        assert.equal(decoder.end, direct.at(-1).type);
      }
    });
  }
});

// --- the decoder's rules, each broken once ---

const START = 'retry: 1000\n\nid: 0\nevent: start\ndata: {"version":1,"stream":"r_ab","model":"m"}\n\n';
const text = (id, t) => `id: ${id}\nevent: text\ndata: {"text":${JSON.stringify(t)},"index":0,"block":0}\n\n`;
const done = (id) => `id: ${id}\nevent: done\ndata: {"done":true,"finishReason":"stop","completion":{"n":1}}\n\n`;

function decodeText(input, options) {
  const decoder = new RelayDecoder(options);
  return { chunks: [...decoder.push(input), ...decoder.finish()], decoder };
}

function assertBroken(input, code, says, options) {
  const { chunks, decoder } = decodeText(input, options);
  assert.equal(decoder.end, 'broken');
  assert.equal(chunks.at(-1).type, 'error');
  assert.ok(chunks.at(-1).error instanceof LLMStreamError);
  assert.equal(chunks.at(-1).error.code, code);
  assert.match(chunks.at(-1).error.message, says);
}

describe('the relay decoder', () => {
  test('reads a whole stream: chunks, start, done with its completion; comments are skipped', () => {
    const { chunks, decoder } = decodeText(START + text(1, 'Hi') + ': keep-alive\n\n' + text(2, '!') + done(3));
    assert.deepEqual(chunks, [
      { type: 'text', text: 'Hi', index: 0, block: 0 },
      { type: 'text', text: '!', index: 0, block: 0 },
      { type: 'done', done: true, finishReason: 'stop' },
    ]);
    assert.equal(decoder.end, 'done');
    assert.deepEqual(decoder.completion, { n: 1 });
    assert.equal(decoder.streamId, 'r_ab');
    assert.equal(decoder.lastEventId, 3);
  });

  test('CRLF and CR line ends read the same, split anywhere', () => {
    const lf = START + text(1, 'a\u00e9\u{1F600}') + done(2);
    const want = decodeText(lf).chunks;
    for (const ending of ['\r\n', '\r']) {
      const bytes = Buffer.from(lf.replaceAll('\n', ending));
      assert.deepEqual(decode(bytes, new Array(bytes.length).fill(1)).chunks, want, JSON.stringify(ending));
    }
  });

  test('a gap is an error', () => assertBroken(START + text(1, 'a') + text(3, 'c'), 'bad_frame', /event 3 \(a gap\)/));
  test('a duplicate is an error; an event without an id repeats the last one', () => {
    assertBroken(START + text(1, 'a') + text(1, 'a'), 'bad_frame', /duplicate of event 1/);
    assertBroken(START + text(1, 'a') + 'event: text\ndata: {"text":"b"}\n\n', 'bad_frame', /duplicate/);
  });
  test('another major version is refused', () => {
    assertBroken(START.replace('"version":1', '"version":2') + text(1, 'a'), 'invalid_request', /version 2 is not supported/);
  });
  test('the first event is start', () => assertBroken(text(0, 'a'), 'bad_frame', /not start/));
  test('data that is not JSON is an error', () => assertBroken(START + 'id: 1\nevent: text\ndata: {"te\n\n', 'bad_json', /text event/));

  test('an event over the limit fails the stream; one at the limit passes', () => {
    const at = text(1, 'x'.repeat(33)); // data: 64 bytes
    assert.equal(Buffer.byteLength(at.split('data: ')[1]) - 2, 64);
    assert.equal(decodeText(START + at + done(2), { maxEventBytes: 64 }).decoder.end, 'done');
    assertBroken(START + text(1, 'x'.repeat(34)), 'sse_event_too_large', /larger than 64 bytes/, { maxEventBytes: 64 });
    // multi-byte characters count as their UTF-8 bytes
    assertBroken(START + text(1, '\u00e9'.repeat(20)), 'sse_event_too_large', /64/, { maxEventBytes: 64 });
    // a line that never ends is refused before it is buffered whole
    const d = new RelayDecoder({ maxEventBytes: 64 });
    d.push(START + 'id: 1\nevent: text\ndata: ');
    for (let i = 0; i < 10 && d.end === 'open'; i++) d.push('y'.repeat(20));
    assert.equal(d.end, 'broken');
    assert.equal(d.error.code, 'sse_event_too_large');
  });

  test('a stream cut without done or error ends with a truncated error, resumable', () => {
    const { chunks, decoder } = decodeText(START + text(1, 'a') + 'id: 2\nevent: te');
    assert.equal(decoder.end, 'cut');
    assert.equal(decoder.lastEventId, 1);
    assert.equal(chunks.at(-1).error.code, 'truncated');
    assert.equal(chunks.at(-1).error.retryable, true);
  });

  test('a resume starts after Last-Event-ID, without start', () => {
    const { chunks, decoder } = decodeText(text(2, 'b') + done(3), { resumeAfter: 1 });
    assert.equal(chunks.length, 2);
    assert.equal(decoder.end, 'done');
    assertBroken(START, 'bad_frame', /duplicate/, { resumeAfter: 1 });
  });

  test('errors come back as the package\'s classes, with their fields', () => {
    const error = 'id: 1\nevent: error\ndata: {"error":{"code":"rate_limited","message":"slow down","retryable":true,"retryAfterMs":2000,"status":429,"providerType":"rate_limit_error"}}\n\n';
    const { chunks, decoder } = decodeText(START + error);
    assert.equal(decoder.end, 'error');
    const e = chunks[0].error;
    assert.ok(e instanceof RateLimitError);
    assert.equal(e.retryAfterMs, 2000);
    assert.equal(e.status, 429);
    assert.equal(e.providerType, 'rate_limit_error');
    assert.ok(decodeText(START + error.replace('rate_limited', 'auth')).chunks[0].error instanceof AuthenticationError);
  });

  test('tool_call_end gets its function_call alias back; unknown chunk types pass through', () => {
    const end = 'id: 1\nevent: tool_call_end\ndata: {"index":0,"toolCall":{"index":0,"id":"c","name":"f","arguments":"{}","argumentsValid":true,"kind":"function"}}\n\n';
    const { chunks } = decodeText(START + end + 'id: 2\nevent: hologram\ndata: {"x":1}\n\n' + done(3));
    assert.equal(chunks[0].function_call, chunks[0].toolCall);
    assert.deepEqual(chunks[1], { type: 'hologram', x: 1 });
  });

  test('decodeRelay reads a ReadableStream of bytes to its end', async () => {
    const bytes = new TextEncoder().encode(START + text(1, 'a') + done(2));
    const body = new ReadableStream({ start(c) { c.enqueue(bytes.subarray(0, 7)); c.enqueue(bytes.subarray(7)); c.close(); } });
    const out = [];
    for await (const chunk of decodeRelay(body)) out.push(chunk.type);
    assert.deepEqual(out, ['text', 'done']);
  });
});

describe('a browser reads a relay without the core', () => {
  test('decode.js imports no WebAssembly, directly or through what it imports', () => {
    const seen = new Set();
    const walk = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      // Code, not comments (which may name the core).
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const m of code.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) walk(path.resolve(path.dirname(file), m[1]));
      assert.doesNotMatch(code, /import\(|\.wasm\b|WebAssembly\./, `${path.relative(REPO, file)} loads WebAssembly`);
    };
    walk(path.join(REPO, 'npm', 'src', 'relay', 'decode.js'));
    assert.deepEqual([...seen].map((f) => path.relative(REPO, f)).sort(), [
      'npm/dist/core/abi.js', 'npm/src/errors.js', 'npm/src/redact-url.js', 'npm/src/relay/decode.js', 'npm/src/relay/sse.js',
    ]);
  });
});

describe('the relay encoder', () => {
  test('writes what the protocol names from abi.js, and nothing for chunks that are not relayed', () => {
    const encoder = new RelayEncoder({ stream: 'r_1', model: 'm' });
    assert.equal(encoder.start(), 'retry: 1000\n\nid: 0\nevent: start\ndata: {"version":1,"stream":"r_1","model":"m"}\n\n');
    assert.equal(encoder.encode({ type: 'keep_alive', comment: ' ping' }), '');
    assert.equal(encoder.encode({ type: 'metrics', metrics: {} }), '');
    assert.equal(RelayEncoder.keepAlive(), ': keep-alive\n\n');
    const call = { index: 0, id: 'c', name: 'f', arguments: '{}', argumentsValid: true, kind: 'function' };
    assert.equal(
      encoder.encode({ type: 'tool_call_end', index: 0, toolCall: call, function_call: call, raw: { x: 1 } }),
      'id: 1\nevent: tool_call_end\ndata: {"index":0,"toolCall":{"index":0,"id":"c","name":"f","arguments":"{}","argumentsValid":true,"kind":"function"}}\n\n',
    );
    const error = new RateLimitError('slow down', { code: 'rate_limited', status: 429, retryAfterMs: 2000 });
    assert.equal(
      encoder.encode({ type: 'error', error }),
      'id: 2\nevent: error\ndata: {"error":{"code":"rate_limited","message":"slow down","retryable":true,"retryAfterMs":2000,"status":429}}\n\n',
    );
    assert.equal(encoder.encode({ type: 'text', text: 'late', index: 0, block: 0 }), '', 'nothing after the end');
  });

  test('the chunks of tests/relay_codec_test.cpp (ToolCallsBlocksErrorsAndPartialObjects) give its bytes', () => {
    // The package's chunks for that test's events, and the bytes the C++ encoder writes for them
    // there: a partial object on the delta it grew from, a server tool's kind at its end, a
    // block's type at its end, an error's fields.
    const encoder = new RelayEncoder({ stream: 'r_0', model: 'm' });
    const end = { index: 1, id: 'call_1', name: 'f', arguments: '{"a":1.50}', argumentsValid: true, kind: 'server' };
    const error = new RateLimitError('slow down', { code: 'rate_limited', status: 429, retryAfterMs: 2000, providerType: 'rate_limit_error' });
    const chunks = [
      { type: 'tool_call_start', index: 0, toolCall: { index: 1, id: 'call_1', name: 'f', kind: 'server' } },
      { type: 'tool_call_delta', index: 0, toolCall: { index: 1, argumentsDelta: '{"a":' }, partialObject: { a: 1.5 } },
      { type: 'tool_call_end', index: 0, toolCall: end, function_call: end },
      { type: 'block_start', index: 0, block: 2, blockType: 'web_search_tool_result', data: { type: 'web_search_tool_result' } },
      { type: 'block_end', index: 0, block: 2, blockType: 'web_search_tool_result' },
      { type: 'error', error },
    ];
    assert.equal(
      chunks.map((c) => encoder.encode(c)).join(''),
      'id: 0\nevent: tool_call_start\ndata: {"index":0,"toolCall":{"index":1,"id":"call_1","name":"f","kind":"server"}}\n\n' +
        'id: 1\nevent: tool_call_delta\ndata: {"index":0,"toolCall":{"index":1,"argumentsDelta":"{\\"a\\":"},"partialObject":{"a":1.5}}\n\n' +
        'id: 2\nevent: tool_call_end\ndata: {"index":0,"toolCall":{"index":1,"id":"call_1","name":"f","arguments":"{\\"a\\":1.50}","argumentsValid":true,"kind":"server"}}\n\n' +
        'id: 3\nevent: block_start\ndata: {"index":0,"block":2,"blockType":"web_search_tool_result","data":{"type":"web_search_tool_result"}}\n\n' +
        'id: 4\nevent: block_end\ndata: {"index":0,"block":2,"blockType":"web_search_tool_result"}\n\n' +
        'id: 5\nevent: error\ndata: {"error":{"code":"rate_limited","message":"slow down","retryable":true,"retryAfterMs":2000,"status":429,"providerType":"rate_limit_error"}}\n\n',
    );
  });

  test('the relayed kinds are the core\'s kinds but raw, keep-alive, partial objects and costs', () => {
    // Written by hand from llmstream/relay.h (IsRelayed): a change there fails here or in the
    // generator comparison of abi_parity.test.mjs.
    const local = ['raw', 'keep_alive', 'partial_object', 'cost'];
    assert.deepEqual([...RELAY.events], EVENT_KIND_NAMES.filter((n) => !local.includes(n)));
    assert.equal(RELAY.version, 1);
    assert.equal(RELAY.startEvent, 'start');
    assert.equal(RELAY.keepAliveComment, 'keep-alive');
    assert.equal(RELAY.maxEventBytes, 16 * 1024 * 1024);
  });
});
