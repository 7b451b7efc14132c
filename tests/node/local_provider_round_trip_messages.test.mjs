// The local provider as the next turn of a conversation sees it, for Anthropic Messages, Chat
// Completions and Bedrock Converse (docs/wire-formats.md, "Conversations"; server/README.md,
// "Conversations: the next turn"): the scripted tool-calling model (`tool_steps=K`,
// `tool_call=N`) and the checks real providers make, each answered with the provider's own error
// shape and message (written here by hand from the providers' answers), over real HTTP.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../../server/lib/server.mjs';
import { sign } from '../../server/lib/signatures.mjs';

let provider;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(() => provider.close());

async function post(path, body, scenario) {
  const response = await fetch(`${provider.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-llmstream-scenario': scenario },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' } },
  required: ['city', 'days'],
};

describe('Anthropic Messages', () => {
  const tools = [
    { name: 'get_weather', input_schema: SCHEMA },
    { name: 'get_time', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } },
  ];
  const request = (messages) => ({
    model: 'claude-haiku-4-5',
    max_tokens: 4096,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tools,
    messages,
  });
  const user = { role: 'user', content: 'Weather and time in Paris?' };
  const results = (content, outputs) => ({
    role: 'user',
    content: content
      .filter((b) => b.type === 'tool_use')
      .map((b, i) => ({ type: 'tool_result', tool_use_id: b.id, content: outputs[i] })),
  });
  const SCENARIO = 'tool_steps=2; tool_call=2';

  async function firstStep() {
    const step = await post('/v1/messages', request([user]), SCENARIO);
    assert.equal(step.status, 200, JSON.stringify(step.body));
    return step.body;
  }

  test('tool_steps=2; tool_call=2: thinking + two parallel calls (tools in order, schema-valid arguments), again, then the results quoted', async () => {
    const first = await firstStep();
    assert.deepEqual(first.content.map((b) => b.type), ['thinking', 'tool_use', 'tool_use']);
    assert.equal(first.content[0].signature, sign('thinking', first.content[0].thinking));
    assert.deepEqual(first.content.slice(1).map((b) => b.name), ['get_weather', 'get_time']);
    assert.equal(typeof first.content[1].input.city, 'string');
    assert.ok(Number.isInteger(first.content[1].input.days));
    assert.equal(first.stop_reason, 'tool_use');

    const turn1 = [user, { role: 'assistant', content: first.content }, results(first.content, ['18C', '9:00'])];
    const second = (await post('/v1/messages', request(turn1), SCENARIO)).body;
    assert.equal(second.stop_reason, 'tool_use');
    assert.equal(second.content.filter((b) => b.type === 'tool_use').length, 2);

    const turn2 = [...turn1, { role: 'assistant', content: second.content }, results(second.content, ['rain | wind', 'noon'])];
    const last = await post('/v1/messages', request(turn2), SCENARIO);
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal(last.body.stop_reason, 'end_turn');
    assert.equal(last.body.content.at(-1).text, 'Results: rain | wind | noon');
  });

  test('a thinking signature it did not issue for that text: 400 invalid_request_error', async () => {
    const first = await firstStep();
    const tampered = structuredClone(first.content);
    tampered[0].thinking += ' (edited)';
    const answer = await post('/v1/messages', request([user, { role: 'assistant', content: tampered }, results(first.content, ['a', 'b'])]), SCENARIO);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.type, 'error');
    assert.equal(answer.body.error.type, 'invalid_request_error');
    assert.equal(answer.body.error.message, 'messages.1.content.0: Invalid `signature` in `thinking` block');
  });

  test('the thinking block dropped before the tool results: 400', async () => {
    const first = await firstStep();
    const dropped = first.content.slice(1);
    const answer = await post('/v1/messages', request([user, { role: 'assistant', content: dropped }, results(first.content, ['a', 'b'])]), SCENARIO);
    assert.equal(answer.status, 400);
    assert.equal(
      answer.body.error.message,
      'messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. ' +
        'When `thinking` is enabled, a final `assistant` message must start with a thinking block ' +
        '(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you ' +
        'include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. ' +
        'Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking',
    );
  });

  test('a tool_use without its tool_result, and a tool_result for no tool_use: 400', async () => {
    const first = await firstStep();
    const [, a, b] = first.content;
    const one = { role: 'user', content: [{ type: 'tool_result', tool_use_id: a.id, content: 'x' }] };
    let answer = await post('/v1/messages', request([user, { role: 'assistant', content: first.content }, one]), SCENARIO);
    assert.equal(answer.status, 400);
    assert.equal(
      answer.body.error.message,
      `messages.1: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${b.id}. ` +
        'Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    );
    const stranger = structuredClone(results(first.content, ['x', 'y']));
    stranger.content.push({ type: 'tool_result', tool_use_id: 'toolu_01NotMine', content: 'z' });
    answer = await post('/v1/messages', request([user, { role: 'assistant', content: first.content }, stranger]), SCENARIO);
    assert.equal(answer.status, 400);
    assert.equal(
      answer.body.error.message,
      'messages.2.content.2: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01NotMine. ' +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
  });

  test('thinking with a temperature other than 1, top_p below 0.95, top_k or forced tool use: 400', async () => {
    const refused = [
      [{ temperature: 0.7 }, '`temperature` may only be set to 1 when thinking is enabled. Please consult our ' +
        'documentation at https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking'],
      [{ temperature: 0 }, /^`temperature` may only be set to 1 when thinking is enabled\./],
      [{ top_p: 0.9 }, '`top_p` must be between 0.95 and 1, or unset, when thinking is enabled.'],
      [{ top_k: 40 }, '`top_k` may not be set when thinking is enabled.'],
      [{ tool_choice: { type: 'any' } }, 'Thinking may not be enabled when tool_choice forces tool use.'],
      [{ tool_choice: { type: 'tool', name: 'get_weather' } }, 'Thinking may not be enabled when tool_choice forces tool use.'],
      [{ thinking: { type: 'adaptive' }, temperature: 0.5 }, /^`temperature` may only be set to 1/],
    ];
    for (const [fields, message] of refused) {
      const answer = await post('/v1/messages', { ...request([user]), ...fields }, SCENARIO);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.equal(answer.body.type, 'error');
      assert.equal(answer.body.error.type, 'invalid_request_error');
      if (typeof message === 'string') assert.equal(answer.body.error.message, message);
      else assert.match(answer.body.error.message, message);
    }
    // What the API takes with thinking, and all of it without thinking.
    const taken = [{ temperature: 1, top_p: 0.95 }, { top_p: 1, tool_choice: { type: 'auto' } }, { tool_choice: { type: 'none' } }];
    for (const fields of taken) {
      const answer = await post('/v1/messages', { ...request([user]), ...fields }, SCENARIO);
      assert.equal(answer.status, 200, `${JSON.stringify(fields)}: ${JSON.stringify(answer.body)}`);
    }
    const { thinking: _off, ...plain } = request([user]);
    const answer = await post('/v1/messages', { ...plain, temperature: 0.2, top_p: 0.5, top_k: 5,
      tool_choice: { type: 'tool', name: 'get_weather' } }, SCENARIO);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });
});

describe('Chat Completions', () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: SCHEMA } },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
  ];
  const user = { role: 'user', content: 'Weather and time in Paris?' };
  const request = (messages) => ({ model: 'local-echo', tools, messages });

  async function firstStep(scenario = 'tool_steps=1; tool_call=3') {
    const step = await post('/v1/chat/completions', request([user]), scenario);
    assert.equal(step.status, 200, JSON.stringify(step.body));
    return step.body.choices[0].message;
  }

  test('tool_steps=1; tool_call=3: three calls cycling through the tools, then the results quoted in order', async () => {
    const message = await firstStep();
    assert.deepEqual(message.tool_calls.map((c) => c.function.name), ['get_weather', 'get_time', 'get_weather']);
    const args = JSON.parse(message.tool_calls[0].function.arguments);
    assert.deepEqual(Object.keys(args).sort(), ['city', 'days']);
    const outputs = ['18C', '{"t":"9:00"}', 'error: timeout'];
    const answers = message.tool_calls.map((c, i) => ({ role: 'tool', tool_call_id: c.id, content: outputs[i] }));
    const last = await post('/v1/chat/completions', request([user, message, ...answers]), 'tool_steps=1; tool_call=3');
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal(last.body.choices[0].finish_reason, 'stop');
    assert.equal(last.body.choices[0].message.content, 'Results: 18C | {"t":"9:00"} | error: timeout');
  });

  test("a tool message answering no call of the turn before it: OpenAI's 400", async () => {
    const message = await firstStep('tool_steps=1; tool_call=1');
    const answers = [{ role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'ok' }, { role: 'tool', tool_call_id: 'call_notmine', content: 'x' }];
    const answer = await post('/v1/chat/completions', request([user, message, ...answers]), 'tool_steps=1');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error, {
      message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      type: 'invalid_request_error',
      param: 'messages.[3].role',
      code: null,
    });
  });

  test("an assistant tool_calls turn without a tool message for each id: OpenAI's 400", async () => {
    const message = await firstStep('tool_steps=1; tool_call=2');
    const answers = [{ role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'ok' }];
    const answer = await post('/v1/chat/completions', request([user, message, ...answers, { role: 'user', content: 'and?' }]), 'tool_steps=1');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error, {
      message:
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
        `The following tool_call_ids did not have response messages: ${message.tool_calls[1].id}`,
      type: 'invalid_request_error',
      param: 'messages.[3].role',
      code: null,
    });
  });
});

describe('Bedrock Converse', () => {
  const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
  const PATH = `/model/${encodeURIComponent(MODEL)}/converse`;
  const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: SCHEMA } } }] };
  const user = { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] };
  const request = (messages) => ({
    messages,
    toolConfig,
    additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
  });
  const results = (content, outputs) => ({
    role: 'user',
    content: content
      .filter((b) => b.toolUse)
      .map((b, i) => ({ toolResult: { toolUseId: b.toolUse.toolUseId, content: [{ text: outputs[i] }] } })),
  });
  const SCENARIO = 'tool_steps=1; tool_call=2';

  async function firstStep() {
    const step = await post(PATH, request([user]), SCENARIO);
    assert.equal(step.status, 200, JSON.stringify(step.body));
    return step.body.output.message.content;
  }

  test('tool_steps=1; tool_call=2: signed reasoning + two calls, then the results quoted', async () => {
    const content = await firstStep();
    assert.ok(content[0].reasoningContent);
    const { text, signature } = content[0].reasoningContent.reasoningText;
    assert.equal(signature, sign('reasoning', text));
    const next = await post(PATH, request([user, { role: 'assistant', content }, results(content, ['18C', '24C'])]), SCENARIO);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(next.body.stopReason, 'end_turn');
    assert.equal(next.body.output.message.content.at(-1).text, 'Results: 18C | 24C');
  });

  test('a tampered reasoning signature, a dropped reasoning block, a missing result: ValidationException', async () => {
    const content = await firstStep();
    const tampered = structuredClone(content);
    tampered[0].reasoningContent.reasoningText.signature = sign('reasoning', 'something else');
    const cases = [
      [[user, { role: 'assistant', content: tampered }, results(content, ['a', 'b'])],
        'The model returned the following errors: messages.1.content.0: Invalid `signature` in `thinking` block'],
      [[user, { role: 'assistant', content: content.slice(1) }, results(content, ['a', 'b'])],
        'The model returned the following errors: messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. ' +
          'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of ' +
          '`tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, ' +
          'disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking'],
      [[user, { role: 'assistant', content }, results(content.slice(0, 2), ['a'])],
        `Expected toolResult blocks at messages.2.content for the following Ids: ${content[2].toolUse.toolUseId}`],
    ];
    for (const [messages, message] of cases) {
      const answer = await post(PATH, request(messages), SCENARIO);
      assert.equal(answer.status, 400);
      assert.match(answer.headers.get('x-amzn-errortype'), /^ValidationException:/);
      assert.deepEqual(answer.body, { message });
    }
  });

  test("Claude thinking with a temperature other than 1 or a forced toolChoice: the model's 400", async () => {
    const cases = [
      [{ inferenceConfig: { temperature: 0.7 } }, 'The model returned the following errors: `temperature` may only be set to 1 when ' +
        'thinking is enabled. Please consult our documentation at ' +
        'https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking'],
      [{ toolConfig: { ...toolConfig, toolChoice: { any: {} } } },
        'The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use.'],
      [{ toolConfig: { ...toolConfig, toolChoice: { tool: { name: 'get_weather' } } } },
        'The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use.'],
    ];
    for (const [fields, message] of cases) {
      const answer = await post(PATH, { ...request([user]), ...fields }, SCENARIO);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.match(answer.headers.get('x-amzn-errortype'), /^ValidationException:/);
      assert.deepEqual(answer.body, { message });
    }
    const taken = await post(PATH, { ...request([user]), inferenceConfig: { temperature: 1, topP: 0.95 },
      toolConfig: { ...toolConfig, toolChoice: { auto: {} } } }, SCENARIO);
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    const { additionalModelRequestFields: _off, ...plain } = request([user]);
    const free = await post(PATH, { ...plain, inferenceConfig: { temperature: 0.2 },
      toolConfig: { ...toolConfig, toolChoice: { any: {} } } }, SCENARIO);
    assert.equal(free.status, 200, JSON.stringify(free.body));
  });
});
