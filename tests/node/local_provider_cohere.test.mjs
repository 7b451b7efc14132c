// The local provider's Cohere v2 chat API (POST /v2/chat: SSE with named events, and the
// non-streaming answer): the official cohere-ai SDK (CohereClientV2) streams from it unchanged
// (only its environment URL points at the server), the recorded Cohere fixtures replay byte for
// byte, and faults reach the SDK as errors.
// Synchronisation is by events and the /_llmstream/requests/wait long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { CohereClientV2 } from 'cohere-ai';

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
const MESSAGES = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: PROMPT },
];
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
};
const TIME = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
};

// No retries: a fault must reach the test, not be retried away.
const cohere = () => new CohereClientV2({ token: 'local-key', environment: base, maxRetries: 0 });
const options = (scenario) => (scenario ? { headers: { 'x-llmstream-scenario': scenario } } : {});

async function streamEvents(request, scenario) {
  const stream = await cohere().chatStream(
    { model: 'command-a-03-2025', messages: MESSAGES, ...request },
    options(scenario),
  );
  const events = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function waitFor(key, outcome) {
  const q = new URLSearchParams({ key, timeout_ms: '5000', ...(outcome ? { outcome } : {}) });
  const res = await fetch(`${base}/_llmstream/requests/wait?${q}`);
  const body = await res.json();
  assert.equal(res.status, 200, `waiting for ${key} ${outcome}: ${JSON.stringify(body)}`);
  return body;
}

const textOf = (events) =>
  events
    .filter((e) => e.type === 'content-delta')
    .map((e) => e.delta.message.content.text ?? '')
    .join('');

describe('cohere v2 chatStream with the official SDK', () => {
  test('message-start, a text content block, message-end with usage and COMPLETE', async () => {
    const events = await streamEvents({}, 'key=cohere-text');
    assert.deepEqual(
      [...new Set(events.map((e) => e.type))],
      ['message-start', 'content-start', 'content-delta', 'content-end', 'message-end'],
    );
    assert.match(events[0].id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(events[0].delta.message.role, 'assistant');
    assert.equal(events[1].delta.message.content.type, 'text');
    assert.equal(textOf(events), replyTokens(PROMPT, 40).join(''));
    const end = events.at(-1);
    assert.equal(end.delta.finishReason, 'COMPLETE');
    const input = estimateTokens(SYSTEM.length + PROMPT.length);
    assert.deepEqual(end.delta.usage, {
      billedUnits: { inputTokens: input, outputTokens: 40 },
      tokens: { inputTokens: input, outputTokens: 40 },
    });
    const record = await waitFor('cohere-text');
    assert.equal(record.path, '/v2/chat');
    assert.equal(record.model, 'command-a-03-2025');
    assert.equal(record.stream, true);
  });

  test('tool plan deltas, then tool-call start / argument deltas / end, TOOL_CALL', async () => {
    const events = await streamEvents({ tools: [WEATHER, TIME] }, 'tool_call=2');
    const plan = events.filter((e) => e.type === 'tool-plan-delta');
    assert.equal(
      plan.map((e) => e.delta.message.toolPlan).join(''),
      'I will use the get_weather and get_time tool to answer the question.',
    );
    assert.equal(events.filter((e) => e.type === 'content-start').length, 0);
    const starts = events.filter((e) => e.type === 'tool-call-start');
    assert.deepEqual(
      starts.map((e) => [e.index, e.delta.message.toolCalls.function.name]),
      [
        [0, 'get_weather'],
        [1, 'get_time'],
      ],
    );
    assert.match(starts[0].delta.message.toolCalls.id, /^get_weather_[a-z0-9]{12}$/);
    assert.equal(starts[0].delta.message.toolCalls.function.arguments, '');
    const args = (i) =>
      events
        .filter((e) => e.type === 'tool-call-delta' && e.index === i)
        .map((e) => e.delta.message.toolCalls.function.arguments)
        .join('');
    const weather = JSON.parse(args(0));
    assert.equal(typeof weather.city, 'string');
    assert.ok(['celsius', 'fahrenheit'].includes(weather.unit));
    assert.equal(typeof JSON.parse(args(1)).zone, 'string');
    assert.equal(events.filter((e) => e.type === 'tool-call-end').length, 2);
    assert.equal(events.at(-1).delta.finishReason, 'TOOL_CALL');
  });

  test('tool_choice REQUIRED forces a call; thinking streams a thinking block first', async () => {
    const forced = await streamEvents({ tools: [WEATHER], toolChoice: 'REQUIRED' });
    assert.equal(forced.filter((e) => e.type === 'tool-call-start').length, 1);

    const thinking = await streamEvents({ thinking: { type: 'enabled' } }, 'tokens=3');
    const starts = thinking.filter((e) => e.type === 'content-start');
    assert.deepEqual(
      starts.map((e) => [e.index, e.delta.message.content.type]),
      [
        [0, 'thinking'],
        [1, 'text'],
      ],
    );
    const thought = thinking
      .filter((e) => e.type === 'content-delta' && e.index === 0)
      .map((e) => e.delta.message.content.thinking)
      .join('');
    assert.equal(thought, reasoningTokens(PROMPT, 12).join(''));
    assert.equal(textOf(thinking.filter((e) => e.index !== 0)), replyTokens(PROMPT, 3).join(''));
    assert.equal(thinking.at(-1).delta.usage.tokens.outputTokens, 15);
  });

  test('max_tokens -> MAX_TOKENS; stop_sequences -> STOP_SEQUENCE', async () => {
    const cut = await streamEvents({ maxTokens: 4 });
    assert.equal(cut.at(-1).delta.finishReason, 'MAX_TOKENS');
    assert.equal(textOf(cut), replyTokens(PROMPT, 4).join(''));
    const stopped = await streamEvents({ stopSequences: ['streaming'] });
    assert.equal(stopped.at(-1).delta.finishReason, 'STOP_SEQUENCE');
    assert.equal(textOf(stopped), 'You said: “Tell me about ');
  });

  test('chat (not streaming) answers the chat response object', async () => {
    const answer = await cohere().chat(
      { model: 'command-a-03-2025', messages: MESSAGES, tools: [WEATHER] },
      options('tool_call=1'),
    );
    assert.equal(answer.finishReason, 'TOOL_CALL');
    assert.equal(answer.message.toolCalls[0].function.name, 'get_weather');
    assert.equal(typeof JSON.parse(answer.message.toolCalls[0].function.arguments).city, 'string');
    assert.match(answer.message.toolPlan, /get_weather/);
    const text = await cohere().chat({ model: 'c', messages: MESSAGES }, options('tokens=5'));
    assert.equal(text.message.content[0].text, replyTokens(PROMPT, 5).join(''));
    assert.equal(text.usage.tokens.outputTokens, 5);
  });
});

describe('cohere wire and fixtures', () => {
  test('named events whose name is the JSON type, then a bare data: [DONE]', async () => {
    const res = await fetch(`${base}/v2/chat?tokens=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'c', messages: MESSAGES, stream: true }),
    });
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const blocks = (await res.text()).split('\n\n');
    assert.equal(blocks.pop(), '');
    assert.equal(blocks.at(-1), 'data: [DONE]');
    for (const block of blocks.slice(0, -1)) {
      const [eventLine, dataLine] = block.split('\n');
      assert.equal(eventLine.slice(7), JSON.parse(dataLine.slice(6)).type);
    }
  });

  for (const name of ['cohere-text-usage-cached-image-tokens', 'cohere-tool-plan-tool-call']) {
    test(`${name} replays byte for byte`, async () => {
      const res = await fetch(`${base}/v2/chat?fixture=more-providers/${name}`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const expected = readFileSync(path.join(MORE, `${name}.sse`));
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected));
    });
  }

  test('the SDK reads a replayed recording', async () => {
    const events = await streamEvents({}, 'fixture=cohere-tool-plan-tool-call');
    assert.equal(events.at(-1).delta.finishReason, 'TOOL_CALL');
    assert.equal(events.find((e) => e.type === 'tool-call-start').delta.message.toolCalls.function.name, 'Person');
  });

  test('bad requests: 400 in Cohere\'s {id, message} shape', async () => {
    const res = await fetch(`${base}/v2/chat`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.message, 'invalid request: model must be specified.');
    assert.equal(typeof body.id, 'string');
  });
});

describe('cohere faults', () => {
  test('error_after: message-end with finish_reason ERROR and the error text', async () => {
    const events = await streamEvents({}, 'error_after=3; key=cohere-err');
    assert.equal(events.length, 4);
    const end = events.at(-1);
    assert.equal(end.type, 'message-end');
    assert.equal(end.delta.finishReason, 'ERROR');
    assert.match(end.delta.error, /internal server error/);
    assert.equal((await waitFor('cohere-err')).outcome, 'error_in_band');
  });

  test('reset_after: the cut connection is an error in the SDK', async () => {
    await assert.rejects(streamEvents({}, 'reset_after=2; key=cohere-reset'));
    assert.equal((await waitFor('cohere-reset')).outcome, 'reset');
  });

  test('status: the SDK throws its typed errors with the body', async () => {
    await assert.rejects(streamEvents({}, 'status=429'), (err) => {
      assert.equal(err.constructor.name, 'TooManyRequestsError');
      assert.equal(err.statusCode, 429);
      assert.match(err.body.message, /API calls \/ minute/);
      return true;
    });
    await assert.rejects(streamEvents({}, 'status=500'), (err) => err.statusCode === 500);
  });

  test('stall_after + client abort is seen by the server', async () => {
    const controller = new AbortController();
    const stream = await cohere().chatStream(
      { model: 'c', messages: MESSAGES },
      { ...options('stall_after=2; key=cohere-stall'), abortSignal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await waitFor('cohere-stall', 'stalled');
    controller.abort();
    await assert.rejects(iterator.next());
    assert.equal((await waitFor('cohere-stall', 'client_disconnected')).events_sent, 2);
  });
});
