// The local provider's Ollama API (/api/chat, /api/generate over NDJSON): the official Ollama JS
// client streams from it unchanged (only its host points at the server), the recorded Ollama
// fixtures replay byte for byte, and faults reach the client as errors.
// Synchronisation is by events and the /_llmstream/requests/wait long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Ollama } from 'ollama';

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

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city'],
    },
  },
};
const PROMPT = 'Tell me about streaming';

/** The official client, pointed at the server; `scenario` goes in x-llmstream-scenario. */
function client(scenario) {
  return new Ollama({
    host: base,
    headers: scenario ? { 'x-llmstream-scenario': scenario } : undefined,
  });
}

async function collect(iterable) {
  const parts = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

async function waitFor(key, outcome) {
  const q = new URLSearchParams({ key, timeout_ms: '5000', ...(outcome ? { outcome } : {}) });
  const res = await fetch(`${base}/_llmstream/requests/wait?${q}`);
  const body = await res.json();
  assert.equal(res.status, 200, `waiting for ${key} ${outcome}: ${JSON.stringify(body)}`);
  return body;
}

const lines = (text) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('ollama /api/chat with the official client', () => {
  test('streams text, counters and done_reason; the wire is NDJSON', async () => {
    const parts = await collect(
      await client('key=ollama-text').chat({
        model: 'qwen3:4b',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: PROMPT },
        ],
        stream: true,
      }),
    );
    const text = parts.map((p) => p.message.content).join('');
    assert.equal(text, replyTokens(PROMPT, 40).join(''));
    assert.equal(parts.length, 41); // one line per token, then the done line
    const done = parts.at(-1);
    assert.equal(done.done, true);
    assert.equal(done.done_reason, 'stop');
    assert.equal(done.message.content, '');
    assert.equal(done.model, 'qwen3:4b');
    assert.equal(done.prompt_eval_count, estimateTokens('Be brief.'.length + PROMPT.length));
    assert.equal(done.eval_count, 40);
    for (const field of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
      assert.ok(Number.isInteger(done[field]) && done[field] > 0, field);
    }
    assert.ok(parts.slice(0, -1).every((p) => p.done === false && p.message.role === 'assistant'));
    assert.match(parts[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const record = await waitFor('ollama-text');
    assert.equal(record.path, '/api/chat');
    assert.equal(record.model, 'qwen3:4b');
    assert.equal(record.stream, true);
    assert.equal(record.events_sent, 41);

    const res = await fetch(`${base}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    const body = await res.text();
    assert.ok(body.endsWith('}\n'));
    assert.equal(lines(body).at(-1).done, true); // stream defaults to true
  });

  test('think: thinking lines first; tool calls arrive whole in one line', async () => {
    const parts = await collect(
      await client('tool_call=2; reasoning=3').chat({
        model: 'qwen3:4b',
        messages: [{ role: 'user', content: PROMPT }],
        tools: [WEATHER_TOOL, { ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name: 'get_time' } }],
        think: true,
        stream: true,
      }),
    );
    const thinking = parts.map((p) => p.message.thinking ?? '').join('');
    assert.equal(thinking, reasoningTokens(PROMPT, 3).join(''));
    assert.ok(parts.slice(0, 3).every((p) => p.message.content === ''));
    const withCalls = parts.filter((p) => p.message.tool_calls);
    assert.equal(withCalls.length, 1);
    const calls = withCalls[0].message.tool_calls;
    assert.deepEqual(
      calls.map((c) => [c.function.index, c.function.name]),
      [
        [0, 'get_weather'],
        [1, 'get_time'],
      ],
    );
    assert.equal(typeof calls[0].function.arguments, 'object');
    assert.equal(typeof calls[0].function.arguments.city, 'string');
    assert.ok(['celsius', 'fahrenheit'].includes(calls[0].function.arguments.unit));
    assert.match(calls[0].id, /^call_[a-z0-9]{8}$/);
    const done = parts.at(-1);
    assert.equal(done.done_reason, 'stop'); // Ollama says stop after tool calls
    assert.ok(done.eval_count > 3);
  });

  test('think: true alone streams 12 thinking tokens; num_predict and stop', async () => {
    const thought = await collect(
      await client('tokens=2').chat({
        model: 'm',
        messages: [{ role: 'user', content: PROMPT }],
        think: true,
        stream: true,
      }),
    );
    assert.equal(thought.filter((p) => p.message.thinking).length, 12);

    const cut = await collect(
      await client().chat({
        model: 'm',
        messages: [{ role: 'user', content: PROMPT }],
        options: { num_predict: 5 },
        stream: true,
      }),
    );
    assert.equal(cut.at(-1).done_reason, 'length');
    assert.equal(cut.at(-1).eval_count, 5);
    assert.equal(cut.map((p) => p.message.content).join(''), replyTokens(PROMPT, 5).join(''));

    const stopped = await collect(
      await client().chat({
        model: 'm',
        messages: [{ role: 'user', content: PROMPT }],
        options: { stop: ['streaming'] },
        stream: true,
      }),
    );
    assert.equal(stopped.at(-1).done_reason, 'stop');
    assert.equal(stopped.map((p) => p.message.content).join(''), 'You said: “Tell me about ');
  });

  test('stream: false answers one object; no messages only loads the model', async () => {
    const answer = await client('tool_call=1; reasoning=2').chat({
      model: 'qwen3:4b',
      messages: [{ role: 'user', content: PROMPT }],
      tools: [WEATHER_TOOL],
      think: true,
      stream: false,
    });
    assert.equal(answer.done, true);
    assert.equal(answer.message.thinking, reasoningTokens(PROMPT, 2).join(''));
    assert.equal(answer.message.tool_calls[0].function.name, 'get_weather');
    assert.equal(answer.done_reason, 'stop');

    const load = await client().chat({ model: 'qwen3:4b', messages: [], stream: false });
    assert.equal(load.done_reason, 'load');
    assert.equal(load.eval_count, undefined);
  });
});

describe('ollama /api/generate with the official client', () => {
  test('streams `response` deltas and ends with context and counters', async () => {
    const parts = await collect(
      await client('tokens=6; reasoning=2').generate({
        model: 'qwen3:4b',
        prompt: PROMPT,
        system: 'Be brief.',
        think: true,
        stream: true,
      }),
    );
    assert.equal(parts.map((p) => p.thinking ?? '').join(''), reasoningTokens(PROMPT, 2).join(''));
    assert.equal(parts.map((p) => p.response).join(''), replyTokens(PROMPT, 6).join(''));
    const done = parts.at(-1);
    assert.equal(done.done_reason, 'stop');
    assert.equal(done.eval_count, 8);
    assert.equal(done.prompt_eval_count, estimateTokens(PROMPT.length + 'Be brief.'.length));
    assert.ok(Array.isArray(done.context) && done.context.length > 0);

    const whole = await client('tokens=3').generate({ model: 'm', prompt: PROMPT, stream: false });
    assert.equal(whole.response, replyTokens(PROMPT, 3).join(''));
    assert.equal(whole.done, true);
  });
});

describe('ollama fixtures', () => {
  for (const name of ['ollama-chat-thinking-tool-call', 'ollama-chat-done-reason-length']) {
    test(`${name} replays byte for byte as NDJSON`, async () => {
      const file = readFileSync(path.join(MORE, `${name}.ndjson`));
      for (const fixture of [`more-providers/${name}`, name]) {
        const res = await fetch(`${base}/api/chat?fixture=${fixture}`, { method: 'POST' });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
        assert.ok(Buffer.from(await res.arrayBuffer()).equals(file), fixture);
      }
      const record = (await (await fetch(`${base}/_llmstream/requests`)).json()).at(-1);
      assert.equal(record.events_sent, file.toString().split('\n').length - 1); // one per line
    });
  }

  test('the official client reads a replayed recording', async () => {
    const parts = await collect(
      await client('fixture=ollama-chat-thinking-tool-call').chat({
        model: 'qwen3:4b',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    );
    assert.equal(parts.length, 548);
    const call = parts.find((p) => p.message.tool_calls).message.tool_calls[0];
    assert.equal(call.function.name, 'lookup_harbor_label');
    assert.equal(parts.at(-1).done_reason, 'stop');
    assert.equal(parts.at(-1).eval_count, 575);
  });

  test('fixture list: ?all=1 adds the subfolder recordings', async () => {
    const top = await (await fetch(`${base}/_llmstream/fixtures`)).json();
    assert.ok(!top.some((n) => n.includes('/')));
    const all = await (await fetch(`${base}/_llmstream/fixtures?all=1`)).json();
    assert.ok(all.includes('more-providers/ollama-chat-thinking-tool-call'));
    assert.ok(all.includes('more-providers/bedrock-nova-two-tool-uses'));
    assert.ok(!all.some((n) => n.endsWith('/expected')));
  });
});

describe('ollama faults', () => {
  const chat = (scenario) =>
    client(scenario).chat({
      model: 'qwen3:4b',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
    });

  test('error_after: an {"error"} line mid-stream; the client throws it', async () => {
    const seen = [];
    await assert.rejects(
      async () => {
        for await (const part of await chat('error_after=3; key=ollama-err')) seen.push(part);
      },
      { message: /an error was encountered while running the model/ },
    );
    assert.equal(seen.length, 3);
    assert.equal((await waitFor('ollama-err')).outcome, 'error_in_band');
  });

  test('reset_after: the cut connection is an error in the client', async () => {
    await assert.rejects(async () => {
      for await (const _ of await chat('reset_after=2; key=ollama-reset')) {
        // reading until the connection breaks
      }
    });
    assert.equal((await waitFor('ollama-reset')).outcome, 'reset');
  });

  test('close_after: a body without its done line is an error in the client', async () => {
    await assert.rejects(
      async () => {
        for await (const _ of await chat('close_after=2')) {
          // reading to the early end
        }
      },
      { message: /Did not receive done or success response in stream/ },
    );
  });

  test('status: HTTP errors in Ollama\'s {"error"} shape', async () => {
    await assert.rejects(chat('status=404'), (err) => {
      assert.equal(err.name, 'ResponseError');
      assert.equal(err.status_code, 404);
      assert.match(err.error, /not found/);
      return true;
    });
    const res = await fetch(`${base}/api/chat`, { method: 'POST', body: '{"messages":[]}' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'model is required' });
  });

  test('stall_after + client abort is seen by the server', async () => {
    const iterator = await chat('stall_after=2; key=ollama-stall');
    const first = [];
    for await (const part of iterator) {
      first.push(part);
      if (first.length === 2) break;
    }
    await waitFor('ollama-stall', 'stalled');
    iterator.abort(); // the client's own cancel: aborts the request
    assert.equal((await waitFor('ollama-stall', 'client_disconnected')).events_sent, 2);
  });
});
