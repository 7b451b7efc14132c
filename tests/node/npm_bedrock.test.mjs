// The npm package and AWS Bedrock through the local provider: `new APILoader({provider:
// 'bedrock', region, credentials, baseURL})` streams text, usage and cost (the seed guide's
// metadata example), its requests signed with AWS SigV4 by the full core module at the wall time
// (the server verifies signatures made with its test credentials: server/lib/sigv4-verify.mjs,
// and answers a wrong one 403 as AWS does), every retry signed again; the AWS variables read in
// Node; secrets never shown. A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APILoader, AuthenticationError, InvalidRequestError } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';
import { LOCAL_AWS_CREDENTIALS } from '../../server/lib/sigv4-verify.mjs';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0'; // priced as claude-haiku-4-5: $1 / $5
const AWS_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION',
  'AWS_DEFAULT_REGION', 'AWS_BEARER_TOKEN_BEDROCK'];

let server;
let requests = 0;
before(async () => {
  server = await startServer({ port: 0, paceMs: 0, log: () => { requests += 1; } });
});
after(() => server?.close());

/** Runs `fn` with the AWS variables set to `values` (the others unset), then restores them. */
async function withEnv(values, fn) {
  const saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of AWS_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function drain(stream) {
  let text = '';
  let usageChunks = 0;
  let cost;
  for await (const chunk of stream) {
    text += chunk.text || '';
    if (chunk.usage) {
      usageChunks += 1;
      cost = chunk.cost;
    }
  }
  return { text, usageChunks, cost };
}

test('signed with credentials: text, usage and cost', async () => {
  const ai = new APILoader({ provider: 'bedrock', region: 'us-east-1', credentials: LOCAL_AWS_CREDENTIALS, baseURL: server.url });
  const stream = await ai.streamCompletion({ model: MODEL, prompt: 'Tell me about Bedrock', maxTokens: 30,
    headers: { 'x-llmstream-scenario': 'tokens=12' } });
  const { text, usageChunks, cost } = await drain(stream);
  assert.ok(text.length > 0);
  assert.equal(usageChunks, 1);
  assert.equal(stream.usage.completionTokens, 12);
  const expected = (stream.usage.promptTokens * 1 + stream.usage.completionTokens * 5) / 1e6;
  assert.ok(Math.abs(stream.cost - expected) < 1e-12, `${stream.cost} vs ${expected}`);
  assert.equal(cost, stream.cost);
  assert.equal(typeof stream.cost.toFixed(4), 'string');
});

test('every retry is signed again (a stale or wrong signature would be a 403, not retried)', async () => {
  const ai = new APILoader({ provider: 'bedrock', region: 'us-east-1', credentials: LOCAL_AWS_CREDENTIALS,
    baseURL: server.url, retryBaseDelayMs: 1, maxRetries: 2 });
  const key = `bedrock-retry-${process.pid}`;
  const stream = await ai.streamCompletion({ model: MODEL, prompt: 'again',
    headers: { 'x-llmstream-scenario': `tokens=5; status=429; times=2; key=${key}` } });
  const { text } = await drain(stream);
  assert.ok(text.length > 0);
  const log = await (await fetch(`${server.url}/_llmstream/requests?key=${key}`)).json();
  assert.equal(log.length, 3);
});

test('a wrong secret is refused as AWS refuses it, and never shown', async () => {
  const secretAccessKey = 'wrong/secret+key/for-the-local-provider-0000';
  const ai = new APILoader({ provider: 'bedrock', region: 'us-east-1', baseURL: server.url,
    credentials: { ...LOCAL_AWS_CREDENTIALS, secretAccessKey } });
  await assert.rejects(ai.complete({ model: MODEL, prompt: 'x' }), (error) => {
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.equal(error.providerType, 'InvalidSignatureException');
    assert.ok(!error.message.includes(secretAccessKey));
    return true;
  });
  assert.ok(!JSON.stringify(ai).includes(secretAccessKey));
  assert.ok(!JSON.stringify(ai).includes(LOCAL_AWS_CREDENTIALS.accessKeyId));
});

test('in Node the AWS variables are read; a Bedrock API key goes first', async () => {
  await withEnv({ AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' }, async () => {
    const ai = new APILoader({ provider: 'bedrock', baseURL: server.url });
    const { text } = await drain(await ai.streamCompletion({ model: MODEL, prompt: 'from env' }));
    assert.ok(text.length > 0);
  });
  // AWS_BEARER_TOKEN_BEDROCK wins over the credentials (the AWS SDKs' order): sent as a Bearer
  // token, unsigned; with a wrong secret next to it nothing is refused.
  await withEnv({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-0000000000', AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'wrong', AWS_DEFAULT_REGION: 'eu-west-1' }, async () => {
    const ai = new APILoader({ provider: 'bedrock', baseURL: server.url });
    const { text } = await drain(await ai.streamCompletion({ model: MODEL, prompt: 'api key' }));
    assert.ok(text.length > 0);
  });
});

test('what is missing is said when the loader is made', async () => {
  await withEnv({}, async () => {
    assert.throws(() => new APILoader({ provider: 'bedrock', region: 'us-east-1' }),
      (e) => e instanceof InvalidRequestError && /AWS_ACCESS_KEY_ID.*AWS_BEARER_TOKEN_BEDROCK/.test(e.message));
    assert.throws(() => new APILoader({ provider: 'bedrock', credentials: LOCAL_AWS_CREDENTIALS }),
      (e) => e instanceof InvalidRequestError && /needs an AWS region.*AWS_REGION/.test(e.message));
    assert.throws(() => new APILoader({ provider: 'bedrock', region: 'us-east-1', credentials: { accessKeyId: 'AKID' } }),
      /need accessKeyId and secretAccessKey/);
    assert.throws(() => new APILoader({ provider: 'bedrock', region: 'us-east-1', apiKey: 'k', credentials: LOCAL_AWS_CREDENTIALS }),
      /not both/);
    assert.throws(() => new APILoader({ provider: 'openai', apiKey: 'k', region: 'us-east-1' }), /Bedrock's options/);
  });
});
