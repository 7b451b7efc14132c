// The seed guide's "Streaming with Metadata" example (shared/docs/seed-streaming-guide.md: the
// text, `chunk.usage.totalTokens` and `chunk.cost.toFixed(4)`; tests/node/guide/metadata.mjs, in a
// node process of its own) through the npm package for every provider added with issue 14
// (Gemini and its alias 'google', Ollama, Cohere, Mistral, DeepSeek, xAI, Azure OpenAI, Bedrock),
// against the local provider over real HTTP on 127.0.0.1, each in its own wire format and at its
// own endpoint; the local provider's Mistral and Azure imitations those need; and which of the two
// wasm modules a stream loads (the full one for Gemini, Ollama, Cohere, Bedrock; never for the
// OpenAI-compatible providers), observed through the module files it reads.
// A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CORE_MODULE_APIS, PROVIDERS, WIRE_API_SPELLINGS } from '../../npm/dist/core/abi.js';
import { needsFullCore } from '../../npm/src/core/load.js';
import { APILoader } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';
import { LOCAL_AWS_CREDENTIALS } from '../../server/lib/sigv4-verify.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { runGuideExample } from './support/guide.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(REPO, 'npm', 'dist', 'core');

let server;
before(async () => {
  server = await startServer({ port: 0, paceMs: 0, log: () => {} });
});
after(() => server?.close());

const PROMPT = 'Explain quantum computing';
/** The local provider's answer: 40 tokens by default (the guide's maxTokens 300 cuts nothing). */
const ANSWER = replyTokens(PROMPT, 40).join('');

/**
 * Each provider as a user points it at the local provider: the base URL below the server's
 * origin, the model when the provider has no default (Azure: the deployment), and the list price
 * of that model in dollars per million input / output tokens, from the providers' price pages
 * (null: a local model, which costs nothing).
 */
const CASES = {
  gemini: { base: '/v1beta', model: 'gemini-2.5-flash', price: [0.3, 2.5] },
  google: { base: '/v1beta', model: 'gemini-2.5-flash', price: [0.3, 2.5] },
  ollama: { base: '', model: 'llama3.2', price: null },
  cohere: { base: '/v2', model: 'command-a-03-2025', price: [2.5, 10.0] },
  mistral: { base: '/v1', model: 'mistral-small-latest', price: [0.1, 0.3] },
  deepseek: { base: '/v1', model: 'deepseek-v4-flash', price: [0.14, 0.28] },
  xai: { base: '/v1', model: 'grok-4-1-fast-non-reasoning', price: [0.2, 0.5] },
  azure: { base: '', model: 'gpt-4o-mini', deployment: true, price: [0.15, 0.6] },
  // Signed with AWS SigV4 (the local provider verifies its test credentials' signatures);
  // priced as claude-haiku-4-5.
  bedrock: { base: '', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', price: [1.0, 5.0],
    auth: { region: 'us-east-1', credentials: LOCAL_AWS_CREDENTIALS } },
};

/** Escapes `text` for a RegExp. */
const literally = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe("the seed guide's metadata example, for every new provider", () => {
  for (const [provider, c] of Object.entries(CASES)) {
    test(provider, async () => {
      // tests/node/guide/metadata.mjs: the guide's code, its loader given this provider.
      const { stdout, result } = await runGuideExample('metadata.mjs', server.url, {
        provider,
        ...(c.auth ?? { apiKey: 'test-key' }),
        baseURL: server.url + c.base,
        ...(c.deployment ? { defaultModel: c.model } : {}), // Azure: the deployment (no default model)
      });
      assert.equal(result.fullText, ANSWER);
      assert.equal(result.tokenCount, 40);
      // Cohere's and Bedrock's streams name no model.
      assert.equal(result.model, ['cohere', 'bedrock'].includes(provider) ? '' : c.model);
      // Usage arrives (Gemini: on every chunk, each a snapshot of the answer so far; the others
      // once, at the end), and the last one printed is the answer's.
      const { usage, cost } = result;
      assert.equal(usage.completionTokens, 40);
      assert.ok(usage.promptTokens > 0);
      assert.equal(usage.totalTokens, usage.promptTokens + usage.completionTokens);
      const totals = [...stdout.matchAll(/\nTotal tokens: (\d+)\n/g)].map((m) => Number(m[1]));
      assert.ok(totals.length >= 1, 'a usage chunk');
      assert.equal(totals.at(-1), usage.totalTokens);
      // The cost: the list price of the model times the usage (0 for a local model).
      assert.equal(typeof cost, 'number');
      const want = c.price ? (usage.promptTokens * c.price[0] + usage.completionTokens * c.price[1]) / 1e6 : 0;
      assert.ok(Math.abs(cost - want) <= 1e-12, `cost ${cost}, want ${want}`);
      if (c.price) assert.ok(cost > 0 && result.costDetails.source === 'price_table');
      assert.match(stdout, new RegExp(`Cost: \\$ ${literally(cost.toFixed(4))}\n\nRESULT `));
    });
  }
});

describe('the local provider imitates Mistral and Azure OpenAI', () => {
  /** The data payloads of an SSE body. */
  async function ssePayloads(response) {
    assert.equal(response.status, 200, await response.clone().text());
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => e.slice('data: '.length))
      .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
  }
  const chat = (model, extra = {}) =>
    fetch(`${server.url}/v1/chat/completions?tokens=5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Hi' }], ...extra }),
    });

  test('Mistral models: usage in the last chunk, with the finish, without stream_options', async () => {
    for (const model of ['mistral-small-latest', 'open-mixtral-8x22b', 'codestral-2508', 'magistral-medium-latest']) {
      for (const extra of [{}, { stream_options: { include_usage: true } }]) {
        const payloads = await ssePayloads(await chat(model, extra));
        assert.equal(payloads.at(-1), '[DONE]');
        const chunks = payloads.slice(0, -1);
        const last = chunks.at(-1);
        assert.equal(last.choices[0].finish_reason, 'stop', model);
        assert.deepEqual(Object.keys(last.usage), ['prompt_tokens', 'total_tokens', 'completion_tokens']);
        assert.equal(last.usage.completion_tokens, 5);
        assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + 5);
        for (const chunk of chunks.slice(0, -1)) assert.equal('usage' in chunk, false, JSON.stringify(chunk));
        for (const chunk of chunks) {
          assert.equal(chunk.choices.length, 1); // no usage-only chunk
          assert.equal('system_fingerprint' in chunk, false);
        }
      }
    }
  });

  test('other models keep OpenAI behaviour: usage only with include_usage, in a chunk of its own', async () => {
    for (const model of ['gpt-4o-mini', 'deepseek-v4-flash', 'mistralai/Mixtral-8x7B-Instruct-v0.1']) {
      const plain = (await ssePayloads(await chat(model))).slice(0, -1);
      assert.ok(plain.every((c) => !('usage' in c)), model);
      const withUsage = (await ssePayloads(await chat(model, { stream_options: { include_usage: true } }))).slice(0, -1);
      assert.deepEqual(withUsage.at(-1).choices, []);
      assert.equal(withUsage.at(-1).usage.completion_tokens, 5);
      assert.ok(withUsage.slice(0, -1).every((c) => c.usage === null && c.system_fingerprint === 'fp_llmstream'));
    }
  });

  test('Azure: the deployment path needs api-version and a key; the deployment is the model', async () => {
    const post = (query, headers) =>
      fetch(`${server.url}/openai/deployments/my-gpt/chat/completions${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      });
    const noVersion = await post('', { 'api-key': 'k' });
    assert.equal(noVersion.status, 404);
    assert.equal((await noVersion.json()).error.message, 'Resource not found');
    const noKey = await post('?api-version=2025-04-01-preview', {});
    assert.equal(noKey.status, 401);
    assert.match((await noKey.json()).error.message, /Access denied/);
    for (const auth of [{ 'api-key': 'k' }, { authorization: 'Bearer entra-token' }]) {
      const payloads = await ssePayloads(await post('?api-version=2025-04-01-preview&tokens=3', auth));
      assert.equal(payloads[0].model, 'my-gpt');
      assert.equal(payloads.at(-1), '[DONE]');
    }
  });
});

describe('which wasm module a stream loads', () => {
  // Each APILoader below reads the .wasm from a folder of its own (the wasmURL option names the
  // core module's file; the full module's is read beside it) holding ONE of the two modules: a
  // stream that loads the other module finds no file and fails with module_load naming it.
  let dir;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'llmstream-modules-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A loader for `provider` whose wasm files are in a folder with only `file` of dist/core. */
  function loaderWith(file, provider, base) {
    const folder = mkdtempSync(path.join(dir, `${file}-`));
    copyFileSync(path.join(DIST, file), path.join(folder, file));
    const wasmURL = pathToFileURL(path.join(folder, 'llmstream_core.wasm'));
    const auth = CASES[provider]?.auth ?? { apiKey: 'test-key' };
    return new APILoader({ provider, ...auth, baseURL: server.url + base, wasmURL });
  }
  const complete = (ai) => ai.complete({ prompt: PROMPT, ...(ai.toJSON().provider === 'azure' ? { model: 'gpt-4o-mini' } : {}) });

  for (const [provider, c] of Object.entries(CASES)) {
    const full = ['gemini', 'google', 'ollama', 'cohere', 'bedrock'].includes(provider);
    test(`${provider}: the ${full ? 'full' : 'core'} module only`, async () => {
      const [needed, other] = full
        ? ['llmstream_core_full.wasm', 'llmstream_core.wasm']
        : ['llmstream_core.wasm', 'llmstream_core_full.wasm'];
      const completion = await complete(loaderWith(needed, provider, c.base));
      assert.equal(completion.text, ANSWER);
      await assert.rejects(complete(loaderWith(other, provider, c.base)), (error) => {
        assert.equal(error.code, 'module_load');
        assert.match(error.message, new RegExp(needed.replace('.', '\\.')));
        return true;
      });
    });
  }

  test("'openai' reads with the core module, 'Gemini' (any case) with the full one", async () => {
    assert.equal((await complete(loaderWith('llmstream_core.wasm', 'openai', '/v1'))).text, ANSWER);
    assert.equal((await complete(loaderWith('llmstream_core_full.wasm', 'Gemini', '/v1beta'))).text, ANSWER);
  });
});

describe('needsFullCore decides from the generated tables', () => {
  // Written by hand: the wire APIs the core module reads (Chat Completions, Anthropic Messages)
  // and the providers that speak them; everything else needs the full module.
  const FULL_PROVIDERS = ['gemini', 'bedrock', 'ollama', 'cohere'];
  const CORE_PROVIDERS = ['openai', 'anthropic', 'groq', 'openrouter', 'compatible', 'local', 'mistral', 'deepseek', 'azure', 'xai'];
  const CORE_SPELLINGS = ['chat_completions', 'chat-completions', 'chat', 'anthropic_messages', 'anthropic-messages', 'messages'];
  const FULL_SPELLINGS = ['responses', 'gemini_generate_content', 'gemini-generate-content', 'bedrock_converse',
    'bedrock-converse', 'ollama_chat', 'ollama-chat', 'ollama_generate', 'ollama-generate', 'cohere_chat', 'cohere-chat'];

  test('the tables hold what the hand-written lists expect', () => {
    assert.deepEqual([...CORE_MODULE_APIS].sort(), ['anthropic_messages', 'chat_completions']);
    assert.deepEqual(PROVIDERS.map((p) => p.name).sort(), [...FULL_PROVIDERS, ...CORE_PROVIDERS].sort());
    assert.deepEqual(Object.keys(WIRE_API_SPELLINGS).sort(), [...CORE_SPELLINGS, ...FULL_SPELLINGS].sort());
  });

  test('every provider', () => {
    for (const p of FULL_PROVIDERS) assert.equal(needsFullCore({ provider: p }), true, p);
    for (const p of CORE_PROVIDERS) assert.equal(needsFullCore({ provider: p }), false, p);
  });

  test('every spelling of every wire API, whatever the provider', () => {
    for (const provider of ['openai', 'gemini', undefined]) {
      for (const api of FULL_SPELLINGS) assert.equal(needsFullCore({ provider, api }), true, `${provider} ${api}`);
      for (const api of CORE_SPELLINGS) assert.equal(needsFullCore({ provider, api }), false, `${provider} ${api}`);
    }
  });

  test('an api no module takes goes to the core module, which reports it', () => {
    assert.equal(needsFullCore({ provider: 'gemini', api: 'gemini' }), false);
    assert.equal(needsFullCore({ provider: 'openai', api: 'nope' }), false);
  });
});
