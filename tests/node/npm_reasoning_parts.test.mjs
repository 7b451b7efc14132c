// The `part` label of reasoning chunks ('text', 'signature', 'redacted', 'summary'), from the
// core's ReasoningPart through the npm decoder, over real streams: the local provider's OpenAI
// Responses reasoning summary, the recorded OpenRouter stream whose reasoning is one encrypted
// item, the recorded Anthropic thinking block with its signature, and an Anthropic
// redacted_thinking block served by a small HTTP server here. The expected labels and payloads
// are written here or read from the fixture bytes, never from the package's own tables.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { reasoningTokens } from '../../server/lib/textgen.mjs';
import { APILoader } from '../../npm/src/index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(process.env.LLMSTREAM_SHARED_DIR ?? path.join(REPO, '..', 'shared'), 'fixtures');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');

let provider;
let anthropic; // serves one Anthropic stream with a redacted_thinking block
before(async () => {
  assert.ok(existsSync(WASM), 'llmstream_core.wasm is not built: run scripts/build-wasm.sh');
  provider = await startServer({ port: 0, paceMs: 0, fixturesDir: FIXTURES });
  anthropic = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(REDACTED_STREAM);
    });
  });
  await new Promise((resolve) => anthropic.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await provider?.close();
  await new Promise((resolve) => (anthropic ? anthropic.close(resolve) : resolve()));
});

const sse = (events) => events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
const REDACTED_DATA = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw-opaque';
// Wire format: shared/docs/wire-formats.md section 3 (Anthropic Messages).
const REDACTED_STREAM = sse([
  ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me see.' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-42' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: REDACTED_DATA } }],
  ['content_block_stop', { type: 'content_block_stop', index: 1 }],
  ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Done.' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 2 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
  ['message_stop', { type: 'message_stop' }],
]);

async function reasoningOf(loaderOptions, request) {
  const stream = new APILoader(loaderOptions).streamCompletion(request);
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks.at(-1).type, 'done', JSON.stringify(chunks.at(-1)));
  return chunks.filter((c) => c.type === 'reasoning').map((c) => [c.part, c.reasoning]);
}

const fixture = (name) => ({ 'x-llmstream-scenario': `fixture=${name}` });

test("OpenAI Responses reasoning summary: every reasoning chunk is part 'summary'", async () => {
  const prompt = 'Summarise your thinking';
  const parts = await reasoningOf(
    { provider: 'openai', api: 'responses', apiKey: 'sk-test', baseURL: provider.url },
    { model: 'local-reasoning', prompt, headers: { 'x-llmstream-scenario': 'reasoning=5' } },
  );
  assert.deepEqual(parts.map(([part]) => part), ['summary', 'summary', 'summary', 'summary', 'summary']);
  assert.equal(parts.map(([, text]) => text).join(''), reasoningTokens(prompt, 5).join(''));
});

test("OpenRouter reasoning.encrypted (recorded o3 stream): one chunk, part 'redacted', the opaque data", async () => {
  // The data of the one reasoning_details item, read from the recorded bytes.
  const bytes = readFileSync(path.join(FIXTURES, 'openrouter-o3-reasoning.sse'), 'utf8');
  const items = bytes
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .flatMap((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.reasoning_details ?? []);
  assert.deepEqual(items.map((i) => i.type), ['reasoning.encrypted']);
  const parts = await reasoningOf(
    { provider: 'openrouter', apiKey: 'sk-or-test', baseURL: provider.url },
    { model: 'openai/o3', prompt: 'Who are you?', headers: fixture('openrouter-o3-reasoning') },
  );
  assert.deepEqual(parts, [['redacted', items[0].data]]);
});

test("Anthropic thinking (recorded): the thinking is part 'text', the signature part 'signature'", async () => {
  const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'))['anthropic-thinking-signature.sse'];
  const thinking = expected.blocks.find((b) => b.type === 'thinking');
  const parts = await reasoningOf(
    { provider: 'anthropic', apiKey: 'sk-ant-test', baseURL: provider.url },
    { model: 'claude-haiku-4-5', prompt: 'Name a pelican', headers: fixture('anthropic-thinking-signature') },
  );
  const labels = [...new Set(parts.map(([part]) => part))];
  assert.deepEqual(labels, ['text', 'signature']);
  assert.equal(parts.filter(([p]) => p === 'text').map(([, t]) => t).join(''), thinking.thinking);
  const signature = parts.filter(([p]) => p === 'signature').map(([, t]) => t).join('');
  assert.equal(Array.from(signature).length, thinking.signature.chars);
});

test("Anthropic redacted_thinking: part 'redacted' with the block's data, between the thinking and the text", async () => {
  const stream = new APILoader({ provider: 'anthropic', apiKey: 'sk-ant-test', baseURL: `http://127.0.0.1:${anthropic.address().port}` })
    .streamCompletion({ model: 'claude-test', prompt: 'Hi', maxRetries: 0 });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const seen = chunks
    .filter((c) => c.type === 'reasoning' || c.type === 'text')
    .map((c) => (c.type === 'text' ? ['answer', c.text] : [c.part, c.reasoning]));
  assert.deepEqual(seen, [
    ['text', 'Let me see.'],
    ['signature', 'sig-42'],
    ['redacted', REDACTED_DATA],
    ['answer', 'Done.'],
  ]);
});
