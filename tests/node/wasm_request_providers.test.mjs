// The web core module and the providers added with issue 14: it builds the requests of the
// OpenAI-compatible ones (Mistral, Azure ...) and refuses, before anything is sent, those whose
// streams it cannot read (Gemini, Ollama, Cohere: their request code is left out of the module,
// platform/wasm/sse_only_requests.cpp) and Bedrock's, which is not built yet.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as abi from '../../npm/dist/core/abi.js';
import { loadCore } from '../../npm/src/core/load.js';

async function attempt(options) {
  const core = await loadCore();
  const ws = new core.WasmSession(JSON.stringify({ apiKey: 'k', model: 'm', prompt: 'x', ...options }));
  try {
    core._llmstream_poll(ws.handle(), 0);
    const error = JSON.parse(ws.errorJson());
    return error ? { error: error.message } : { url: JSON.parse(ws.httpRequestJson()).url };
  } finally {
    ws.delete();
  }
}

test('every provider of the C++ table is in abi.js', () => {
  assert.deepEqual(
    abi.PROVIDERS.map((p) => p.name),
    ['openai', 'anthropic', 'groq', 'openrouter', 'compatible', 'local', 'gemini', 'bedrock', 'ollama',
      'cohere', 'mistral', 'deepseek', 'azure', 'xai'],
  );
});

test('the APIs the module cannot read are refused by name', async () => {
  for (const [provider, api] of [['gemini', 'gemini_generate_content'], ['ollama', 'ollama_chat'],
    ['cohere', 'cohere_chat']]) {
    assert.deepEqual(await attempt({ provider }), { error: `${api} is not in the web build` }, provider);
  }
  assert.match((await attempt({ provider: 'bedrock' })).error, /bedrock_converse .*not built yet/);
});

test('the OpenAI-compatible providers are built', async () => {
  assert.deepEqual(await attempt({ provider: 'mistral' }), { url: 'https://api.mistral.ai/v1/chat/completions' });
  assert.deepEqual(await attempt({ provider: 'azure', baseURL: 'https://r.openai.azure.com' }), {
    url: 'https://r.openai.azure.com/openai/deployments/m/chat/completions?api-version=2025-04-01-preview',
  });
});
