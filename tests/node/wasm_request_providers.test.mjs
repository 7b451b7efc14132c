// The web core module and the providers added with issue 14: it builds the requests of the
// OpenAI-compatible ones (Mistral, Azure ...) and refuses, before anything is sent, those whose
// streams it cannot read (Gemini, Ollama, Cohere, Bedrock: their request code is left out of the
// module, platform/wasm/sse_only_requests.cpp). The full core module builds Bedrock's and signs it
// (AWS SigV4) exactly as the AWS SDK does.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as abi from '../../npm/dist/core/abi.js';
import { loadCore } from '../../npm/src/core/load.js';

async function attempt(options, { full = false } = {}) {
  const core = await loadCore({ full });
  const ws = new core.WasmSession(JSON.stringify({ apiKey: 'k', model: 'm', prompt: 'x', ...options }));
  try {
    core._llmstream_poll(ws.handle(), 0);
    const error = JSON.parse(ws.errorJson());
    if (error) return { error: error.message };
    const http = JSON.parse(ws.httpRequestJson());
    return full ? http : { url: http.url };
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
    ['cohere', 'cohere_chat'], ['bedrock', 'bedrock_converse']]) {
    assert.deepEqual(await attempt({ provider, region: 'us-east-1' }), { error: `${api} is not in the web build` }, provider);
  }
});

// The request of bedrock_request_test.cpp / session_bedrock_test.cpp, signed by the full module at
// unixMsAtZero + 0 = 2025-01-02T03:04:05Z: the Authorization @smithy/signature-v4 computes for it.
test('the full module signs Bedrock requests as the AWS SDK does, and needs the time', async () => {
  const options = {
    provider: 'bedrock',
    apiKey: undefined,
    region: 'us-west-2',
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN',
    },
    model: 'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    prompt: 'Hello',
    maxTokens: 100,
  };
  const http = await attempt({ ...options, unixMsAtZero: 1735787045000 }, { full: true });
  const header = (name) => (http.headers.find(([n]) => n.toLowerCase() === name) ?? [])[1];
  assert.equal(header('x-amz-date'), '20250102T030405Z');
  assert.equal(
    header('authorization'),
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, ' +
      'SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ' +
      'Signature=ccbf28885ce8aa7083729848bbccad972132ac29a439d47f5a2dc638eab00c6e',
  );
  assert.match((await attempt(options, { full: true })).error, /wall time/);
  assert.match((await attempt({ ...options, region: undefined }, { full: true })).error, /needs an AWS region/);
});

test('the OpenAI-compatible providers are built', async () => {
  assert.deepEqual(await attempt({ provider: 'mistral' }), { url: 'https://api.mistral.ai/v1/chat/completions' });
  assert.deepEqual(await attempt({ provider: 'azure', baseURL: 'https://r.openai.azure.com' }), {
    url: 'https://r.openai.azure.com/openai/deployments/m/chat/completions?api-version=2025-04-01-preview',
  });
});
