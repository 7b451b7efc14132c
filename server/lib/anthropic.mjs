// Anthropic Messages: request parsing, the event stream (wire-formats.md section 3), error
// bodies and headers (section 6.2).

import { checkAnthropicTurns, thinkingConflict } from './anthropic-turns.mjs';
import { RequestError, continuationOf, continuedPrompt, makeId, textOf } from './plan.mjs';
import { sseEvent } from './sse.mjs';
import { sign } from './signatures.mjs';
import { anthropicFragments } from './tool-args.mjs';
import { conversationView } from './tool-steps.mjs';

const STOP_REASON = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
};

// Realistic error types and messages per status (Anthropic "Errors" page).
const ERRORS = {
  400: ['invalid_request_error', 'Invalid request (injected by the llmstream local provider).'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Your credit balance is too low to access the Anthropic API.'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  409: ['conflict_error', 'Conflict.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: [
    'rate_limit_error',
    'Number of request tokens has exceeded your per-minute rate limit; see the response ' +
      'headers for current usage. Please try again later.',
  ],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

function parse(body) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new RequestError('model: Field required', 'model');
  }
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    throw new RequestError('max_tokens: Field required (a positive integer)', 'max_tokens');
  }
  if (!Array.isArray(body.messages)) {
    throw new RequestError('messages: Field required', 'messages');
  }
  const lastUser = body.messages.findLast((m) => m?.role === 'user');
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => typeof t?.name === 'string' && t.input_schema)
    .map((t) => ({ name: t.name, schema: t.input_schema }));
  const thinking = body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
  const conflict = thinking && thinkingConflict({ temperature: body.temperature, topP: body.top_p,
    topK: body.top_k, forced: body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool' });
  if (conflict) throw new RequestError(conflict);
  const continuation = continuationOf(body.messages, { prefill: true });
  const turns = checkAnthropicTurns(body.messages, { thinking });
  return {
    model: body.model,
    stream: body.stream === true,
    prompt: continuation ? continuedPrompt(body.messages, { prefill: true }) : textOf(lastUser?.content),
    continuation,
    inputChars: body.messages.reduce(
      (sum, m) => sum + textOf(m?.content).length,
      textOf(body.system).length,
    ),
    maxTokens: body.max_tokens,
    stop: Array.isArray(body.stop_sequences)
      ? body.stop_sequences.filter((s) => typeof s === 'string')
      : [],
    n: 1,
    tools,
    toolChoice: toolChoice(body.tool_choice),
    // Extended thinking streams a thinking block like reasoning=12 unless the scenario says.
    reasoning: thinking ? 12 : 0,
    conversation: conversationView(turns),
  };
}

function toolChoice(choice) {
  if (choice?.type === 'any') return { mode: 'any' };
  if (choice?.type === 'none') return { mode: 'none' };
  if (choice?.type === 'tool' && choice.name) return { mode: 'tool', name: choice.name };
  return { mode: 'auto' };
}

const messageId = (plan) => makeId(plan, 'msg_01', 'message', 22);
const toolUseId = (plan, call) => makeId(plan, 'toolu_01', `tool/${call.index}`, 22);

/** The thinking block's signature: signed, so that the next turn can be checked against it. */
function signature(choice) {
  return sign('thinking', choice.reasoning.join(''));
}

function finalUsage(plan) {
  // usage=0: the format still needs a usage object, so only output_tokens drops to 0.
  return {
    input_tokens: plan.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: plan.usage ? plan.completionTokens : 0,
  };
}

function* lazyMap(items, f) {
  for (const item of items) yield f(item);
}

function* thinkingDeltas(plan, choice) {
  for (const thinking of choice.reasoning) yield { type: 'thinking_delta', thinking };
  yield { type: 'signature_delta', signature: signature(choice) };
}

function* streamEvents(plan) {
  const choice = plan.choices[0];
  yield sseEvent({
    type: 'message_start',
    message: {
      id: messageId(plan),
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...finalUsage(plan), output_tokens: plan.usage ? 1 : 0 },
    },
  });
  let index = 0;
  // One content block: start, a ping after the very first start (as the API does), deltas, stop.
  function* block(contentBlock, deltas) {
    yield sseEvent({ type: 'content_block_start', index, content_block: contentBlock });
    if (index === 0) yield 'event: ping\ndata: {"type": "ping"}\n\n';
    for (const delta of deltas) yield sseEvent({ type: 'content_block_delta', index, delta });
    yield sseEvent({ type: 'content_block_stop', index });
    index++;
  }
  // Deltas are made lazily: with thousands of open streams only the current one exists.
  if (choice.reasoning.length) {
    yield* block({ type: 'thinking', thinking: '', signature: '' }, thinkingDeltas(plan, choice));
  }
  if (choice.text.length || !choice.toolCalls.length) {
    yield* block(
      { type: 'text', text: '' },
      lazyMap(choice.text, (text) => ({ type: 'text_delta', text })),
    );
  }
  for (const call of choice.toolCalls) {
    const toolUse = { type: 'tool_use', id: toolUseId(plan, call), name: call.name, input: {} };
    const deltas = lazyMap(anthropicFragments(call.arguments), (partial_json) => ({
      type: 'input_json_delta',
      partial_json,
    }));
    yield* block(toolUse, deltas);
  }
  yield sseEvent({
    type: 'message_delta',
    delta: { stop_reason: STOP_REASON[choice.finish], stop_sequence: choice.stopSequence },
    usage: finalUsage(plan),
  });
  yield sseEvent({ type: 'message_stop' });
}

function completeBody(plan) {
  const choice = plan.choices[0];
  const content = [];
  if (choice.reasoning.length) {
    content.push({
      type: 'thinking',
      thinking: choice.reasoning.join(''),
      signature: signature(choice),
    });
  }
  if (choice.text.length || !choice.toolCalls.length) {
    content.push({ type: 'text', text: choice.text.join('') });
  }
  for (const call of choice.toolCalls) {
    const input = JSON.parse(call.arguments);
    content.push({ type: 'tool_use', id: toolUseId(plan, call), name: call.name, input });
  }
  return {
    id: messageId(plan),
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content,
    stop_reason: STOP_REASON[choice.finish],
    stop_sequence: choice.stopSequence,
    usage: finalUsage(plan),
  };
}

function errorBody(status, { message, requestId = null } = {}) {
  const [type, defaultMessage] = ERRORS[status] ?? [
    status >= 500 ? 'api_error' : 'invalid_request_error',
    `HTTP ${status} (injected by the llmstream local provider).`,
  ];
  return {
    type: 'error',
    error: { type, message: message ?? defaultMessage },
    request_id: requestId,
  };
}

/** request-id and anthropic-ratelimit-* headers; reset times are RFC 3339 (section 6.2). */
function headers(requestId, { limited = false, promptTokens = 0 } = {}) {
  const reset = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000)
    .toISOString()
    .replace('.000', '');
  const out = { 'request-id': requestId };
  const limits = {
    requests: 4000,
    tokens: 2000000,
    'input-tokens': 1600000,
    'output-tokens': 400000,
  };
  for (const [name, limit] of Object.entries(limits)) {
    const used = name === 'requests' ? 1 : name === 'output-tokens' ? 0 : promptTokens;
    out[`anthropic-ratelimit-${name}-limit`] = String(limit);
    out[`anthropic-ratelimit-${name}-remaining`] = String(limited ? 0 : limit - used);
    out[`anthropic-ratelimit-${name}-reset`] = reset;
  }
  return out;
}

export const anthropicMessages = {
  name: 'anthropic-messages',
  parse,
  streamEvents,
  completeBody,
  inbandError: () => [
    sseEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  ],
  errorBody,
  headers,
};
