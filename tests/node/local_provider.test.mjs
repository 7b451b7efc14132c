// Tests of the local provider server (server/): raw wire checks per API, every scenario
// key, the request log, fixture replay, and the official OpenAI / Anthropic SDKs against it.
// Synchronisation is by events and the /_llmstream/requests/wait long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { KEYS as SCENARIO_KEYS } from '../../server/lib/scenario.mjs';
import { defaultFixturesDir, startServer } from '../../server/lib/server.mjs';
import { sign } from '../../server/lib/signatures.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = defaultFixturesDir();

let provider;
let base;

before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  base = provider.url;
});
after(() => provider.close());

// ---- helpers ----------------------------------------------------------------------------

const CHAT_BODY = {
  model: 'local-echo',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Tell me about streaming' },
  ],
  stream: true,
};
const MESSAGES_BODY = {
  model: 'claude-local',
  max_tokens: 200,
  messages: [{ role: 'user', content: 'Tell me about streaming' }],
  stream: true,
};
const RESPONSES_BODY = { model: 'gpt-local', input: 'Tell me about streaming', stream: true };

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
      detailed: { type: 'boolean' },
      where: {
        type: 'object',
        properties: { lat: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
      },
    },
    required: ['city'],
  },
};
const TIME_TOOL = {
  name: 'get_time',
  parameters: { type: 'object', properties: { zone: { type: 'string' } } },
};

function post(pathname, body, { scenario, headers = {}, signal } = {}) {
  return fetch(base + pathname, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(scenario ? { 'x-llmstream-scenario': scenario } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** Parses an SSE body as our server writes it (LF lines, one data line per event). */
function parseSse(text) {
  return text
    .split('\n\n')
    .filter((block) => block !== '' && !block.startsWith(':'))
    .map((block) => {
      const event = { event: null, data: null };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) event.data = line.slice(6);
      }
      event.json = event.data === '[DONE]' ? null : JSON.parse(event.data);
      return event;
    });
}

async function stream(pathname, body, options) {
  const res = await post(pathname, body, options);
  const text = await res.text();
  return { res, text, events: res.status === 200 ? parseSse(text) : [] };
}

async function json(pathname) {
  const res = await fetch(base + pathname);
  return { status: res.status, body: await res.json() };
}

/** Long-polls the request log until the record with `key` reaches `outcome` (or any end). */
async function waitFor(key, outcome) {
  const q = new URLSearchParams({ key, timeout_ms: '5000', ...(outcome ? { outcome } : {}) });
  const answer = await json(`/_llmstream/requests/wait?${q}`);
  assert.equal(answer.status, 200, `waiting for ${key} ${outcome}: ${JSON.stringify(answer.body)}`);
  return answer;
}

const chatText = (events) =>
  events
    .filter((e) => e.json?.choices?.length)
    .map((e) => e.json.choices[0].delta.content ?? '')
    .join('');

// ---- command line --------------------------------------------------------------------------

describe('command line', () => {
  test('prints the listening line, serves, logs to stderr and exits on SIGTERM', async () => {
    // Without LLMSTREAM_SHARED_DIR the fixtures are found beside the repo, relative to the
    // script rather than the working directory (hence cwd: tmpdir).
    const env = { ...process.env };
    if (existsSync(path.join(REPO, '..', 'shared', 'fixtures'))) delete env.LLMSTREAM_SHARED_DIR;
    const script = path.join(REPO, 'server', 'local-provider.mjs');
    const child = spawn(process.execPath, [script, '--port', '0', '--pace-ms', '0'], {
      cwd: os.tmpdir(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    const match = /^llmstream local provider listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(
      line,
    );
    assert.ok(match, line);
    const url = match[1];
    assert.deepEqual(await (await fetch(`${url}/health`)).json(), { ok: true });
    const names = await (await fetch(`${url}/_llmstream/fixtures`)).json();
    assert.equal(names.length, readdirSync(FIXTURES).filter((f) => f.endsWith('.sse')).length);
    const res = await fetch(`${url}/chat/completions?key=cli&tokens=3`, {
      method: 'POST',
      body: JSON.stringify(CHAT_BODY),
    });
    assert.equal(res.status, 200);
    await res.text();
    const closed = once(child, 'close'); // after the exit and the end of its output
    child.kill('SIGTERM');
    assert.deepEqual(await closed, [0, null]);
    assert.match(stderr, /POST \/v1\/chat\/completions 200 completed events=6 .* key=cli/);
  });

  test('refuses a non-loopback host unless allowed', async () => {
    await assert.rejects(startServer({ port: 0, host: '0.0.0.0' }), /non-loopback/);
  });
});

// ---- OpenAI Chat Completions ----------------------------------------------------------------

describe('chat completions', () => {
  test('event sequence, chunk shape, usage chunk and [DONE]', async () => {
    const body = { ...CHAT_BODY, stream_options: { include_usage: true } };
    const { res, events } = await stream('/v1/chat/completions', body, { scenario: 'tokens=6' });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('x-request-id'), /^req_/);
    assert.equal(res.headers.get('x-ratelimit-limit-requests'), '10000');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');

    assert.ok(events.every((e) => e.event === null));
    assert.equal(events.at(-1).data, '[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.json);
    assert.equal(chunks.length, 1 + 6 + 1 + 1);
    for (const c of chunks) {
      assert.match(c.id, /^chatcmpl-/);
      assert.equal(c.id, chunks[0].id);
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'local-echo');
      assert.equal(typeof c.created, 'number');
      assert.equal(c.system_fingerprint, 'fp_llmstream');
    }
    assert.deepEqual(chunks[0].choices, [
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    assert.deepEqual(chunks[7].choices, [
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
    assert.ok(chunks.slice(0, 8).every((c) => c.usage === null));
    assert.equal(chatText(events), 'You said: “Tell me');
    const usage = chunks[8];
    assert.deepEqual(usage.choices, []);
    const promptChars = 'Be brief.'.length + 'Tell me about streaming'.length;
    assert.deepEqual(usage.usage, {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: 6,
      total_tokens: Math.ceil(promptChars / 4) + 6,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  test('default 40 tokens with multi-byte text; no usage chunk without include_usage', async () => {
    const { events } = await stream('/v1/chat/completions', CHAT_BODY);
    const contents = events.filter((e) => e.json?.choices[0]?.delta.content);
    assert.equal(contents.length, 40);
    assert.ok(events.every((e) => e.json === null || !('usage' in e.json)));
    assert.match(chatText(events), /café, naïve, “quotes” and 🚀/);
  });

  test('n=2 interleaves the choices by index, one usage for all', async () => {
    const body = { ...CHAT_BODY, n: 2, stream_options: { include_usage: true } };
    const { events } = await stream('/v1/chat/completions', body, { scenario: 'tokens=3' });
    const choiceChunks = events.filter((e) => e.json?.choices.length).map((e) => e.json.choices);
    assert.ok(choiceChunks.every((choices) => choices.length === 1));
    assert.deepEqual(
      choiceChunks.map(([c]) => c.index),
      [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
    );
    for (const index of [0, 1]) {
      const mine = choiceChunks.map(([c]) => c).filter((c) => c.index === index);
      assert.equal(mine[0].delta.role, 'assistant');
      assert.equal(mine.at(-1).finish_reason, 'stop');
      assert.equal(mine.filter((c) => c.finish_reason !== null).length, 1);
    }
    const usage = events.at(-2).json.usage;
    assert.equal(usage.completion_tokens, 6);
  });

  test('max_tokens cuts with finish_reason length', async () => {
    const body = { ...CHAT_BODY, max_tokens: 5 };
    const { events } = await stream('/v1/chat/completions', body);
    const choices = events.filter((e) => e.json).map((e) => e.json.choices[0]);
    assert.equal(choices.filter((c) => c.delta.content).length, 5);
    assert.equal(choices.at(-1).finish_reason, 'length');
  });

  test('stop sequences, reasoning_content and text= scenario', async () => {
    const body = { ...CHAT_BODY, stop: ['STOP'], stream_options: { include_usage: true } };
    const { events } = await stream('/v1/chat/completions', body, {
      scenario: 'text=Hello wonderful world. STOP here; reasoning=3',
    });
    const deltas = events.filter((e) => e.json?.choices.length).map((e) => e.json.choices[0].delta);
    assert.deepEqual(
      deltas.filter((d) => d.reasoning_content).map((d) => d.reasoning_content),
      ['The', ' user', ' wrote'],
    );
    assert.equal(chatText(events), 'Hello wonderful world. ');
    assert.equal(events.at(-3).json.choices[0].finish_reason, 'stop');
    assert.equal(events.at(-2).json.usage.completion_tokens_details.reasoning_tokens, 3);
  });

  test('forced tool call: header fragment, argument fragments, finish tool_calls', async () => {
    const body = {
      ...CHAT_BODY,
      tools: [
        { type: 'function', function: TIME_TOOL },
        { type: 'function', function: WEATHER_TOOL },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    };
    const { events } = await stream('/v1/chat/completions', body);
    const choices = events.filter((e) => e.json).map((e) => e.json.choices[0]);
    assert.equal(choices[0].delta.role, 'assistant');
    assert.equal(choices[0].delta.content, null);
    const calls = choices.filter((c) => c.delta.tool_calls).map((c) => c.delta.tool_calls[0]);
    assert.deepEqual(Object.keys(calls[0]).sort(), ['function', 'id', 'index', 'type']);
    assert.match(calls[0].id, /^call_/);
    assert.deepEqual(calls[0].function, { name: 'get_weather', arguments: '' });
    assert.ok(calls.length > 5, `only ${calls.length} fragments`);
    for (const fragment of calls.slice(1))
      assert.deepEqual(Object.keys(fragment), ['index', 'function']);
    const args = JSON.parse(calls.map((c) => c.function.arguments).join(''));
    assert.equal(typeof args.city, 'string');
    assert.equal(args.unit, 'celsius');
    assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7);
    assert.equal(typeof args.detailed, 'boolean');
    assert.equal(typeof args.where.lat, 'number');
    assert.equal(args.where.tags.length, 2);
    assert.equal(choices.at(-1).finish_reason, 'tool_calls');
  });

  test('tool_call=2 streams two calls to the listed tools, one after the other', async () => {
    const tools = [WEATHER_TOOL, TIME_TOOL].map((f) => ({ type: 'function', function: f }));
    const { events } = await stream(
      '/v1/chat/completions',
      { ...CHAT_BODY, tools },
      {
        scenario: 'tool_call=2',
      },
    );
    const calls = events
      .filter((e) => e.json?.choices[0].delta.tool_calls)
      .map((e) => e.json.choices[0].delta.tool_calls[0]);
    const headers = calls.filter((c) => c.id);
    assert.deepEqual(
      headers.map((c) => [c.index, c.function.name]),
      [
        [0, 'get_weather'],
        [1, 'get_time'],
      ],
    );
    // Call 0 is complete before call 1 starts, as OpenAI streams parallel calls.
    const indices = calls.map((c) => c.index);
    assert.deepEqual(indices, [...indices].sort());
    const second = calls.filter((c) => c.index === 1).map((c) => c.function.arguments);
    assert.deepEqual(Object.keys(JSON.parse(second.join(''))), ['zone']);
  });

  test('non-streaming answer has the chat.completion shape', async () => {
    const res = await post(
      '/v1/chat/completions',
      { ...CHAT_BODY, stream: false },
      {
        scenario: 'tokens=5; comments=1', // comments never go into a JSON body
      },
    );
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = await res.json();
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0].message.content, 'You said: “Tell');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.usage.completion_tokens, 5);
  });
});

// ---- OpenAI Responses ---------------------------------------------------------------------------

describe('responses', () => {
  test('event order, named events, sequence numbers, usage', async () => {
    const { res, events } = await stream('/v1/responses', RESPONSES_BODY, { scenario: 'tokens=3' });
    assert.equal(res.status, 200);
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    events.forEach((e, i) => {
      assert.equal(e.json.type, e.event);
      assert.equal(e.json.sequence_number, i);
    });
    assert.equal(events[0].json.response.status, 'in_progress');
    assert.equal(events[7].json.text, 'You said:');
    const done = events.at(-1).json.response;
    assert.equal(done.status, 'completed');
    assert.equal(done.output[0].content[0].text, 'You said:');
    assert.deepEqual(done.usage, {
      input_tokens: Math.ceil('Tell me about streaming'.length / 4),
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: Math.ceil('Tell me about streaming'.length / 4) + 3,
    });
  });

  test('function call and max_output_tokens -> response.incomplete', async () => {
    const body = {
      ...RESPONSES_BODY,
      tools: [{ type: 'function', ...WEATHER_TOOL }],
      tool_choice: 'required',
    };
    const { events } = await stream('/v1/responses', body);
    const names = events.map((e) => e.event);
    assert.equal(names[2], 'response.output_item.added');
    assert.equal(events[2].json.item.type, 'function_call');
    assert.equal(events[2].json.item.arguments, '');
    const deltas = events.filter((e) => e.event === 'response.function_call_arguments.delta');
    assert.ok(deltas.length > 5);
    const done = events.find((e) => e.event === 'response.function_call_arguments.done').json;
    assert.equal(deltas.map((e) => e.json.delta).join(''), done.arguments);
    assert.equal(names.at(-2), 'response.output_item.done');
    assert.equal(names.at(-1), 'response.completed');

    const cut = await stream('/v1/responses', { ...RESPONSES_BODY, max_output_tokens: 2 });
    assert.equal(cut.events.at(-1).event, 'response.incomplete');
    assert.deepEqual(cut.events.at(-1).json.response.incomplete_details, {
      reason: 'max_output_tokens',
    });
  });
});

// ---- Anthropic Messages -------------------------------------------------------------------------

describe('anthropic messages', () => {
  test('event flow, message_start usage, ping, message_delta', async () => {
    const { res, events } = await stream('/v1/messages', MESSAGES_BODY, { scenario: 'tokens=2' });
    assert.match(res.headers.get('request-id'), /^req_/);
    assert.equal(res.headers.get('anthropic-ratelimit-requests-limit'), '4000');
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'message_start',
        'content_block_start',
        'ping',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    for (const e of events) assert.equal(e.json.type, e.event);
    const message = events[0].json.message;
    assert.match(message.id, /^msg_/);
    assert.deepEqual(
      { ...message, id: 'x' },
      {
        id: 'x',
        type: 'message',
        role: 'assistant',
        model: 'claude-local',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 6,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    );
    assert.deepEqual(events[1].json.content_block, { type: 'text', text: '' });
    assert.deepEqual(events[3].json.delta, { type: 'text_delta', text: 'You' });
    assert.deepEqual(events[6].json.delta, { stop_reason: 'end_turn', stop_sequence: null });
    assert.equal(events[6].json.usage.output_tokens, 2);
  });

  test('thinking block with signature, then text', async () => {
    const body = { ...MESSAGES_BODY, thinking: { type: 'enabled', budget_tokens: 100 } };
    const { events } = await stream('/v1/messages', body, { scenario: 'tokens=2; reasoning=4' });
    assert.deepEqual(events[1].json.content_block, {
      type: 'thinking',
      thinking: '',
      signature: '',
    });
    assert.equal(events[2].event, 'ping');
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => e.json);
    assert.deepEqual(
      deltas.map((d) => [d.index, d.delta.type]),
      [
        [0, 'thinking_delta'],
        [0, 'thinking_delta'],
        [0, 'thinking_delta'],
        [0, 'thinking_delta'],
        [0, 'signature_delta'],
        [1, 'text_delta'],
        [1, 'text_delta'],
      ],
    );
    assert.equal(events.filter((e) => e.event === 'ping').length, 1);
    assert.equal(events.at(-2).json.usage.output_tokens, 6);
  });

  test('tool_use with input_json_delta fragments, stop_reason tool_use', async () => {
    const body = {
      ...MESSAGES_BODY,
      tools: [{ name: WEATHER_TOOL.name, input_schema: WEATHER_TOOL.parameters }],
      tool_choice: { type: 'any' },
    };
    const { events } = await stream('/v1/messages', body);
    const start = events.find((e) => e.event === 'content_block_start').json;
    assert.equal(start.content_block.type, 'tool_use');
    assert.match(start.content_block.id, /^toolu_/);
    assert.deepEqual(start.content_block.input, {});
    const parts = events.filter((e) => e.event === 'content_block_delta').map((e) => e.json.delta);
    assert.ok(parts.every((d) => d.type === 'input_json_delta'));
    assert.equal(parts[0].partial_json, '');
    assert.ok(parts.length > 3);
    assert.equal(JSON.parse(parts.map((d) => d.partial_json).join('')).unit, 'celsius');
    assert.equal(events.at(-2).json.delta.stop_reason, 'tool_use');
  });

  test('stop_sequences, max_tokens and usage=0', async () => {
    const stop = await stream('/v1/messages', { ...MESSAGES_BODY, stop_sequences: ['about'] });
    assert.deepEqual(stop.events.at(-2).json.delta, {
      stop_reason: 'stop_sequence',
      stop_sequence: 'about',
    });
    // The budget runs out before the stop sequence is reached: max_tokens wins.
    const cut = await stream('/v1/messages', {
      ...MESSAGES_BODY,
      max_tokens: 3,
      stop_sequences: ['streaming'],
    });
    assert.deepEqual(cut.events.at(-2).json.delta, {
      stop_reason: 'max_tokens',
      stop_sequence: null,
    });
    assert.equal(cut.events.at(-2).json.usage.output_tokens, 3);
    const quiet = await stream('/v1/messages', MESSAGES_BODY, { scenario: 'usage=0' });
    assert.equal(quiet.events.at(-2).json.usage.output_tokens, 0);
    assert.equal(quiet.events[0].json.message.usage.input_tokens, 6);
  });

  test('malformed and incomplete requests get provider-shaped 400s', async () => {
    const bad = await post('/v1/messages', '{"model":');
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /JSON/);
    const noMax = await post('/v1/messages', { model: 'm', messages: [] });
    assert.equal(noMax.status, 400);
    assert.match((await noMax.json()).error.message, /max_tokens/);

    const chat = await post('/v1/chat/completions', 'not json');
    assert.equal(chat.status, 400);
    const chatError = (await chat.json()).error;
    assert.deepEqual(Object.keys(chatError), ['message', 'type', 'param', 'code']);
    assert.equal(chatError.type, 'invalid_request_error');
    const noMessages = await post('/v1/chat/completions', { model: 'm' });
    assert.equal((await noMessages.json()).error.param, 'messages');
  });
});

// ---- scenarios and faults ------------------------------------------------------------------

describe('scenario sources', () => {
  test('server/README.md documents every scenario key in its table', () => {
    const readme = readFileSync(path.join(REPO, 'server', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([a-z_]+)[=`]/gm)].map((m) => m[1]));
    assert.deepEqual(Object.keys(SCENARIO_KEYS).filter((k) => !documented.has(k)), []);
  });

  const count = async (options, query = '') => {
    const { events } = await stream(`/v1/chat/completions${query}`, CHAT_BODY, options);
    return events.filter((e) => e.json?.choices[0]?.delta.content).length;
  };

  test('query < header < body field, and the body field is stripped', async () => {
    assert.equal(await count({}, '?tokens=3'), 3);
    assert.equal(await count({ scenario: 'tokens=4' }, '?tokens=3'), 4);
    const withField = { ...CHAT_BODY, llmstream: { tokens: 5 } };
    const { events } = await stream('/v1/chat/completions?tokens=3', withField, {
      scenario: 'tokens=4',
    });
    assert.equal(events.filter((e) => e.json?.choices[0]?.delta.content).length, 5);
  });

  test('unknown keys, bad values, times without key: 400 naming the known keys', async () => {
    const cases = [
      ['/v1/chat/completions?bogus=1', {}],
      ['/v1/chat/completions', { scenario: 'pace_ms=0; bogus=1' }],
      ['/v1/chat/completions', { scenario: 'tokens=lots' }],
      ['/v1/chat/completions', { scenario: 'times=2' }],
    ];
    for (const [url, options] of cases) {
      const res = await post(url, CHAT_BODY, options);
      assert.equal(res.status, 400, url);
      assert.equal((await res.json()).error.type, 'invalid_request_error');
    }
    const res = await post('/v1/messages', { ...MESSAGES_BODY, llmstream: { bogus: 1 } });
    const body = await res.json();
    assert.equal(body.type, 'error');
    assert.match(
      body.error.message,
      /unknown scenario key 'bogus'.*known keys: pace_ms, .*error_after/,
    );
  });
});

describe('faults', () => {
  test('status with retry headers, per endpoint error shape', async () => {
    const res = await post('/v1/chat/completions', CHAT_BODY, {
      scenario: 'status=429; retry_after=2; retry_after_ms=1500; should_retry=false',
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal(res.headers.get('retry-after-ms'), '1500');
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(res.headers.get('access-control-expose-headers'), /retry-after/);
    const error = (await res.json()).error;
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.deepEqual(Object.keys(error), ['message', 'type', 'param', 'code']);

    const overloaded = await post('/v1/messages', MESSAGES_BODY, { scenario: 'status=529' });
    assert.equal(overloaded.status, 529);
    const body = await overloaded.json();
    assert.deepEqual(body.error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.equal(body.request_id, overloaded.headers.get('request-id'));

    const auth = await post('/v1/responses', RESPONSES_BODY, { scenario: 'status=401' });
    assert.equal((await auth.json()).error.code, 'invalid_api_key');
    const api = await post('/v1/messages', MESSAGES_BODY, { scenario: 'status=500' });
    assert.equal((await api.json()).error.type, 'api_error');
  });

  test('times + key: the first N requests fail, later ones succeed', async () => {
    const scenario = 'key=times-1; times=2; status=503';
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await post('/v1/chat/completions', CHAT_BODY, { scenario });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [503, 503, 200]);
    const { body } = await json('/_llmstream/requests?key=times-1');
    assert.deepEqual(
      body.map((r) => [r.status, r.outcome]),
      [
        [503, 'error_status'],
        [503, 'error_status'],
        [200, 'completed'],
      ],
    );
  });

  test('pace_ms spaces the events', async () => {
    const started = performance.now();
    const { events } = await stream('/v1/chat/completions', CHAT_BODY, {
      scenario: 'pace_ms=40; tokens=2',
    });
    assert.equal(events.length, 5); // role, 2 tokens, finish, [DONE]: four gaps
    assert.ok(performance.now() - started >= 4 * 40 - 5);
  });

  test('headers_delay_ms delays the status line', async () => {
    const started = performance.now();
    const res = await post('/v1/chat/completions', CHAT_BODY, {
      scenario: 'headers_delay_ms=200; tokens=1',
    });
    assert.ok(performance.now() - started >= 190);
    await res.text();
  });

  test('reset_after: headers arrive, then reading the body fails', async () => {
    const res = await post('/v1/chat/completions', CHAT_BODY, {
      scenario: 'key=reset-1; reset_after=2; pace_ms=20',
    });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    const { body } = await waitFor('reset-1');
    assert.equal(body.outcome, 'reset');
    assert.equal(body.events_sent, 2);
  });

  test('close_after: clean end without the terminal signal', async () => {
    const chat = await stream('/v1/chat/completions', CHAT_BODY, {
      scenario: 'close_after=3; key=close-1',
    });
    assert.equal(chat.events.length, 3);
    assert.ok(!chat.text.includes('[DONE]'));
    assert.equal((await waitFor('close-1')).body.outcome, 'closed_early');
    const messages = await stream('/v1/messages', MESSAGES_BODY, { scenario: 'close_after=4' });
    assert.equal(messages.events.length, 4);
    assert.ok(!messages.text.includes('message_stop'));
  });

  test('stall_after forever + client abort -> client_disconnected', async () => {
    const controller = new AbortController();
    const res = await post('/v1/chat/completions', CHAT_BODY, {
      scenario: 'stall_after=2; key=stall-1',
      signal: controller.signal,
    });
    const reading = res.text().catch((err) => err);
    const stalled = await waitFor('stall-1', 'stalled');
    assert.equal(stalled.body.events_sent, 2);
    controller.abort();
    assert.equal((await reading).name, 'AbortError');
    const { body } = await waitFor('stall-1', 'client_disconnected');
    assert.equal(body.events_sent, 2);
    assert.equal(typeof body.ended_ms, 'number');
  });

  test('stall_after + stall_ms pauses, then finishes normally', async () => {
    const started = performance.now();
    const { events } = await stream('/v1/chat/completions', CHAT_BODY, {
      scenario: 'stall_after=1; stall_ms=150; tokens=2; key=stall-2',
    });
    assert.ok(performance.now() - started >= 140);
    assert.equal(events.at(-1).data, '[DONE]');
    assert.equal((await waitFor('stall-2')).body.outcome, 'completed');
  });

  test('client abort while waiting in a pace timer is detected', async () => {
    const controller = new AbortController();
    const res = await post('/v1/messages', MESSAGES_BODY, {
      scenario: 'pace_ms=60000; key=pace-abort',
      signal: controller.signal,
    });
    const reader = res.body.getReader();
    await reader.read(); // the first event arrives at once; the next would take a minute
    controller.abort();
    const { body } = await waitFor('pace-abort', 'client_disconnected');
    assert.ok(body.events_sent >= 1);
  });

  test('client abort before the headers (headers_delay_ms) is detected', async () => {
    const controller = new AbortController();
    const pending = post('/v1/chat/completions', CHAT_BODY, {
      scenario: 'headers_delay_ms=60000; key=headers-abort',
      signal: controller.signal,
    }).catch((err) => err);
    await waitFor('headers-abort', 'in_progress');
    controller.abort();
    assert.equal((await pending).name, 'AbortError');
    const { body } = await waitFor('headers-abort', 'client_disconnected');
    assert.equal(body.status, null);
  });

  test('error_after sends the in-band error of each API', async () => {
    const chat = await stream('/v1/chat/completions', CHAT_BODY, {
      scenario: 'error_after=2; key=err-1',
    });
    assert.equal(chat.events.length, 3);
    assert.equal(chat.events[2].json.error.type, 'server_error');
    assert.ok(!chat.text.includes('[DONE]'));
    assert.equal((await waitFor('err-1')).body.outcome, 'error_in_band');

    const messages = await stream('/v1/messages', MESSAGES_BODY, { scenario: 'error_after=3' });
    assert.equal(messages.events.at(-1).event, 'error');
    assert.deepEqual(messages.events.at(-1).json, {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });

    const responses = await stream('/v1/responses', RESPONSES_BODY, { scenario: 'error_after=4' });
    assert.equal(responses.events.length, 5);
    assert.equal(responses.events[4].event, 'error');
    assert.equal(responses.events[4].json.sequence_number, 4);
  });

  test('slow_bytes writes one byte at a time', async () => {
    const scenario = 'tokens=1';
    const whole = await (await post('/v1/chat/completions', CHAT_BODY, { scenario })).arrayBuffer();
    const res = await post('/v1/chat/completions', CHAT_BODY, {
      scenario: `${scenario}; slow_bytes=1; byte_delay_ms=0`,
    });
    const chunks = [];
    for await (const chunk of res.body) chunks.push(chunk);
    const got = Buffer.concat(chunks);
    assert.ok(
      chunks.length > whole.byteLength / 4,
      `${chunks.length} reads for ${got.length} bytes`,
    );
    // Same bytes apart from `created`, which may tick between the two requests.
    const strip = (b) =>
      Buffer.from(b)
        .toString()
        .replace(/"created":\d+/g, '');
    assert.equal(strip(got), strip(whole));
  });

  test('comments interleave keep-alives', async () => {
    const { text, events } = await stream('/v1/chat/completions', CHAT_BODY, {
      scenario: 'comments=1; tokens=2',
    });
    assert.equal(text.split(': keep-alive\n\n').length - 1, events.length);
    assert.ok(text.startsWith(': keep-alive\n\ndata: '));
  });
});

// ---- fixtures, log, misc ----------------------------------------------------------------------

describe('fixtures and utility endpoints', () => {
  test('every fixture replays byte-identically', async () => {
    const { body: names } = await json('/_llmstream/fixtures');
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.sse'));
    assert.deepEqual(names, files.map((f) => f.slice(0, -4)).sort());
    await Promise.all(
      names.map(async (name) => {
        const endpoint = name.startsWith('anthropic') ? '/v1/messages' : '/v1/chat/completions';
        const res = await fetch(`${base}${endpoint}?fixture=${name}`, { method: 'POST' });
        assert.equal(res.status, 200);
        const got = Buffer.from(await res.arrayBuffer());
        assert.ok(got.equals(readFileSync(path.join(FIXTURES, `${name}.sse`))), name);
      }),
    );
  });

  test('unknown fixture is a 404 listing the names', async () => {
    const res = await post('/v1/chat/completions', CHAT_BODY, { scenario: 'fixture=nope' });
    assert.equal(res.status, 404);
    assert.match(
      (await res.json()).error.message,
      /unknown fixture 'nope'; available: .*openai-chat-text-usage/,
    );
  });

  test('CORS preflight allows any requested header', async () => {
    const res = await fetch(`${base}/v1/messages`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, x-api-key, x-llmstream-scenario',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(
      res.headers.get('access-control-allow-headers'),
      'authorization, x-api-key, x-llmstream-scenario',
    );
    assert.match(res.headers.get('access-control-allow-methods'), /POST/);
  });

  test('same request, same bytes', async () => {
    const one = await stream('/v1/messages', MESSAGES_BODY);
    const two = await stream('/v1/messages', MESSAGES_BODY);
    assert.equal(one.text, two.text);
    const chatOne = await stream('/v1/chat/completions', CHAT_BODY);
    const chatTwo = await stream('/v1/chat/completions', CHAT_BODY);
    assert.equal(chatText(chatOne.events), chatText(chatTwo.events));
  });

  test('models, health, paths without /v1, unknown path', async () => {
    const models = await json('/v1/models');
    assert.equal(models.body.object, 'list');
    assert.ok(models.body.data.some((m) => m.id === 'local-echo'));
    assert.deepEqual((await json('/health')).body, { ok: true });
    const { events } = await stream('/messages', MESSAGES_BODY, { scenario: 'tokens=1' });
    assert.equal(events.at(-1).event, 'message_stop');
    const missing = await json('/v1/nothing');
    assert.equal(missing.status, 404);
  });

  test('request log roles: the turns of each API\'s conversation shape', async () => {
    const turns = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ];
    await (await post('/v1/chat/completions', { ...CHAT_BODY, messages: turns }, { scenario: 'key=roles-chat; tokens=1' })).text();
    const [chat] = (await json('/_llmstream/requests?key=roles-chat')).body;
    assert.equal(chat.roles, 'user assistant tool');
    assert.equal(chat.blocks, 'text - text');
    const input = [
      { role: 'user', content: 'Weather?' },
      { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
    ];
    await (await post('/v1/responses', { model: 'local-echo', stream: true, input }, { scenario: 'key=roles-resp; tokens=1' })).text();
    assert.equal((await json('/_llmstream/requests?key=roles-resp')).body[0].roles, 'user function_call function_call_output');
    const bad = await post('/v1/chat/completions', { model: 'x' }, { scenario: 'key=roles-none' });
    assert.equal(bad.status, 400);
    assert.equal((await json('/_llmstream/requests?key=roles-none')).body[0].roles, null);
    assert.equal((await json('/_llmstream/requests?key=roles-none')).body[0].blocks, null);
  });

  test('request log blocks: each turn\'s content blocks, signed ones marked', async () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: [
        { type: 'thinking', thinking: 'Look it up.', signature: sign('thinking', 'Look it up.') },
        { type: 'tool_use', id: 'toolu_1', name: 'w', input: {} },
      ] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ];
    const res = await post('/v1/messages', { ...MESSAGES_BODY, messages }, { scenario: 'key=blocks-anthropic; tokens=1' });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal((await json('/_llmstream/requests?key=blocks-anthropic')).body[0].blocks, 'text thinking:signed,tool_use tool_result');
    // Unsigned thinking is not marked (the server refuses it: the record keeps what was sent).
    messages[1].content[0].signature = '';
    await (await post('/v1/messages', { ...MESSAGES_BODY, messages }, { scenario: 'key=blocks-unsigned; tokens=1' })).text();
    assert.equal((await json('/_llmstream/requests?key=blocks-unsigned')).body[0].blocks, 'text thinking,tool_use tool_result');
    await (await post('/v1/responses', RESPONSES_BODY, { scenario: 'key=blocks-resp; tokens=1' })).text();
    assert.equal((await json('/_llmstream/requests?key=blocks-resp')).body[0].blocks, 'text');
  });

  test('request log records, wait timeout, clear', async () => {
    await (
      await post(
        '/v1/chat/completions',
        { ...CHAT_BODY, model: 'logged' },
        { scenario: 'key=log-1; tokens=2' },
      )
    ).text();
    const [record] = (await json('/_llmstream/requests?key=log-1')).body;
    assert.deepEqual(Object.keys(record).sort(), [
      'blocks',
      'bytes_sent',
      'ended_ms',
      'events_sent',
      'key',
      'method',
      'model',
      'outcome',
      'path',
      'request_id',
      'roles',
      'seq',
      'started_ms',
      'status',
      'stream',
    ]);
    assert.equal(record.model, 'logged');
    assert.equal(record.stream, true);
    assert.equal(record.events_sent, 5);
    assert.ok(record.bytes_sent > 500);
    assert.equal(record.roles, 'system user');
    const timeout = await json('/_llmstream/requests/wait?key=never&timeout_ms=30');
    assert.equal(timeout.status, 408);
    const cleared = await fetch(`${base}/_llmstream/requests`, { method: 'DELETE' });
    assert.equal(cleared.status, 200);
    assert.deepEqual((await json('/_llmstream/requests?key=log-1')).body, []);
  });
});

// ---- the official SDKs, unchanged ------------------------------------------------------------

describe('official SDKs', () => {
  const openai = () => new OpenAI({ apiKey: 'sk-local', baseURL: `${base}/v1`, maxRetries: 0 });
  const anthropic = () => new Anthropic({ apiKey: 'sk-ant-local', baseURL: base, maxRetries: 0 });

  test('openai chat stream with include_usage', async () => {
    const stream = await openai().chat.completions.create({
      model: 'local-echo',
      messages: [{ role: 'user', content: 'Hello SDK' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^You said: “Hello SDK”\. This reply/);
    assert.equal(usage.completion_tokens, 40);
    assert.equal(usage.prompt_tokens, 3);
  });

  test('openai tool-call streaming helper assembles the arguments', async () => {
    const runner = openai().chat.completions.stream({
      model: 'local-echo',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: WEATHER_TOOL }],
      tool_choice: 'required',
    });
    const completion = await runner.finalChatCompletion();
    const call = completion.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.equal(JSON.parse(call.function.arguments).unit, 'celsius');
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  });

  test('openai responses stream', async () => {
    const events = await openai().responses.create({
      model: 'gpt-local',
      input: 'Hi there',
      stream: true,
    });
    let text = '';
    for await (const event of events)
      if (event.type === 'response.output_text.delta') text += event.delta;
    assert.match(text, /^You said: “Hi there”\./);
    const final = await openai()
      .responses.stream({ model: 'gpt-local', input: 'Hi there', reasoning: { summary: 'auto' } })
      .finalResponse();
    assert.equal(final.output_text, text);
    assert.equal(final.output[0].type, 'reasoning');
  });

  test('openai mid-stream error surfaces as APIError', async () => {
    const stream = await openai().chat.completions.create(
      { model: 'local-echo', messages: [{ role: 'user', content: 'x' }], stream: true },
      { headers: { 'x-llmstream-scenario': 'error_after=3' } },
    );
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) assert.ok(chunk);
      })(),
      (err) => err instanceof OpenAI.APIError && /server had an error/.test(err.message),
    );
  });

  test('anthropic messages.stream: text, usage, thinking, tool input', async () => {
    const message = await anthropic()
      .messages.stream({
        model: 'claude-local',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hello Claude' }],
      })
      .finalMessage();
    assert.match(message.content[0].text, /^You said: “Hello Claude”\./);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 40);
    assert.equal(message.usage.input_tokens, 3);

    const thought = await anthropic()
      .messages.stream({
        model: 'claude-local',
        max_tokens: 100,
        thinking: { type: 'enabled', budget_tokens: 50 },
        messages: [{ role: 'user', content: 'Think' }],
      })
      .finalMessage();
    assert.equal(thought.content[0].type, 'thinking');
    assert.match(thought.content[0].thinking, /^The user wrote “Think”\./);
    assert.ok(thought.content[0].signature.length > 20);
    assert.equal(thought.content[1].type, 'text');

    const tool = await anthropic()
      .messages.stream({
        model: 'claude-local',
        max_tokens: 100,
        tools: [{ name: 'get_weather', input_schema: WEATHER_TOOL.parameters }],
        tool_choice: { type: 'tool', name: 'get_weather' },
        messages: [{ role: 'user', content: 'Weather?' }],
      })
      .finalMessage();
    assert.equal(tool.stop_reason, 'tool_use');
    assert.equal(tool.content[0].input.unit, 'celsius');
  });

  test('SDK errors: 429 after retries, 529 overloaded, fail twice then succeed', async () => {
    const client = new OpenAI({ apiKey: 'sk-local', baseURL: `${base}/v1`, maxRetries: 1 });
    await assert.rejects(
      client.chat.completions.create(
        { model: 'local-echo', messages: [{ role: 'user', content: 'x' }], stream: true },
        { headers: { 'x-llmstream-scenario': 'key=sdk-429; status=429; retry_after=0.01' } },
      ),
      OpenAI.RateLimitError,
    );
    assert.equal((await json('/_llmstream/requests?key=sdk-429')).body.length, 2);

    await assert.rejects(
      anthropic().messages.create(
        {
          model: 'claude-local',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        },
        { headers: { 'x-llmstream-scenario': 'status=529' } },
      ),
      (err) =>
        err instanceof Anthropic.InternalServerError &&
        err.status === 529 &&
        err.error.error.type === 'overloaded_error',
    );

    const retrying = new Anthropic({ apiKey: 'k', baseURL: base, maxRetries: 2 });
    const message = await retrying.messages.create(
      { model: 'claude-local', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      {
        headers: { 'x-llmstream-scenario': 'key=sdk-flaky; times=2; status=500; retry_after_ms=5' },
      },
    );
    assert.equal(message.stop_reason, 'max_tokens');
    const records = (await json('/_llmstream/requests?key=sdk-flaky')).body;
    assert.deepEqual(
      records.map((r) => r.status),
      [500, 500, 200],
    );
  });
});

// ---- continuation and latency stamps -----------------------------------------------------

describe('continuation', () => {
  const anthropicText = (events) =>
    events
      .filter((e) => e.json?.type === 'content_block_delta' && e.json.delta.type === 'text_delta')
      .map((e) => e.json.delta.text)
      .join('');

  test('an assistant turn + "continue" (chat) or a prefill (messages) resumes the answer', async () => {
    const prompt = 'Tell me about streaming';
    const whole = chatText((await stream('/v1/chat/completions', CHAT_BODY)).events);
    const partial = whole.slice(0, 57);
    const chat = await stream('/v1/chat/completions', {
      ...CHAT_BODY,
      messages: [
        ...CHAT_BODY.messages,
        { role: 'assistant', content: partial },
        { role: 'user', content: 'Continue exactly where you stopped.' },
      ],
    });
    assert.equal(partial + chatText(chat.events), whole);

    const messages = await stream('/v1/messages', {
      ...MESSAGES_BODY,
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: partial },
      ],
    });
    assert.equal(partial + anthropicText(messages.events), whole);
  });

  test('an ordinary multi-turn conversation is answered, not continued', async () => {
    const chat = await stream('/v1/chat/completions', {
      ...CHAT_BODY,
      messages: [
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: 'You said' },
        { role: 'user', content: 'Second question' },
      ],
    });
    assert.match(chatText(chat.events), /^You said: “Second question”/);
  });
});

describe('stamp', () => {
  test('text tokens carry the monotonic write time in nanoseconds', async () => {
    const before = process.hrtime.bigint();
    const { events } = await stream('/v1/chat/completions?stamp=1&tokens=3', CHAT_BODY);
    const after = process.hrtime.bigint();
    const stamps = chatText(events)
      .split(' t')
      .filter(Boolean)
      .map((s) => BigInt(s));
    assert.equal(stamps.length, 3);
    for (const stamp of stamps) assert.ok(stamp >= before && stamp <= after, `${stamp}`);
  });
});
