// The local provider's AWS Bedrock Runtime API (POST /model/{modelId}/converse-stream: binary
// application/vnd.amazon.eventstream frames with valid CRCs; /converse): the official
// @aws-sdk/client-bedrock-runtime streams from it unchanged (a custom endpoint and dummy
// credentials; the SDK signs with SigV4 and speaks HTTP/2, which the server accepts in
// cleartext), the recorded Bedrock fixtures replay byte for byte, and faults reach the SDK as
// its modeled exceptions or stream errors.
// Synchronisation is by events and the /_llmstream/requests/wait long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { decodeMessage, splitMessages } from '../../server/lib/event-stream.mjs';
import { defaultFixturesDir, startServer } from '../../server/lib/server.mjs';
import { estimateTokens, reasoningTokens, replyTokens } from '../../server/lib/textgen.mjs';

const MORE = path.join(defaultFixturesDir(), 'more-providers');
const MODEL = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const STREAM_PATH = `/model/${encodeURIComponent(MODEL)}/converse-stream`;

let provider;
let base;
const clients = [];

before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  base = provider.url;
});
after(async () => {
  for (const c of clients) c.destroy();
  await provider.close();
});

const PROMPT = 'Tell me about streaming';
const SYSTEM = 'Be brief.';
const MESSAGES = [{ role: 'user', content: [{ text: PROMPT }] }];
const WEATHER = {
  toolSpec: {
    name: 'get_weather',
    description: 'Weather for a city',
    inputSchema: {
      json: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['city'],
      },
    },
  },
};
const TIME = {
  toolSpec: {
    name: 'get_time',
    inputSchema: { json: { type: 'object', properties: { zone: { type: 'string' } } } },
  },
};

/**
 * The official client with a custom endpoint and dummy credentials (no retries: a fault must
 * reach the test). `scenario` goes in x-llmstream-scenario, added by a middleware (signed with
 * the rest of the request; the server verifies no signature).
 */
function client(scenario) {
  const c = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: base,
    credentials: { accessKeyId: 'AKIDLOCALPROVIDER', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
  if (scenario) {
    c.middlewareStack.add(
      (next) => (args) => {
        args.request.headers['x-llmstream-scenario'] = scenario;
        return next(args);
      },
      { step: 'build', name: 'llmstreamScenario' },
    );
  }
  clients.push(c);
  return c;
}

async function converseStream(input, scenario) {
  const answer = await client(scenario).send(
    new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES, ...input }),
  );
  const events = [];
  for await (const event of answer.stream) events.push(event);
  return { answer, events };
}

async function waitFor(key, outcome) {
  const q = new URLSearchParams({ key, timeout_ms: '5000', ...(outcome ? { outcome } : {}) });
  const res = await fetch(`${base}/_llmstream/requests/wait?${q}`);
  const body = await res.json();
  assert.equal(res.status, 200, `waiting for ${key} ${outcome}: ${JSON.stringify(body)}`);
  return body;
}

const deltas = (events) => events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta);
const textOf = (events) =>
  deltas(events)
    .map((d) => d.delta.text ?? '')
    .join('');

describe('bedrock ConverseStream with the official AWS SDK', () => {
  test('text deltas, messageStop end_turn, metadata usage and latency', async () => {
    const { answer, events } = await converseStream(
      { system: [{ text: SYSTEM }] },
      'key=bedrock-text',
    );
    assert.equal(answer.$metadata.httpStatusCode, 200);
    assert.match(answer.$metadata.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.deepEqual(events[0], { messageStart: { role: 'assistant' } });
    assert.equal(textOf(events), replyTokens(PROMPT, 40).join(''));
    assert.ok(deltas(events).every((d) => d.contentBlockIndex === 0));
    assert.equal(events.filter((e) => e.contentBlockStart).length, 0); // text needs no start
    assert.deepEqual(events.at(-3), { contentBlockStop: { contentBlockIndex: 0 } });
    assert.deepEqual(events.at(-2), { messageStop: { stopReason: 'end_turn' } });
    const input = estimateTokens(SYSTEM.length + PROMPT.length);
    assert.deepEqual(events.at(-1).metadata.usage, {
      inputTokens: input,
      outputTokens: 40,
      totalTokens: input + 40,
    });
    assert.ok(events.at(-1).metadata.metrics.latencyMs > 0);
    const record = await waitFor('bedrock-text');
    assert.equal(record.model, MODEL);
    assert.equal(record.path, STREAM_PATH);
    assert.equal(record.stream, true);
  });

  test('reasoning deltas and a signature, then tool uses with contentBlockStart', async () => {
    const { events } = await converseStream(
      {
        toolConfig: { tools: [WEATHER, TIME], toolChoice: { auto: {} } },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      },
      'tool_call=2; reasoning=4',
    );
    const reasoning = deltas(events).filter((d) => d.delta.reasoningContent);
    assert.equal(
      reasoning.map((d) => d.delta.reasoningContent.text ?? '').join(''),
      reasoningTokens(PROMPT, 4).join(''),
    );
    assert.equal(typeof reasoning.at(-1).delta.reasoningContent.signature, 'string');
    assert.ok(reasoning.every((d) => d.contentBlockIndex === 0));
    const starts = events.filter((e) => e.contentBlockStart).map((e) => e.contentBlockStart);
    assert.deepEqual(
      starts.map((s) => [s.contentBlockIndex, s.start.toolUse.name]),
      [
        [1, 'get_weather'],
        [2, 'get_time'],
      ],
    );
    assert.match(starts[0].start.toolUse.toolUseId, /^tooluse_[A-Za-z0-9]{22}$/);
    const input = (i) =>
      deltas(events)
        .filter((d) => d.contentBlockIndex === i)
        .map((d) => d.delta.toolUse.input)
        .join('');
    const weather = JSON.parse(input(1));
    assert.equal(typeof weather.city, 'string');
    assert.ok(['celsius', 'fahrenheit'].includes(weather.unit));
    assert.equal(typeof JSON.parse(input(2)).zone, 'string');
    assert.deepEqual(events.at(-2), { messageStop: { stopReason: 'tool_use' } });
  });

  test('maxTokens -> max_tokens; stopSequences -> stop_sequence; usage=0 drops metadata', async () => {
    const cut = await converseStream({ inferenceConfig: { maxTokens: 4 } });
    assert.equal(textOf(cut.events), replyTokens(PROMPT, 4).join(''));
    assert.equal(cut.events.at(-2).messageStop.stopReason, 'max_tokens');
    const stopped = await converseStream({ inferenceConfig: { stopSequences: ['streaming'] } });
    assert.equal(textOf(stopped.events), 'You said: “Tell me about ');
    assert.equal(stopped.events.at(-2).messageStop.stopReason, 'stop_sequence');
    const bare = await converseStream({}, 'usage=0; tokens=2');
    assert.ok(bare.events.at(-1).messageStop);
  });

  test('Converse (not streaming) answers the output message', async () => {
    const answer = await client('tokens=5; tool_call=1').send(
      new ConverseCommand({
        modelId: 'amazon.nova-lite-v1:0',
        messages: MESSAGES,
        toolConfig: { tools: [WEATHER] },
      }),
    );
    assert.equal(answer.stopReason, 'tool_use');
    const toolUse = answer.output.message.content.find((b) => b.toolUse).toolUse;
    assert.equal(toolUse.name, 'get_weather');
    assert.equal(typeof toolUse.input.city, 'string');
    assert.ok(answer.usage.outputTokens > 0);
    const text = await client('tokens=3').send(
      new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: MESSAGES }),
    );
    assert.equal(text.output.message.content[0].text, replyTokens(PROMPT, 3).join(''));
    assert.equal(text.stopReason, 'end_turn');
  });
});

describe('bedrock event-stream on the wire and fixtures', () => {
  test('HTTP/1.1 too: frames with valid CRCs, :event-type headers, padded payloads', async () => {
    const res = await fetch(`${base}${STREAM_PATH}?tokens=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 bogus' },
      body: JSON.stringify({ messages: MESSAGES }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
    assert.ok(res.headers.get('x-amzn-requestid'));
    const frames = splitMessages(Buffer.from(await res.arrayBuffer())).map(decodeMessage);
    assert.deepEqual(
      frames.map((f) => f.headers[':event-type']),
      ['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata'],
    );
    for (const f of frames) {
      assert.equal(f.headers[':message-type'], 'event');
      assert.equal(f.headers[':content-type'], 'application/json');
      const payload = JSON.parse(f.payload);
      assert.match(payload.p, /^a[b-zA-Z0-9]*$/);
      assert.deepEqual(Object.keys(payload), Object.keys(payload).sort());
    }
  });

  for (const name of ['bedrock-claude-reasoning-signature', 'bedrock-nova-two-tool-uses']) {
    test(`${name} replays byte for byte, frame by frame`, async () => {
      const res = await fetch(`${base}${STREAM_PATH}?fixture=more-providers/${name}&key=${name}`, {
        method: 'POST',
      });
      assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
      const expected = readFileSync(path.join(MORE, `${name}.eventstream`));
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected));
      assert.equal((await waitFor(name)).events_sent, splitMessages(expected).length);
    });
  }

  test('the SDK reads a replayed recording', async () => {
    const { events } = await converseStream({}, 'fixture=bedrock-nova-two-tool-uses');
    const starts = events.filter((e) => e.contentBlockStart);
    assert.deepEqual(
      starts.map((e) => e.contentBlockStart.start.toolUse.name),
      ['lookup_harbor_label', 'lookup_orchard_label'],
    );
    assert.equal(events.at(-1).metadata.usage.totalTokens, 595);
  });

  test('bad requests: 400 ValidationException (header and body)', async () => {
    const res = await fetch(`${base}${STREAM_PATH}`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('x-amzn-errortype'), /^ValidationException:/);
    assert.match((await res.json()).message, /^1 validation error detected: .*'messages'/);
  });
});

describe('bedrock faults', () => {
  test('error_after: an exception frame; the SDK throws ModelStreamErrorException', async () => {
    const seen = [];
    await assert.rejects(
      async () => {
        const answer = await client('error_after=2; key=bedrock-err').send(
          new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
        );
        for await (const event of answer.stream) seen.push(event);
      },
      (err) => {
        assert.equal(err.name, 'ModelStreamErrorException');
        assert.equal(err.originalStatusCode, 500);
        assert.match(err.message, /error while streaming/);
        return true;
      },
    );
    assert.equal(seen.length, 2);
    assert.equal((await waitFor('bedrock-err')).outcome, 'error_in_band');
  });

  test('reset_after: the cut stream (HTTP/2 RST_STREAM) is an error in the SDK', async () => {
    await assert.rejects(converseStream({}, 'reset_after=2; key=bedrock-reset'));
    assert.equal((await waitFor('bedrock-reset')).outcome, 'reset');
    // The connection survives: the same client's next request is served.
    const { events } = await converseStream({}, 'tokens=1');
    assert.equal(textOf(events), replyTokens(PROMPT, 1).join(''));
  });

  test('status: the SDK throws the modeled exception named by x-amzn-errortype', async () => {
    await assert.rejects(converseStream({}, 'status=429'), (err) => {
      assert.equal(err.name, 'ThrottlingException');
      assert.equal(err.$metadata.httpStatusCode, 429);
      return true;
    });
    await assert.rejects(converseStream({}, 'status=503'), { name: 'ServiceUnavailableException' });
    await assert.rejects(converseStream({}, 'status=403'), { name: 'AccessDeniedException' });
  });

  test('stall_after + client abort is seen by the server', async () => {
    const controller = new AbortController();
    const answer = await client('stall_after=2; key=bedrock-stall').send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
      { abortSignal: controller.signal },
    );
    const iterator = answer.stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await waitFor('bedrock-stall', 'stalled');
    controller.abort();
    // The SDK ends the iteration (or throws, depending on timing): either way it stops.
    await iterator.next().catch(() => null);
    assert.equal((await waitFor('bedrock-stall', 'client_disconnected')).events_sent, 2);
  });
});
