// Every usage chunk carries the cost of that usage (the seed guide's "Streaming with Metadata":
// `if (chunk.usage) console.log('Cost: $', chunk.cost.toFixed(4))`), for every provider and wire
// API, in every read split. The oracle is hand-written: each model's list price (dollars per
// million tokens, as the providers publish them) times the usage chunk's own token counts, or the
// provider's own figure where it reports one (OpenRouter's usage.cost).
// A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { APILoader } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(process.env.LLMSTREAM_SHARED_DIR ?? path.join(REPO, '..', 'shared'), 'fixtures');

/** Dollars per million input / output tokens (the providers' price pages). */
const PRICE = {
  'claude-haiku-4-5': [1.0, 5.0],
  'gpt-4o': [2.5, 10.0],
  'gpt-4o-mini': [0.15, 0.6],
  'openai/gpt-oss-120b': [0.15, 0.75],
  'llama-3.3-70b-versatile': [0.59, 0.79],
  'openai/gpt-4o-mini': [0.15, 0.6],
};
const byPrice = (model) => (u) => (u.promptTokens * PRICE[model][0] + u.completionTokens * PRICE[model][1]) / 1e6;

// provider, api, and the cost a usage chunk must carry. Anthropic sends two usages (input at
// message_start, the final count in message_delta followed by the finish); Responses one, in
// response.completed before the finish and done.
const FIXTURE_CASES = {
  'anthropic-text': { provider: 'anthropic', api: 'anthropic_messages', cost: byPrice('claude-haiku-4-5'), usages: 2 },
  'anthropic-thinking-signature': { provider: 'anthropic', api: 'anthropic_messages', costKnown: true, usages: 2 },
  'openai-chat-text-usage': { provider: 'openai', api: 'chat_completions', cost: byPrice('gpt-4o'), usages: 1 },
  'openai-responses-text': { provider: 'openai', api: 'responses', costKnown: true, usages: 1 },
  'openai-responses-function-call': { provider: 'openai', api: 'responses', costKnown: true, usages: 1 },
  'groq-reasoning-text': { provider: 'groq', api: 'chat_completions', cost: byPrice('openai/gpt-oss-120b'), usages: 1 },
  'openrouter-usage-cost': { provider: 'openrouter', api: 'chat_completions', cost: () => 0.000837, usages: 1 },
};

/** Read sizes: whole, byte by byte, small primes, and seeded random 1..40. */
function splits(size) {
  const out = { whole: [size], bytes: new Array(size).fill(1) };
  for (const n of [2, 7, 64]) out[`fixed-${n}`] = Array.from({ length: Math.ceil(size / n) }, () => n);
  let seed = 12345;
  const random = [];
  for (let left = size; left > 0; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = Math.min(left, 1 + (seed % 40));
    random.push(n);
    left -= n;
  }
  out['random-40'] = random;
  return out;
}

/** A fetch that answers with `body` as an event stream, cut into `sizes` reads. */
function fetchOf(body, sizes) {
  return async () => {
    let at = 0;
    let i = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (at >= body.length) return controller.close();
        const n = Math.min(sizes[i++] ?? body.length, body.length - at);
        controller.enqueue(body.subarray(at, at + n));
        at += n;
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
}

/** The guide's metadata loop, keeping what it would print. */
async function guideLoop(stream) {
  const usages = [];
  let sawCostChunk = false;
  for await (const chunk of stream) {
    if (chunk.type === 'cost') sawCostChunk = true;
    if (chunk.usage) {
      assert.equal(typeof chunk.cost, 'number', 'chunk.cost.toFixed works');
      usages.push({ usage: chunk.usage, cost: chunk.cost, printed: chunk.cost.toFixed(4), details: chunk.costDetails });
    }
  }
  return { usages, sawCostChunk };
}

const near = (a, b) => Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b);

describe('every usage chunk carries its cost: recorded streams in every read split', () => {
  for (const [name, c] of Object.entries(FIXTURE_CASES)) {
    test(name, async () => {
      const body = readFileSync(path.join(FIXTURES, `${name}.sse`));
      let reference = null;
      for (const [splitName, sizes] of Object.entries(splits(body.length))) {
        const ai = new APILoader({ provider: c.provider, apiKey: 'test-key', api: c.api, fetch: fetchOf(body, sizes) });
        const stream = ai.streamCompletion({ prompt: 'x', maxRetries: 0 });
        const { usages, sawCostChunk } = await guideLoop(stream);
        const where = `${name}, split ${splitName}`;
        assert.equal(usages.length, c.usages, `${where}: usage chunks`);
        assert.equal(sawCostChunk, false, `${where}: the cost is on the usage chunk, not a chunk of its own`);
        for (const u of usages) {
          if (c.cost) {
            const want = c.cost(u.usage);
            assert.ok(near(u.cost, want), `${where}: cost ${u.cost}, want ${want} for ${JSON.stringify(u.usage)}`);
          }
          assert.ok(u.cost > 0, `${where}: a priced model's usage costs something`);
          assert.ok(u.details && u.details.source !== 'none', `${where}: costDetails`);
        }
        // The last usage's cost is the stream's cost.
        assert.ok(near(stream.cost, usages.at(-1).cost), `${where}: stream.cost ${stream.cost}`);
        const seen = usages.map((u) => u.cost);
        if (reference === null) reference = seen;
        else assert.deepEqual(seen, reference, `${where}: same costs as the whole read`);
      }
    });
  }
});

describe('every usage chunk carries its cost: the guide flow on four providers (local provider)', () => {
  let provider;
  before(async () => {
    provider = await startServer({ port: 0, paceMs: 0, log: () => {} });
  });
  after(() => provider?.close());

  const CASES = [
    { provider: 'openai', model: 'gpt-4o-mini' },
    { provider: 'openai', api: 'responses', model: 'gpt-4o-mini' },
    { provider: 'anthropic', model: 'claude-haiku-4-5' },
    { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    { provider: 'openrouter', model: 'openai/gpt-4o-mini' },
  ];
  for (const c of CASES) {
    test(`${c.provider}${c.api ? ` (${c.api})` : ''}`, async () => {
      const ai = new APILoader({ provider: c.provider, apiKey: 'test-key', baseURL: `${provider.url}/v1`, api: c.api });
      const stream = await ai.streamCompletion({ prompt: 'Explain quantum computing', maxTokens: 300 });
      const { usages, sawCostChunk } = await guideLoop(stream);
      assert.ok(usages.length >= 1, 'a usage chunk');
      assert.equal(sawCostChunk, false);
      for (const u of usages) {
        const want = byPrice(c.model)(u.usage);
        assert.ok(want > 0);
        assert.ok(near(u.cost, want), `cost ${u.cost}, want ${want} for ${JSON.stringify(u.usage)}`);
        assert.equal(u.printed, want.toFixed(4));
      }
      assert.ok(near(stream.cost, usages.at(-1).cost));
    });
  }
});
