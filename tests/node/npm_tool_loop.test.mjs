// The npm package's tool loop (`tools: {name: {description, parameters, execute}}`, maxSteps)
// and Conversation, over loopback against the local provider's scripted tool-calling model
// (scenario `tool_steps=K; tool_call=N`, server/lib/tool-steps.mjs: it calls the request's tools
// in order, N at once, until the conversation holds K turns with calls, then answers "Results: "
// + the last step's results joined by " | "), for Chat Completions and Anthropic Messages; and
// against a small server here for what the scripted model never does (arguments that are not
// JSON). Expected texts are written here; synchronisation is by promises, never by sleeping.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { AbortError, APILoader, Conversation, DEFAULT_MAX_STEPS, InvalidRequestError } from '../../npm/src/index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');
const CITY = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
// What the local provider writes for a {city} schema (server/lib/tool-args.mjs).
const ARGS = { city: 'Paris' };

let provider;
before(async () => {
  assert.ok(existsSync(WASM), 'llmstream_core.wasm is not built: run scripts/build-wasm.sh');
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(() => provider?.close());

const APIS = [
  { api: 'chat_completions', ghost: (defs) => ({ tools: defs.map((d) => ({ type: 'function', function: { name: d.name, parameters: CITY } })) }) },
  { api: 'anthropic_messages', ghost: (defs) => ({ tools: defs.map((d) => ({ name: d.name, input_schema: CITY })) }) },
];

function loader(api, scenario) {
  return new APILoader({ provider: 'local', baseURL: `${provider.url}/v1`, api, maxRetries: 0,
    headers: { 'x-llmstream-scenario': scenario } });
}

/** A promise settled from outside. */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

const tool = (execute) => ({ description: 'test tool', parameters: CITY, execute });

/** A tool's execute that runs until the loop's signal aborts it; `seen(signal)` gets the signal. */
const untilAborted = (seen) => (args, { signal }) => {
  seen(signal);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve('too late'), { once: true }));
};

/** The local provider's record of the request with `key` once it reached `outcome`. */
async function waitOutcome(key, outcome) {
  const res = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=${outcome}&timeout_ms=5000`);
  assert.equal(res.status, 200, `the provider never saw outcome ${outcome} for ${key}`);
  return res.json();
}

const requestLog = async (key) => (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();

/**
 * After a break or cancel() while the tools of step 1 ran: the weather result, the cut call
 * answered cancelled, no call left without a result, and no step 2 request.
 */
async function assertCutWhileToolsRan(stream, key, toolSignal) {
  assert.equal(stream.finished, true);
  assert.equal(stream.error, null, 'a break or cancel() ends quietly');
  assert.equal(toolSignal.aborted, true, 'the running tool got the abort');
  const result = stream.result;
  assert.equal(result.stopReason, 'aborted');
  assert.deepEqual(result.conversation.map((x) => [x.role, x.content, x.isError ?? false]).slice(2),
    [['tool', 'sunny', false], ['tool', "tool 'time' was cancelled", true]]);
  assert.deepEqual(result.conversation.slice(2).map((x) => x.toolCallId),
    result.conversation[1].toolCalls.map((c) => c.id));
  assert.deepEqual(new Conversation(result.conversation).pendingToolCalls(), []);
  // Step 1's request ran to its end; step 2's was never sent.
  await waitOutcome(key, 'completed');
  assert.equal((await requestLog(key)).length, 1);
}

for (const { api, ghost } of APIS) {
  describe(`tool loop over ${api}`, () => {
    test('parallel calls run together, every chunk has its step, results reach the model', async () => {
      const started = { weather: deferred(), time: deferred() };
      const seen = [];
      // Each tool waits for the other to have started: run one after the other, they would
      // both end 'alone' (a deadline, not a synchronisation).
      const together = (name, other) => async (args, { toolCallId, signal, messages }) => {
        seen.push({ name, args, toolCallId, signal, messages });
        started[name].resolve();
        const deadline = new Promise((r) => setTimeout(() => r('alone'), 10_000).unref());
        const how = await Promise.race([started[other].promise.then(() => 'ok'), deadline]);
        return `${name} ${how} ${JSON.stringify(args)}`;
      };
      const key = `loop-parallel-${api}`;
      const stream = loader(api, `tool_steps=1; tool_call=2; key=${key}`).streamCompletion({
        prompt: 'Weather and time in Paris?',
        tools: { weather: tool(together('weather', 'time')), time: tool(together('time', 'weather')) },
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      const result = await stream.complete();

      const expected = 'Results: weather ok {"city":"Paris"} | time ok {"city":"Paris"}';
      assert.equal(result.text, expected);
      assert.equal(result.stopReason, 'final_answer');
      assert.equal(result.steps.length, 2);
      assert.ok(chunks.every((c) => c.step === 1 || c.step === 2), 'every chunk has its step');
      assert.deepEqual([...new Set(chunks.map((c) => c.step))], [1, 2]);
      const results = chunks.filter((c) => c.type === 'tool_result');
      assert.equal(results.length, 2);
      assert.ok(results.every((c) => c.step === 1 && c.toolResult.isError === false));
      assert.deepEqual(chunks.filter((c) => c.type === 'step_finish').map((c) => [c.step, c.toolCalls]), [[1, 2], [2, 0]]);
      // Each step opens with its step_start, yielded before the step's request is sent.
      assert.deepEqual(chunks.filter((c) => c.type === 'step_start').map((c) => c.step), [1, 2]);
      assert.ok(chunks.every((c, i) => c.type !== 'step_start' || i === 0 || chunks[i - 1].type === 'step_finish'),
        'a step_start comes first, or right after the previous step_finish');
      assert.equal(chunks.filter((c) => c.type === 'done').length, 1);
      assert.equal(chunks.at(-1).type, 'done');
      assert.equal(chunks.at(-1).stopReason, 'final_answer');
      assert.equal(chunks.filter((c) => c.type === 'text').map((c) => c.text).join(''), expected);

      // execute got the parsed arguments, the call id, a signal and the step's messages.
      assert.equal(seen.length, 2);
      for (const s of seen) {
        assert.deepEqual(s.args, ARGS);
        assert.match(s.toolCallId, /^(call_|toolu_)/);
        assert.equal(typeof s.signal.aborted, 'boolean');
        assert.deepEqual(s.messages, [{ role: 'user', content: 'Weather and time in Paris?' }]);
      }
      // The conversation: user, the assistant turn with both calls (built by the core), the two
      // results in the calls' order, the answer.
      const m = result.conversation;
      assert.deepEqual(m.map((x) => x.role), ['user', 'assistant', 'tool', 'tool', 'assistant']);
      assert.deepEqual(m[1].toolCalls.map((c) => c.name), ['weather', 'time']);
      assert.deepEqual(m[1].origin, { provider: 'local', api });
      assert.deepEqual(m[1].parts.map((p) => p.type), ['tool_call', 'tool_call']);
      assert.equal(m[2].toolCallId, m[1].toolCalls[0].id);
      assert.equal(m[3].toolCallId, m[1].toolCalls[1].id);
      assert.equal(m[4].content, expected);
      // Usage and cost summed over the steps.
      const sum = (f) => result.steps.reduce((n, s) => n + f(s), 0);
      assert.equal(result.usage.completionTokens, sum((s) => s.usage.completionTokens));
      assert.equal(result.usage.promptTokens, sum((s) => s.usage.promptTokens));
      assert.equal(result.usage.totalTokens, sum((s) => s.usage.totalTokens));
      assert.equal(result.cost, sum((s) => s.cost));
      assert.equal(result.message.content, expected);
      // The metrics span the loop: every step's response bytes, as the server counted them.
      const records = await (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();
      assert.equal(records.length, 2);
      assert.equal(stream.metrics().bytes, records.reduce((n, r) => n + r.bytes_sent, 0));
      assert.ok(stream.metrics().timeToHeaders > 0, 'the time to the first step\'s headers');
    });

    test('a throwing tool, bad output and an unknown tool go back as error results', async () => {
      const definitions = [{ name: 'ghost' }, { name: 'weather' }, { name: 'time' }];
      const stream = loader(api, 'tool_steps=1; tool_call=3').streamCompletion({
        prompt: 'Weather?',
        tools: {
          weather: tool(async () => {
            throw new Error('no such city');
          }),
          time: tool(async () => 10n), // a BigInt: no JSON for it
        },
        // The request also offers "ghost", which has no execute here.
        extraBody: ghost(definitions),
      });
      const result = await stream.complete();
      assert.equal(result.stopReason, 'final_answer');
      assert.equal(result.text,
        "Results: unknown tool 'ghost' (the tools: weather, time) | tool 'weather' failed: no such city | " +
        "tool 'time' failed: its output is not JSON-serializable (bigint)");
      assert.deepEqual(result.conversation.slice(2, 5).map((x) => x.isError), [true, true, true]);
    });

    test('stops at maxSteps with the last results in the conversation', async () => {
      let calls = 0;
      const result = await loader(api, 'tool_steps=5').streamCompletion({
        prompt: 'Weather?',
        tools: { weather: tool(async () => `call ${++calls}`) },
        maxSteps: 2,
      }).complete();
      assert.equal(result.stopReason, 'step_limit');
      assert.equal(result.steps.length, 2);
      assert.equal(calls, 2);
      assert.deepEqual(result.conversation.map((x) => x.role), ['user', 'assistant', 'tool', 'assistant', 'tool']);
      assert.equal(result.conversation.at(-1).content, 'call 2');
      assert.deepEqual(new Conversation(result.conversation).pendingToolCalls(), []);
    });

    test('an abort mid-step throws an AbortError and keeps the conversation so far', async () => {
      const controller = new AbortController();
      const stream = loader(api, 'tool_steps=2').streamCompletion({
        prompt: 'Weather?',
        tools: { weather: tool(async () => 'sunny') },
        signal: controller.signal,
      });
      await assert.rejects(async () => {
        for await (const chunk of stream) {
          if (chunk.step === 2 && chunk.type === 'tool_call_start') controller.abort();
        }
      }, AbortError);
      const result = stream.result;
      assert.equal(result.stopReason, 'aborted');
      assert.equal(result.steps.length, 2);
      assert.deepEqual(result.conversation.map((x) => x.role), ['user', 'assistant', 'tool']);
      assert.equal(result.conversation[2].content, 'sunny');
    });

    test('an abort while tools run: running tools get the signal, the rest answer cancelled', async () => {
      const controller = new AbortController();
      let toolSignal = null;
      const stream = loader(api, 'tool_steps=1; tool_call=2').streamCompletion({
        prompt: 'Weather?',
        tools: {
          weather: tool(async () => 'sunny'),
          // Runs until the loop's signal tells it to stop.
          time: tool((args, { signal }) => {
            toolSignal = signal;
            return new Promise((resolve) => signal.addEventListener('abort', () => resolve('too late'), { once: true }));
          }),
        },
        signal: controller.signal,
      });
      const results = [];
      await assert.rejects(async () => {
        for await (const chunk of stream) {
          if (chunk.type !== 'tool_result') continue;
          results.push(chunk.toolResult);
          if (chunk.toolResult.name === 'weather') controller.abort();
        }
      }, AbortError);
      assert.equal(toolSignal.aborted, true);
      assert.deepEqual(results.map((r) => [r.name, r.output, r.isError]),
        [['weather', 'sunny', false], ['time', "tool 'time' was cancelled", true]]);
      const result = stream.result;
      assert.equal(result.stopReason, 'aborted');
      assert.deepEqual(result.conversation.map((x) => [x.role, x.content]).slice(2),
        [['tool', 'sunny'], ['tool', "tool 'time' was cancelled"]]);
    });

    test('a break while tools run: the cut calls answer cancelled, their tools get the signal', async () => {
      const key = `loop-break-tools-${api}`;
      let toolSignal = null;
      const stream = loader(api, `tool_steps=1; tool_call=2; key=${key}`).streamCompletion({
        prompt: 'Weather?',
        tools: { weather: tool(async () => 'sunny'), time: tool(untilAborted((s) => (toolSignal = s))) },
      });
      const results = [];
      for await (const chunk of stream) {
        if (chunk.type !== 'tool_result') continue;
        results.push(chunk.toolResult.name);
        if (chunk.toolResult.name === 'weather') break;
      }
      assert.deepEqual(results, ['weather']);
      await assertCutWhileToolsRan(stream, key, toolSignal);
    });

    test('cancel() while tools run (the loop waiting on them): as a break', async () => {
      const key = `loop-cancel-tools-${api}`;
      let toolSignal = null;
      const weatherSeen = deferred();
      let cancelling = null;
      const stream = loader(api, `tool_steps=1; tool_call=2; key=${key}`).streamCompletion({
        prompt: 'Weather?',
        tools: {
          weather: tool(async () => 'sunny'),
          // Once the consumer has the weather result and waits for the next chunk, a Stop.
          time: tool(async (args, context) => {
            await weatherSeen.promise;
            cancelling = stream.cancel();
            return untilAborted((s) => (toolSignal = s))(args, context);
          }),
        },
      });
      const results = [];
      for await (const chunk of stream) {
        if (chunk.type !== 'tool_result') continue;
        results.push(chunk.toolResult.name);
        weatherSeen.resolve();
      }
      await cancelling;
      assert.deepEqual(results, ['weather'], 'nothing after the cancel');
      await assertCutWhileToolsRan(stream, key, toolSignal);
    });

    test('a break while step 2 streams: the request is aborted, the step left out', async () => {
      const key = `loop-break-step2-${api}`;
      const stream = loader(api, `tool_steps=2; pace_ms=20; key=${key}`).streamCompletion({
        prompt: 'Weather?',
        tools: { weather: tool(async () => 'sunny') },
      });
      for await (const chunk of stream) {
        if (chunk.step === 2 && chunk.type === 'tool_call_start') break;
      }
      assert.equal(stream.error, null);
      const result = stream.result;
      assert.equal(result.stopReason, 'aborted');
      // The unfinished step 2 turn is not in the conversation; what is there is answered.
      assert.deepEqual(result.conversation.map((x) => [x.role, x.content]).slice(2), [['tool', 'sunny']]);
      assert.deepEqual(new Conversation(result.conversation).pendingToolCalls(), []);
      // The provider saw step 2's client go away mid-stream.
      await waitOutcome(key, 'client_disconnected');
      assert.deepEqual((await requestLog(key)).map((r) => r.outcome), ['completed', 'client_disconnected']);
    });

    test('a stored conversation goes back as messages and the next turn streams', async () => {
      const first = await loader(api, 'tool_steps=1').streamCompletion({
        prompt: 'Weather?',
        tools: { weather: tool(async () => 'sunny') },
      }).complete();
      const stored = JSON.parse(JSON.stringify(first.conversation));
      const conversation = new Conversation(stored).appendUser('And tomorrow?');
      const next = await loader(api, 'tokens=5').streamCompletion({ messages: conversation.messages,
        tools: [{ name: 'weather', parameters: CITY }] }).complete();
      assert.equal(next.error, null);
      assert.ok(next.text.length > 0);
      conversation.append(next);
      assert.equal(conversation.length, 6);
      assert.equal(conversation.messages.at(-1).role, 'assistant');
    });
  });
}

describe('tool loop: arguments that are not JSON', () => {
  let server;
  const bodies = [];
  before(async () => {
    // Step 1: a call whose arguments are cut; step 2: a plain answer (Chat Completions chunks,
    // shared/docs/wire-formats.md section 2).
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        const chunk = (delta, finish = null) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (bodies.length === 1) {
          res.end(chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Par' } }] }) +
            chunk({}, 'tool_calls') + 'data: [DONE]\n\n');
        } else {
          res.end(chunk({ role: 'assistant', content: 'ok' }) + chunk({}, 'stop') + 'data: [DONE]\n\n');
        }
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => new Promise((r) => server.close(r)));

  test('go back as an error result and the tool does not run', async () => {
    let ran = false;
    const ai = new APILoader({ provider: 'compatible', baseURL: `http://127.0.0.1:${server.address().port}/v1`, maxRetries: 0 });
    const stream = ai.streamCompletion({ model: 'm', prompt: 'Weather?',
      tools: { weather: tool(async () => { ran = true; return 'sunny'; }) } });
    // How many requests the server had when each step_start arrived: none of its own step yet.
    const sentAtStart = [];
    for await (const chunk of stream) if (chunk.type === 'step_start') sentAtStart.push(bodies.length);
    assert.deepEqual(sentAtStart, [0, 1]);
    const result = await stream.complete();
    assert.equal(ran, false);
    assert.equal(result.text, 'ok');
    const sent = bodies[1].messages.at(-1);
    assert.deepEqual(sent, { role: 'tool', tool_call_id: 'call_1',
      content: "the arguments of 'weather' are not a JSON object: not valid JSON" });
  });
});

describe('Conversation and options', () => {
  test('appendToolResult, pendingToolCalls and JSON round trips', () => {
    const c = new Conversation([{ role: 'user', content: 'hi' }]);
    c.append({ role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'f', arguments: '{}' }, { id: 'b', name: 'g', arguments: '' }] });
    assert.deepEqual(c.pendingToolCalls().map((x) => x.id), ['a', 'b']);
    c.appendToolResult('a', { temperature: 14 });
    assert.deepEqual(c.pendingToolCalls().map((x) => x.id), ['b']);
    c.appendToolResult('b', 'failed', { isError: true });
    assert.deepEqual(c.pendingToolCalls(), []);
    assert.deepEqual(c.messages.slice(2), [
      { role: 'tool', content: '{"temperature":14}', toolCallId: 'a' },
      { role: 'tool', content: 'failed', toolCallId: 'b', isError: true },
    ]);
    assert.deepEqual(new Conversation(JSON.parse(JSON.stringify(c))).messages, c.messages);
    assert.throws(() => c.append({ content: 'no role' }), InvalidRequestError);
    assert.throws(() => c.appendToolResult('x', undefined), InvalidRequestError);
  });

  test('maxSteps needs the object form; the object form needs execute; the default is abi.js', () => {
    const ai = new APILoader({ provider: 'local' });
    assert.throws(() => ai.streamCompletion({ prompt: 'x', tools: [{ name: 'f' }], maxSteps: 2 }), /maxSteps needs tools as an object/);
    assert.throws(() => ai.streamCompletion({ prompt: 'x', tools: { f: { description: 'd' } } }), /tools\.f\.execute must be a function/);
    assert.throws(() => ai.streamCompletion({ prompt: 'x', tools: { f: tool(() => 1) }, maxSteps: 0 }), /maxSteps must be an integer >= 1/);
    assert.equal(DEFAULT_MAX_STEPS, 10);
  });

  test('a bad stored part is refused naming its path', async () => {
    const stream = new APILoader({ provider: 'local', baseURL: `${provider.url}/v1`, maxRetries: 0 }).streamCompletion({
      messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: '', parts: [{ type: 'thought' }] }],
    });
    await assert.rejects(stream.complete(), /messages\[1\]\.parts\[0\]\.type must be one of "text", "reasoning"/);
  });
});
