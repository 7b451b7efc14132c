// The local provider checks the next turn of a conversation as the real providers do (issue 15
// item 4), for OpenAI Responses, Gemini, Cohere v2 and Ollama: the signatures and encrypted
// reasoning it issued come back accepted, tampered or missing ones are refused with the
// provider's own error shape and message, and tool results must answer the calls. It also acts
// as the scripted tool-calling model of `tool_steps=K`. Expected messages are written out by hand
// from the providers' documented errors (docs/wire-formats.md, "Conversations").

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../../server/lib/server.mjs';

let provider;

before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(() => provider.close());

async function post(path, body, scenario = '') {
  const res = await fetch(`${provider.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-llmstream-scenario': scenario },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' } },
  required: ['city', 'days'],
};
const SCHEMA2 = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] };

describe('OpenAI Responses', () => {
  const tools = [
    { type: 'function', name: 'get_weather', parameters: SCHEMA },
    { type: 'function', name: 'get_time', parameters: SCHEMA2 },
  ];
  const request = (input) => ({
    model: 'gpt-5',
    input,
    tools,
    include: ['reasoning.encrypted_content'],
  });
  const user = { role: 'user', content: 'Weather and time in Paris?' };
  const scenario = 'tool_steps=1; tool_call=2; reasoning=3';

  async function firstStep() {
    const { status, body } = await post('/v1/responses', request([user]), scenario);
    assert.equal(status, 200);
    return body.output;
  }

  test('step 1: encrypted reasoning and two parallel calls; step 2 quotes the results', async () => {
    const output = await firstStep();
    assert.deepEqual(
      output.map((item) => item.type),
      ['reasoning', 'function_call', 'function_call'],
    );
    assert.equal(typeof output[0].encrypted_content, 'string');
    assert.deepEqual(
      output.slice(1).map((item) => item.name),
      ['get_weather', 'get_time'],
    );
    const args = JSON.parse(output[1].arguments);
    assert.equal(typeof args.city, 'string');
    assert.equal(Number.isInteger(args.days), true);
    const results = output.slice(1).map((call, i) => ({
      type: 'function_call_output',
      call_id: call.call_id,
      output: ['18C', 'error: clock broken'][i],
    }));
    const next = await post('/v1/responses', request([user, ...output, ...results]), scenario);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.deepEqual(
      next.body.output.map((item) => item.type),
      ['reasoning', 'message'],
    );
    assert.equal(next.body.output[1].content[0].text, 'Results: 18C | error: clock broken');
  });

  test('no encrypted_content unless include asks for it', async () => {
    const { body } = await post(
      '/v1/responses',
      { model: 'gpt-5', input: 'hi' },
      'reasoning=2',
    );
    assert.equal(body.output[0].type, 'reasoning');
    assert.equal('encrypted_content' in body.output[0], false);
  });

  test('an output for an unknown call id, a call without output, tampered reasoning', async () => {
    const output = await firstStep();
    const results = output
      .slice(1)
      .map((call) => ({ type: 'function_call_output', call_id: call.call_id, output: 'x' }));
    const unknown = await post(
      '/v1/responses',
      request([user, ...output, results[0], { ...results[1], call_id: 'call_nope' }]),
    );
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, {
      error: {
        message: 'No tool call found for function call output with call_id call_nope.',
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      },
    });
    const missing = await post('/v1/responses', request([user, ...output, results[0]]));
    assert.equal(missing.status, 400);
    assert.equal(
      missing.body.error.message,
      `No tool output found for function call ${output[2].call_id}.`,
    );
    const sealed = output[0].encrypted_content;
    const tampered = { ...output[0], encrypted_content: `${sealed.slice(0, -6)}AAAAAA` };
    const refused = await post('/v1/responses', request([user, tampered, ...output.slice(1), ...results]));
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error, {
      message: `The encrypted content ${sealed.slice(0, 4)}...AAAA could not be verified.`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_encrypted_content',
    });
  });

  // The real API's 400 for a function_call sent back without the reasoning item the model made
  // before it (quoted in VRSEN/agency-swarm#367 and mastra-ai/mastra#8738).
  test('a call made after reasoning goes back with its reasoning item, else 400', async () => {
    const output = await firstStep();
    const [reasoning, ...calls] = output;
    const results = calls.map((call) => ({
      type: 'function_call_output',
      call_id: call.call_id,
      output: '18C',
    }));
    const withIt = await post('/v1/responses', request([user, ...output, ...results]), scenario);
    assert.equal(withIt.status, 200, JSON.stringify(withIt.body));
    // By reference (a stored item) is the item too.
    const reference = { type: 'item_reference', id: reasoning.id };
    const byRef = await post('/v1/responses', request([user, reference, ...calls, ...results]));
    assert.equal(byRef.status, 200, JSON.stringify(byRef.body));

    const without = await post('/v1/responses', request([user, ...calls, ...results]));
    assert.equal(without.status, 400);
    assert.deepEqual(without.body, {
      error: {
        message:
          `Item '${calls[0].id}' of type 'function_call' was provided without its required ` +
          `'reasoning' item: '${reasoning.id}'.`,
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      },
    });
    // After the call is not before it; another reasoning item is not this one.
    const after = await post('/v1/responses', request([user, ...calls, reasoning, ...results]));
    assert.equal(after.status, 400);
    assert.match(after.body.error.message, /^Item 'fc_\w+' of type 'function_call' was provided/);
    const other = await post('/v1/responses', { model: 'gpt-5', input: 'hi' }, 'reasoning=2');
    const stranger = other.body.output[0];
    assert.equal(stranger.type, 'reasoning');
    assert.notEqual(stranger.id, reasoning.id);
    const wrong = await post('/v1/responses', request([user, stranger, ...calls, ...results]));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.param, 'input');
  });

  test('calls without an id, or made without reasoning, need no reasoning item', async () => {
    const output = await firstStep();
    const calls = output.slice(1);
    const results = calls.map((call) => ({
      type: 'function_call_output',
      call_id: call.call_id,
      output: 'x',
    }));
    // A turn from another provider: the calls without their item ids (what TurnParts sends).
    const bare = calls.map(({ id: _id, status: _status, ...call }) => call);
    const foreign = await post('/v1/responses', request([user, ...bare, ...results]), scenario);
    assert.equal(foreign.status, 200, JSON.stringify(foreign.body));
    assert.equal(foreign.body.output.at(-1).content[0].text, 'Results: x | x');
    // Calls made without reasoning have plain ids that name no reasoning item.
    const plain = await post('/v1/responses', request([user]), 'tool_steps=1; tool_call=2');
    assert.deepEqual(
      plain.body.output.map((item) => item.type),
      ['function_call', 'function_call'],
    );
    const plainResults = plain.body.output.map((call) => ({
      type: 'function_call_output',
      call_id: call.call_id,
      output: 'y',
    }));
    const next = await post('/v1/responses', request([user, ...plain.body.output, ...plainResults]));
    assert.equal(next.status, 200, JSON.stringify(next.body));
  });
});

describe('Gemini', () => {
  const path = '/v1beta/models/gemini-3-pro-preview:generateContent';
  const tools = [
    {
      functionDeclarations: [
        { name: 'get_weather', parametersJsonSchema: SCHEMA },
        { name: 'get_time', parametersJsonSchema: SCHEMA2 },
      ],
    },
  ];
  const user = { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] };
  const request = (contents) => ({
    contents,
    tools,
    generationConfig: { thinkingConfig: { includeThoughts: true } },
  });
  const scenario = 'tool_steps=1; tool_call=2; reasoning=3';
  const results = (calls, outputs) => ({
    role: 'user',
    parts: calls.map((part, i) => ({
      functionResponse: { name: part.functionCall.name, response: outputs[i] },
    })),
  });

  async function firstStep() {
    const { status, body } = await post(path, request([user]), scenario);
    assert.equal(status, 200, JSON.stringify(body));
    return body.candidates[0].content;
  }

  test('step 1: thoughts and two calls, the first signed; step 2 quotes the results', async () => {
    const model = await firstStep();
    const calls = model.parts.filter((part) => part.functionCall);
    assert.deepEqual(
      calls.map((part) => part.functionCall.name),
      ['get_weather', 'get_time'],
    );
    assert.equal(typeof calls[0].thoughtSignature, 'string');
    assert.equal(calls[1].thoughtSignature, undefined); // parallel calls: the first only
    assert.equal(model.parts[0].thought, true);
    const answers = results(calls, [{ output: '18C' }, { error: 'clock broken' }]);
    const next = await post(path, request([user, model, answers]), scenario);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    const text = next.body.candidates[0].content.parts
      .filter((part) => !part.thought)
      .map((part) => part.text)
      .join('');
    assert.equal(text, 'Results: 18C | {"error":"clock broken"}');
  });

  test('a dropped or foreign signature, and responses that do not answer the calls', async () => {
    const model = await firstStep();
    const calls = model.parts.filter((part) => part.functionCall);
    const answers = results(calls, [{ output: 'a' }, { output: 'b' }]);
    const unsigned = {
      ...model,
      parts: model.parts.map(({ thoughtSignature: _dropped, ...part }) => part),
    };
    const missing = await post(path, request([user, unsigned, answers]));
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, {
      error: {
        code: 400,
        message:
          'Function call is missing a thought_signature in functionCall parts. This is required ' +
          'for tools to work correctly, and missing thought_signature may lead to degraded model ' +
          'performance. Additional data, function call `default_api:get_weather` , position 2. ' +
          'Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more ' +
          'details.',
        status: 'INVALID_ARGUMENT',
      },
    });
    // A signature moved to another call is not the one issued for it.
    const moved = {
      ...model,
      parts: model.parts.map((part) =>
        part.functionCall?.name === 'get_time'
          ? { ...part, thoughtSignature: calls[0].thoughtSignature }
          : part,
      ),
    };
    const corrupted = await post(path, request([user, moved, answers]));
    assert.equal(corrupted.status, 400);
    assert.equal(corrupted.body.error.message, 'Corrupted thought signature.');
    const short = await post(path, request([user, model, results(calls.slice(0, 1), [{}])]));
    assert.equal(short.status, 400);
    assert.equal(
      short.body.error.message,
      'Please ensure that the number of function response parts is equal to the number of ' +
        'function call parts of the function call turn.',
    );
    const renamed = results(calls, [{}, {}]);
    renamed.parts[1].functionResponse.name = 'get_date';
    const stray = await post(path, request([user, model, renamed]));
    assert.equal(stray.status, 400);
    assert.match(stray.body.error.message, /contents\[2\]\.parts\[1\]\.function_response\.name/);
  });

  test('Gemini 2.5 does not require the signature', async () => {
    const model = await firstStep();
    const calls = model.parts.filter((part) => part.functionCall);
    const unsigned = {
      ...model,
      parts: model.parts.map(({ thoughtSignature: _dropped, ...part }) => part),
    };
    const answers = results(calls, [{ output: 'a' }, { output: 'b' }]);
    const ok = await post(
      '/v1beta/models/gemini-2.5-flash:generateContent',
      request([user, unsigned, answers]),
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('Cohere v2', () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: SCHEMA } },
    { type: 'function', function: { name: 'get_time', parameters: SCHEMA2 } },
  ];
  const user = { role: 'user', content: 'Weather and time in Paris?' };
  const request = (messages) => ({ model: 'command-a-03-2025', messages, tools });
  const scenario = 'tool_steps=1; tool_call=2';
  const document = (data) => [{ type: 'document', document: { data } }];

  test('step 1: tool plan and two calls; step 2 quotes the documents', async () => {
    const first = await post('/v2/chat', request([user]), scenario);
    assert.equal(first.status, 200);
    const { message } = first.body;
    assert.equal(message.tool_calls.length, 2);
    const assistant = {
      role: 'assistant',
      tool_plan: message.tool_plan,
      tool_calls: message.tool_calls,
    };
    const answers = message.tool_calls.map((call, i) => ({
      role: 'tool',
      tool_call_id: call.id,
      content: document(['18C', '{"error":"clock broken"}'][i]),
    }));
    const next = await post('/v2/chat', request([user, assistant, ...answers]), scenario);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(next.body.message.content[0].text, 'Results: 18C | {"error":"clock broken"}');

    const unknown = await post('/v2/chat', request([user, assistant, answers[0], {
      ...answers[1],
      tool_call_id: 'get_time_nope',
    }]));
    assert.equal(unknown.status, 400);
    assert.equal(
      unknown.body.message,
      "invalid request: tool message with tool_call_id 'get_time_nope' does not match any " +
        'tool call of the preceding assistant message.',
    );
    const missing = await post('/v2/chat', request([user, assistant, answers[0], user]));
    assert.equal(missing.status, 400);
    assert.equal(
      missing.body.message,
      `invalid request: tool call with id '${message.tool_calls[1].id}' has no tool message ` +
        'with its result.',
    );
    // The same when the conversation ends with the results, as it does when the next step is
    // asked for: the check does not wait for a later message.
    const last = await post('/v2/chat', request([user, assistant, answers[0]]));
    assert.equal(last.status, 400);
    assert.equal(last.body.message, missing.body.message);
  });
});

describe('Ollama', () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: SCHEMA } },
    { type: 'function', function: { name: 'get_time', parameters: SCHEMA2 } },
  ];
  const user = { role: 'user', content: 'Weather and time in Paris?' };
  const request = (messages) => ({ model: 'qwen3:4b', messages, tools, stream: false, think: true });

  test('step 1: thinking and two calls; step 2 quotes the results; lenient but typed', async () => {
    const scenario = 'tool_steps=1; tool_call=2';
    const first = await post('/api/chat', request([user]), scenario);
    assert.equal(first.status, 200);
    const { message } = first.body;
    assert.equal(typeof message.thinking, 'string');
    assert.deepEqual(
      message.tool_calls.map((call) => call.function.name),
      ['get_weather', 'get_time'],
    );
    const answers = message.tool_calls.map((call, i) => ({
      role: 'tool',
      tool_name: call.function.name,
      content: ['18C', 'error: clock broken'][i],
    }));
    const next = await post('/api/chat', request([user, message, ...answers]), scenario);
    assert.equal(next.status, 200);
    assert.equal(next.body.message.content, 'Results: 18C | error: clock broken');
    // Ollama templates what it gets: a result for no call, or a call without result, is no error.
    const stray = await post('/api/chat', request([user, message, answers[0], user]));
    assert.equal(stray.status, 200);
    const textArgs = structuredClone(message);
    textArgs.tool_calls[0].function.arguments = '{"city":"Paris"}';
    const refused = await post('/api/chat', request([user, textArgs, ...answers]));
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, {
      error:
        'json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.' +
        'function.arguments of type api.ToolCallFunctionArguments',
    });
  });
});

describe('the scripted tool-calling model (tool_steps)', () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: SCHEMA } },
    { type: 'function', function: { name: 'get_time', parameters: SCHEMA2 } },
  ];
  const chat = (messages, scenario) =>
    post('/api/chat', { model: 'qwen3:4b', messages, tools, stream: false }, scenario);

  test('calls until K turns made calls, cycling through the tools, then quotes the last step', async () => {
    const scenario = 'tool_steps=2; tool_call=3';
    const messages = [{ role: 'user', content: 'go' }];
    for (let step = 1; step <= 2; step++) {
      const { body } = await chat(messages, scenario);
      assert.deepEqual(
        body.message.tool_calls.map((call) => call.function.name),
        ['get_weather', 'get_time', 'get_weather'],
      );
      for (const call of body.message.tool_calls) {
        const required = call.function.name === 'get_time' ? ['zone'] : ['city', 'days'];
        assert.deepEqual(Object.keys(call.function.arguments).sort(), required.sort());
      }
      assert.equal(body.done_reason, 'stop');
      messages.push(body.message);
      for (let i = 0; i < 3; i++) messages.push({ role: 'tool', content: `s${step}r${i}` });
    }
    const { body } = await chat(messages, scenario);
    assert.equal(body.message.tool_calls, undefined);
    assert.equal(body.message.content, 'Results: s2r0 | s2r1 | s2r2');
  });

  test('one call by default; a request without tools is refused', async () => {
    const { body } = await chat([{ role: 'user', content: 'go' }], 'tool_steps=1');
    assert.equal(body.message.tool_calls.length, 1);
    const refused = await post(
      '/api/chat',
      { model: 'qwen3:4b', messages: [{ role: 'user', content: 'go' }], stream: false },
      'tool_steps=1',
    );
    assert.equal(refused.status, 400);
  });
});
