// The local provider's Gemini API (models/{model}:streamGenerateContent, with alt=sse: CRLF SSE;
// without: a streamed JSON array; and :generateContent): the official Google GenAI SDK streams
// from it unchanged (only its base URL points at the server), the recorded Gemini fixtures
// replay byte for byte, and faults reach the SDK as errors.
// Synchronisation is by events and the /_llmstream/requests/wait long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { GoogleGenAI } from '@google/genai';

import { defaultFixturesDir, startServer } from '../../server/lib/server.mjs';
import { estimateTokens, reasoningTokens, replyTokens } from '../../server/lib/textgen.mjs';

const MORE = path.join(defaultFixturesDir(), 'more-providers');

let provider;
let base;

before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  base = provider.url;
});
after(() => provider.close());

const PROMPT = 'Tell me about streaming';
const SYSTEM = 'Be brief.';
const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  // Gemini's OpenAPI-style schema: upper-case type names.
  parameters: {
    type: 'OBJECT',
    properties: {
      city: { type: 'STRING' },
      unit: { type: 'STRING', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'INTEGER', minimum: 1, maximum: 7 },
    },
    required: ['city'],
  },
};
const TIME = { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { zone: { type: 'string' } } } };
const BODY = { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] };

/** The official SDK, pointed at the server; `scenario` goes in x-llmstream-scenario. */
function sdk(scenario) {
  return new GoogleGenAI({
    apiKey: 'local-key',
    httpOptions: {
      baseUrl: base,
      headers: scenario ? { 'x-llmstream-scenario': scenario } : {},
    },
  });
}

async function streamChunks(scenario, params) {
  const stream = await sdk(scenario).models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: PROMPT,
    ...params,
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function waitFor(key, outcome) {
  const q = new URLSearchParams({ key, timeout_ms: '5000', ...(outcome ? { outcome } : {}) });
  const res = await fetch(`${base}/_llmstream/requests/wait?${q}`);
  const body = await res.json();
  assert.equal(res.status, 200, `waiting for ${key} ${outcome}: ${JSON.stringify(body)}`);
  return body;
}

function post(pathname, body, scenario) {
  return fetch(base + pathname, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-goog-api-key': 'local-key',
      ...(scenario ? { 'x-llmstream-scenario': scenario } : {}),
    },
    body: JSON.stringify(body),
  });
}

const STREAM_PATH = '/v1beta/models/gemini-2.5-flash:streamGenerateContent';

describe('gemini streamGenerateContent with the official SDK', () => {
  test('text, usage snapshots and finishReason STOP on the last chunk', async () => {
    const chunks = await streamChunks('key=gemini-text', { config: { systemInstruction: SYSTEM } });
    assert.equal(chunks.map((c) => c.text ?? '').join(''), replyTokens(PROMPT, 40).join(''));
    assert.equal(chunks.length, 40);
    const last = chunks.at(-1);
    assert.equal(last.candidates[0].finishReason, 'STOP');
    assert.ok(chunks.slice(0, -1).every((c) => c.candidates[0].finishReason === undefined));
    const promptTokens = estimateTokens(PROMPT.length + SYSTEM.length);
    assert.equal(last.usageMetadata.promptTokenCount, promptTokens);
    assert.equal(last.usageMetadata.candidatesTokenCount, 40);
    assert.equal(last.usageMetadata.totalTokenCount, promptTokens + 40);
    assert.equal(chunks[4].usageMetadata.candidatesTokenCount, 5); // a snapshot per chunk
    assert.equal(last.modelVersion, 'gemini-2.5-flash');
    assert.equal(typeof last.responseId, 'string');
    assert.equal(last.candidates[0].content.role, 'model');
    const record = await waitFor('gemini-text');
    assert.equal(record.path, STREAM_PATH);
    assert.equal(record.model, 'gemini-2.5-flash');
    assert.equal(record.stream, true);
  });

  test('thought parts, then the thought signature on the first answer part', async () => {
    const chunks = await streamChunks('tokens=3', {
      config: { thinkingConfig: { includeThoughts: true } },
    });
    const parts = chunks.flatMap((c) => c.candidates[0].content.parts);
    const thoughts = parts.filter((p) => p.thought);
    assert.equal(thoughts.length, 12);
    assert.equal(thoughts.map((p) => p.text).join(''), reasoningTokens(PROMPT, 12).join(''));
    const answer = parts.filter((p) => !p.thought);
    assert.equal(typeof answer[0].thoughtSignature, 'string');
    assert.ok(Buffer.from(answer[0].thoughtSignature, 'base64').length > 32);
    assert.equal(answer[1].thoughtSignature, undefined);
    assert.equal(chunks.map((c) => c.text ?? '').join(''), replyTokens(PROMPT, 3).join(''));
    assert.equal(chunks.at(-1).usageMetadata.thoughtsTokenCount, 12);
    assert.equal(chunks.at(-1).usageMetadata.candidatesTokenCount, 3);
  });

  test('forced function calls: parallel calls in one chunk, args from the schema', async () => {
    const chunks = await streamChunks('tool_call=2', {
      config: {
        tools: [{ functionDeclarations: [WEATHER, TIME] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      },
    });
    assert.equal(chunks.length, 1);
    const calls = chunks[0].functionCalls;
    assert.deepEqual(
      calls.map((c) => c.name),
      ['get_weather', 'get_time'],
    );
    assert.equal(typeof calls[0].args.city, 'string');
    assert.ok(['celsius', 'fahrenheit'].includes(calls[0].args.unit));
    assert.ok(Number.isInteger(calls[0].args.days) && calls[0].args.days >= 1);
    assert.equal(typeof calls[1].args.zone, 'string');
    const candidate = chunks[0].candidates[0];
    assert.equal(candidate.finishReason, 'STOP');
    // finishMessage is on the wire (the SDK's converter leaves it out).
    const raw = await post(`${STREAM_PATH}?alt=sse`, {
      ...BODY,
      tools: [{ functionDeclarations: [WEATHER] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
    const last = JSON.parse((await raw.text()).split('\r\n\r\n').at(-2).slice(6));
    assert.equal(last.candidates[0].finishMessage, 'Model generated function call(s).');

    // mode ANY with one allowed name forces that function.
    const forced = await streamChunks('', {
      config: {
        tools: [{ functionDeclarations: [WEATHER, TIME] }],
        toolConfig: {
          functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] },
        },
      },
    });
    assert.deepEqual(
      forced[0].functionCalls.map((c) => c.name),
      ['get_time'],
    );
  });

  test('maxOutputTokens -> MAX_TOKENS; stop sequences; two candidates', async () => {
    const cut = await streamChunks('', { config: { maxOutputTokens: 4 } });
    assert.equal(cut.at(-1).candidates[0].finishReason, 'MAX_TOKENS');
    assert.equal(cut.map((c) => c.text).join(''), replyTokens(PROMPT, 4).join(''));

    const stopped = await streamChunks('', { config: { stopSequences: ['streaming'] } });
    assert.equal(stopped.at(-1).candidates[0].finishReason, 'STOP');
    assert.equal(stopped.map((c) => c.text).join(''), 'You said: “Tell me about ');

    const two = await streamChunks('tokens=3', { config: { candidateCount: 2 } });
    assert.equal(two.length, 3);
    for (const chunk of two) {
      assert.deepEqual(
        chunk.candidates.map((c) => c.index),
        [0, 1],
      );
    }
    assert.ok(two.at(-1).candidates.every((c) => c.finishReason === 'STOP'));
    const second = two.map((c) => c.candidates[1].content.parts[0].text).join('');
    assert.equal(second, replyTokens(PROMPT, 3, 1).join(''));
  });

  test('generateContent (not streaming) gives one GenerateContentResponse', async () => {
    const answer = await sdk('tokens=5; reasoning=2').models.generateContent({
      model: 'gemini-2.5-pro',
      contents: PROMPT,
      config: { thinkingConfig: { includeThoughts: true } },
    });
    assert.equal(answer.text, replyTokens(PROMPT, 5).join(''));
    const parts = answer.candidates[0].content.parts;
    assert.equal(parts[0].thought, true);
    assert.equal(parts[0].text, reasoningTokens(PROMPT, 2).join(''));
    assert.equal(typeof parts[1].thoughtSignature, 'string');
    assert.equal(answer.candidates[0].finishReason, 'STOP');
    assert.equal(answer.usageMetadata.candidatesTokenCount, 5);
    assert.equal(answer.usageMetadata.thoughtsTokenCount, 2);
  });
});

describe('gemini framing on the wire', () => {
  test('alt=sse: data-only events with CRLF line ends and ": " spacing, no [DONE]', async () => {
    const res = await post(`${STREAM_PATH}?alt=sse`, BODY, 'tokens=3');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const text = await res.text();
    const events = text.split('\r\n\r\n');
    assert.equal(events.pop(), ''); // ends with a blank line
    assert.equal(events.length, 3);
    assert.equal(text.replaceAll('\r\n', '').includes('\n'), false); // no bare LF
    for (const event of events) assert.match(event, /^data: \{"candidates": \[\{"content": \{"parts": /);
    assert.equal(JSON.parse(events[2].slice(6)).candidates[0].finishReason, 'STOP');
  });

  test('without alt=sse: one streamed JSON array, elements separated by "\\n,\\r\\n"', async () => {
    const res = await post(STREAM_PATH, BODY, 'tokens=3');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8');
    const text = await res.text();
    assert.ok(text.startsWith('[{\n  "candidates": ['));
    assert.ok(text.endsWith('}\n]'));
    assert.equal(text.split('\n,\r\n').length, 3);
    const array = JSON.parse(text);
    assert.equal(array.length, 3);
    assert.equal(array.map((c) => c.candidates[0].content.parts[0].text).join(''), replyTokens(PROMPT, 3).join(''));
    assert.equal(array[2].candidates[0].finishReason, 'STOP');
    // The same chunks as with alt=sse.
    const sse = await (await post(`${STREAM_PATH}?alt=sse`, BODY, 'tokens=3')).text();
    const fromSse = sse.split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.slice(6)));
    assert.deepEqual(array, fromSse);
  });

  test('other API versions and tuned models route too; bad requests are google.rpc.Status', async () => {
    const res = await post('/v1/tunedModels/my-model:generateContent', BODY, 'tokens=2');
    assert.equal(res.status, 200);
    assert.equal((await res.json()).modelVersion, 'my-model');
    const bad = await post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: {
        code: 400,
        message: '* GenerateContentRequest.contents: contents is not specified',
        status: 'INVALID_ARGUMENT',
      },
    });
  });
});

describe('gemini fixtures', () => {
  const FILES = [
    'gemini-text-non-ascii.sse',
    'gemini-thought-parts.sse',
    'gemini-function-call-thought-signature.sse',
    'gemini-parallel-function-calls.sse',
    'gemini-json-array-thought-function-call.json',
  ];
  for (const file of FILES) {
    test(`${file} replays byte for byte with its content type`, async () => {
      const name = file.replace(/\.\w+$/, '');
      const expected = readFileSync(path.join(MORE, file));
      const res = await fetch(`${base}${STREAM_PATH}?alt=sse&fixture=more-providers/${name}`, {
        method: 'POST',
      });
      assert.equal(res.status, 200);
      const type = file.endsWith('.json') ? 'application/json; charset=UTF-8' : 'text/event-stream; charset=utf-8';
      assert.equal(res.headers.get('content-type'), type);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected), file);
    });
  }

  test('the SDK reads a replayed CRLF recording (usage shrinks: the last one wins)', async () => {
    const chunks = await streamChunks('fixture=gemini-text-non-ascii');
    assert.equal(chunks.map((c) => c.text).join(''), 'The temperature in Paris is 30°C.\n');
    assert.equal(chunks[0].usageMetadata.promptTokenCount, 169);
    assert.equal(chunks.at(-1).usageMetadata.promptTokenCount, 79);
    assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');
    const parallel = await streamChunks('fixture=gemini-parallel-function-calls');
    assert.equal(parallel[0].functionCalls.length, 2);
  });
});

describe('gemini faults', () => {
  test('error_after: an {"error": ...} chunk mid-stream; the SDK throws ApiError', async () => {
    const seen = [];
    await assert.rejects(
      async () => {
        const stream = await sdk('error_after=2; key=gemini-err').models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: PROMPT,
        });
        for await (const chunk of stream) seen.push(chunk);
      },
      (err) => {
        assert.equal(err.name, 'ApiError');
        assert.equal(err.status, 503);
        assert.match(err.message, /UNAVAILABLE/);
        return true;
      },
    );
    assert.equal(seen.length, 2);
    assert.equal((await waitFor('gemini-err')).outcome, 'error_in_band');

    // Without alt=sse the error is the array's last element.
    const res = await post(STREAM_PATH, BODY, 'error_after=1; tokens=3');
    const array = JSON.parse(await res.text());
    assert.equal(array.length, 2);
    assert.equal(array[1].error.status, 'UNAVAILABLE');
  });

  test('reset_after: the cut connection is an error in the SDK', async () => {
    await assert.rejects(streamChunks('reset_after=2; key=gemini-reset'));
    assert.equal((await waitFor('gemini-reset')).outcome, 'reset');
  });

  test('status: HTTP errors in the google.rpc.Status shape, seen by the SDK', async () => {
    await assert.rejects(streamChunks('status=429; retry_after=3'), (err) => {
      assert.equal(err.name, 'ApiError');
      assert.equal(err.status, 429);
      assert.match(err.message, /RESOURCE_EXHAUSTED/);
      return true;
    });
    const res = await post(STREAM_PATH, BODY, 'status=503');
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.status, 'UNAVAILABLE');
  });

  test('stall_after + client abort is seen by the server', async () => {
    const controller = new AbortController();
    const stream = await sdk('stall_after=1; key=gemini-stall').models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: { abortSignal: controller.signal },
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await waitFor('gemini-stall', 'stalled');
    controller.abort();
    await assert.rejects(iterator.next());
    assert.equal((await waitFor('gemini-stall', 'client_disconnected')).events_sent, 1);
  });
});
