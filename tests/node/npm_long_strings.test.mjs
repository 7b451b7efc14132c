// Long strings cross the wasm boundary by address (issue 13, memory): a text or tool-call
// arguments of FAR_TEXT_MIN_BYTES or more reach their chunk without a copy in the packed text
// region, and the result's long strings (RESULT_STRING_MIN_BYTES or more) are decoded from where
// the core holds them instead of from a JSON copy. What a user sees must be exactly the text
// sent, non-ASCII and invalid UTF-8 included, and the end of a long answer must not add a copy
// of it to the wasm heap (which never shrinks).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FAR_TEXT_MIN_BYTES, RESULT_STRING_MIN_BYTES } from '../../npm/dist/core/abi.js';
import { APILoader } from '../../npm/src/index.js';
import { parseResultJson } from '../../npm/src/core/decoder.js';
import { loadCore } from '../../npm/src/core/load.js';

const encoder = new TextEncoder();
const head = '{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[';
const event = (choice) => `data: ${head}${JSON.stringify(choice)}]}\n\n`;
const END = `data: ${head}{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

/** A loader whose fetch serves `reads` (an iterable of strings or byte arrays), one per pull. */
function loaderFor(reads) {
  const fetch = async () => {
    const source = reads[Symbol.iterator]();
    const body = new ReadableStream({
      pull(controller) {
        const next = source.next();
        if (next.done) return controller.close();
        controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return new APILoader({ provider: 'openai', apiKey: 'k', fetch });
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

// Every length class of UTF-8 and a surrogate pair, so byte and UTF-16 counts differ.
const mixed = (bytes) => {
  const unit = 'aé€😀 \\"<>\n';
  return unit.repeat(Math.ceil(bytes / encoder.encode(unit).length));
};

test('a delta of FAR_TEXT_MIN_BYTES or more arrives whole and exact, in its chunk and the result', async () => {
  const huge = mixed(FAR_TEXT_MIN_BYTES + 1000);
  const small = 'after';
  const stream = loaderFor([
    event({ index: 0, delta: { role: 'assistant', content: 'before ' } }),
    event({ index: 0, delta: { content: huge } }),
    event({ index: 0, delta: { content: small } }),
    END,
  ]).streamCompletion({ model: 'm', prompt: 'p' });
  const texts = (await collect(stream)).filter((c) => c.type === 'text').map((c) => c.text);
  assert.deepEqual(texts, ['before ', huge, small]);
  const result = stream.result;
  assert.equal(result.text, 'before ' + huge + small);
  assert.equal(result.choices[0].text, result.text);
});

test('invalid UTF-8 in a far text is repaired as in the text region (U+FFFD per bad sequence)', async () => {
  const good = 'x'.repeat(FAR_TEXT_MIN_BYTES);
  // A raw 0xFF and a cut 3-byte sequence inside the JSON string: the core repairs them.
  const bytes = new Uint8Array([
    ...encoder.encode(`data: ${head}{"index":0,"delta":{"content":"${good}`),
    0xff,
    0xe2,
    0x82,
    ...encoder.encode(`end"}}]}\n\n`),
    ...encoder.encode(END),
  ]);
  const stream = loaderFor([bytes]).streamCompletion({ model: 'm', prompt: 'p' });
  const chunks = await collect(stream);
  const texts = chunks.filter((c) => c.type === 'text').map((c) => c.text);
  assert.deepEqual(texts, [good + '\uFFFD\uFFFDend']);
  assert.equal(stream.result.text, good + '\uFFFD\uFFFDend');
});

test('long tool-call arguments: the end chunk and the result carry them exactly', async () => {
  const piece = '{"k":"é😀\\\\"} ';
  const deltas = Math.ceil((FAR_TEXT_MIN_BYTES * 2) / piece.length);
  const reads = [
    event({ index: 0, delta: { content: mixed(RESULT_STRING_MIN_BYTES) } }),
    event({ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] } }),
  ];
  for (let i = 0; i < deltas; i++) {
    reads.push(event({ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] } }));
  }
  reads.push(`data: ${head}{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`);
  const stream = loaderFor([reads.join('')]).streamCompletion({ model: 'm', prompt: 'p' });
  const chunks = await collect(stream);
  const end = chunks.find((c) => c.type === 'tool_call_end');
  assert.equal(end.toolCall.arguments, piece.repeat(deltas));
  assert.equal(end.toolCall.argumentsValid, false); // pieces of JSON side by side are not JSON
  const result = stream.result;
  assert.equal(result.toolCalls[0].arguments, piece.repeat(deltas));
  assert.equal(result.text, mixed(RESULT_STRING_MIN_BYTES));
  assert.equal(result.choices[0].toolCalls[0].id, 'call_1');
});

/**
 * Streams `mib` MiB of `piece` (64 bytes once unescaped) in deltas made by `deltaEvent`, then
 * `end`; returns how much the wasm heap grew before the end and in all, and what came out.
 */
async function heapGrowth(mib, piece, deltaEvent, first, end) {
  const deltas = (mib << 20) / 64;
  const perRead = 128;
  const core = await loadCore();
  const heapAtStart = core.HEAPU8.byteLength;
  let heapBeforeEnd = 0;
  const reads = {
    [Symbol.iterator]: function* () {
      if (first) yield encoder.encode(first);
      const bytes = encoder.encode(deltaEvent.replace('@', piece).repeat(perRead));
      for (let sent = 0; sent < deltas; sent += perRead) yield bytes;
      heapBeforeEnd = core.HEAPU8.byteLength; // every delta has been read and assembled
      yield encoder.encode(end);
    },
  };
  const stream = loaderFor(reads).streamCompletion({ model: 'm', prompt: 'p' });
  let endArguments = '';
  for await (const chunk of stream) {
    if (chunk.type === 'tool_call_end') endArguments = chunk.toolCall.arguments;
  }
  return {
    beforeEnd: heapBeforeEnd - heapAtStart,
    total: core.HEAPU8.byteLength - heapAtStart,
    endArguments,
    result: stream.result,
  };
}

test('a long answer costs the wasm heap about its size, long tool arguments at most twice', async () => {
  // 16 MiB of text and 16 MiB of arguments (read after the text: the heap never shrinks, so the
  // second figure is what the arguments add). A string that doubles as it grows cost ~2.7x.
  const mib = 16;
  const text = await heapGrowth(mib, 'word '.repeat(12) + 'caf\u00e9', event({ index: 0, delta: { content: '@' } }), '', END);
  assert.equal(text.result.text, ('word '.repeat(12) + 'café').repeat((mib << 20) / 64));
  // The text is held once (its first MiB inline, then 1 MiB pieces); the heap grows in steps.
  assert.ok(text.total < (mib << 20) * 1.4, `text grew the wasm heap by ${text.total >> 20} MiB`);

  const args = await heapGrowth(
    mib,
    '{\\"a\\":1} '.repeat(8),
    event({ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '@' } }] } }),
    event({ index: 0, delta: { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] } }),
    `data: ${head}{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`,
  );
  const want = '{"a":1} '.repeat(8 * ((mib << 20) / 64));
  assert.equal(args.endArguments, want);
  assert.equal(args.result.toolCalls[0].arguments, want);
  // Before the end: the pieces. The end chunk carries the arguments in one string, joined once;
  // the result JSON points at that string instead of copying it again.
  assert.ok(args.beforeEnd < (mib << 20) * 1.4, `before the end: ${args.beforeEnd >> 20} MiB`);
  assert.ok(args.total < (mib << 20) * 2.2, `arguments grew the wasm heap by ${args.total >> 20} MiB`);
});

test('a long text decodes exactly across the pieces it is held in', async () => {
  // 3 MiB of 4-byte characters after a 1-byte offset: every piece boundary (1 MiB apart) falls
  // inside a character, which must survive being decoded from separate ranges.
  const emoji = '\u{1F600}';
  const text = 'x' + emoji.repeat((3 << 20) / 4);
  const reads = [event({ index: 0, delta: { content: 'x' } })];
  for (let i = 0; i < (3 << 20) / 4; i += 1000) {
    reads.push(event({ index: 0, delta: { content: emoji.repeat(Math.min(1000, (3 << 20) / 4 - i)) } }));
  }
  reads.push(END);
  const stream = loaderFor(reads).streamCompletion({ model: 'm', prompt: 'p' });
  await collect(stream);
  assert.equal(stream.result.text.length, text.length);
  assert.ok(stream.result.text === text, 'the text differs');
});

test('the result reuses the end chunk\'s far arguments instead of decoding a second copy', () => {
  // References to wasm memory (here 16 zero bytes); "8,3" was decoded before, for an end chunk.
  const u8 = new Uint8Array(16);
  const json = '{"text":[0,4],"choices":[{"text":[0,4],"toolCalls":[{"arguments":[8,3]}],"blocks":[]}]}';
  const result = parseResultJson(u8, json, new Map([['8,3', 'abc']]));
  assert.equal(result.choices[0].toolCalls[0].arguments, 'abc');
  assert.equal(result.text, '\0\0\0\0');
  assert.equal(result.choices[0].text, '\0\0\0\0');
});
