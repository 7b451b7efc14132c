// Cohere v2 chat (`POST /v2/chat`; docs/wire-formats.md "Cohere"): request parsing, the SSE
// stream of named events (`event:` equal to the JSON `type`: message-start, content-start /
// -delta / -end, tool-plan-delta, tool-call-start / -delta / -end, message-end, then a bare
// `data: [DONE]`), the non-streaming chat response, and Cohere's `{id, message}` errors.

import { createHash } from 'node:crypto';

import { RequestError, continuationOf, continuedPrompt, makeId, textOf, tokenLimit } from './plan.mjs';
import { SSE_DONE, sseEvent } from './sse.mjs';
import { tokenize } from './textgen.mjs';
import { chatConversation } from './tool-steps.mjs';

/** A tool message's content as text: a string, or its documents' data and texts in order. */
function toolContentText(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((item) => {
      if (item?.type === 'document') {
        const data = item.document?.data;
        return typeof data === 'string' ? data : JSON.stringify(data ?? null);
      }
      return typeof item?.text === 'string' ? item.text : '';
    })
    .join('');
}

/**
 * The tool bookkeeping Cohere checks on the next turn: a tool message answers a call of an
 * earlier assistant message (by tool_call_id), and every call gets its tool message before the
 * conversation goes on. Cohere documents no wording for these and no issue thread quotes one
 * (searched again: its SDK, LangChain and Vercel AI SDK threads quote other "invalid request:"
 * messages only); ours follows that form.
 */
function checkToolMessages(messages) {
  const open = new Map(); // id -> answered
  const requireAnswered = () => {
    const missing = [...open].find(([, answered]) => !answered)?.[0];
    if (missing === undefined) return;
    throw new RequestError(
      `invalid request: tool call with id '${missing}' has no tool message with its result.`,
      'messages',
    );
  };
  for (const m of messages) {
    if (m?.role === 'tool') {
      if (!open.has(m.tool_call_id)) {
        throw new RequestError(
          `invalid request: tool message with tool_call_id '${m.tool_call_id}' does not match ` +
            'any tool call of the preceding assistant message.',
          'messages',
        );
      }
      open.set(m.tool_call_id, true);
      continue;
    }
    requireAnswered();
    open.clear();
    if (m?.role === 'assistant' && Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) open.set(call?.id, false);
    }
  }
  // The last turn's calls too: the next step is asked for right after their tool messages.
  requireAnswered();
}


const FINISH = {
  stop: 'COMPLETE',
  stop_sequence: 'STOP_SEQUENCE',
  length: 'MAX_TOKENS',
  tool_calls: 'TOOL_CALL',
};

const ERRORS = {
  400: 'invalid request (injected by the llmstream local provider)',
  401: 'invalid api token',
  402: 'Please add or update your payment method at https://dashboard.cohere.com/billing',
  404: "model not found, make sure the correct model ID was used and that you have access to the model.",
  422: 'unprocessable entity',
  429: 'You are using a Trial key, which is limited to 20 API calls / minute.',
  498: 'invalid api token',
  499: 'request cancelled by the user',
  500: 'internal server error, this has been reported to our developers',
  503: 'service unavailable',
  504: 'request timed out',
};

const STREAM_ERROR = 'internal server error, this has been reported to our developers';

function parse(body) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new RequestError('invalid request: model must be specified.', 'model');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new RequestError('invalid request: messages must contain at least one message.', 'messages');
  }
  const messages = body.messages;
  checkToolMessages(messages);
  const lastUser = messages.findLast((m) => m?.role === 'user');
  const continuation = continuationOf(messages, { prefill: false });
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => typeof t?.function?.name === 'string')
    .map((t) => ({ name: t.function.name, schema: t.function.parameters }));
  const choice = typeof body.tool_choice === 'string' ? body.tool_choice.toUpperCase() : null;
  return {
    model: body.model,
    stream: body.stream === true,
    prompt: continuation ? continuedPrompt(messages, { prefill: false }) : textOf(lastUser?.content),
    continuation,
    inputChars: messages.reduce((sum, m) => sum + textOf(m?.content).length, 0),
    maxTokens: tokenLimit(body.max_tokens, 'max_tokens'),
    stop: Array.isArray(body.stop_sequences)
      ? body.stop_sequences.filter((s) => typeof s === 'string')
      : [],
    n: 1,
    tools,
    toolChoice: choice === 'REQUIRED' ? { mode: 'any' } : choice === 'NONE' ? { mode: 'none' } : { mode: 'auto' },
    // Thinking models (command-a-reasoning) stream a thinking block like reasoning=12.
    reasoning: body.thinking?.type === 'enabled' ? 12 : 0,
    conversation: chatConversation(messages, toolContentText),
  };
}

/** A deterministic UUID (Cohere's ids are UUIDs) from the plan and a salt. */
function uuid(plan, salt) {
  const hex = createHash('sha256').update(plan.seed).update(salt).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const toolCallId = (plan, call) =>
  `${call.name}_${makeId(plan, '', `cohere/tool/${call.index}`, 12).toLowerCase()}`;

/** The plan the model states before its tool calls ("I will use the X tool to ..."). */
function toolPlan(choice) {
  if (!choice.toolCalls.length) return [];
  const names = [...new Set(choice.toolCalls.map((c) => c.name))].join(' and ');
  return tokenize(`I will use the ${names} tool to answer the question.`);
}

function usageOf(plan, choice) {
  const output = choice.completionTokens + toolPlan(choice).length;
  return {
    billed_units: { input_tokens: plan.promptTokens, output_tokens: output },
    tokens: { input_tokens: plan.promptTokens, output_tokens: output },
  };
}

function* streamEvents(plan) {
  const choice = plan.choices[0];
  yield sseEvent({
    id: uuid(plan, 'message'),
    type: 'message-start',
    delta: {
      message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
    },
  });
  let index = 0;
  if (choice.reasoning.length) {
    yield sseEvent({
      type: 'content-start',
      index,
      delta: { message: { content: { type: 'thinking', thinking: '' } } },
    });
    for (const thinking of choice.reasoning) {
      yield sseEvent({ type: 'content-delta', index, delta: { message: { content: { thinking } } } });
    }
    yield sseEvent({ type: 'content-end', index });
    index++;
  }
  for (const tool_plan of toolPlan(choice)) {
    yield sseEvent({ type: 'tool-plan-delta', delta: { message: { tool_plan } } });
  }
  if (choice.text.length || !choice.toolCalls.length) {
    yield sseEvent({
      type: 'content-start',
      index,
      delta: { message: { content: { type: 'text', text: '' } } },
    });
    for (const text of choice.text) {
      yield sseEvent({ type: 'content-delta', index, delta: { message: { content: { text } } } });
    }
    yield sseEvent({ type: 'content-end', index });
  }
  for (const call of choice.toolCalls) {
    yield sseEvent({
      type: 'tool-call-start',
      index: call.index,
      delta: {
        message: {
          tool_calls: {
            id: toolCallId(plan, call),
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        },
      },
    });
    for (const argumentsPiece of call.fragments) {
      yield sseEvent({
        type: 'tool-call-delta',
        index: call.index,
        delta: { message: { tool_calls: { function: { arguments: argumentsPiece } } } },
      });
    }
    yield sseEvent({ type: 'tool-call-end', index: call.index });
  }
  const delta = { finish_reason: FINISH[choice.finish] };
  if (plan.usage) delta.usage = usageOf(plan, choice);
  yield sseEvent({ type: 'message-end', delta });
  yield SSE_DONE;
}

function completeBody(plan) {
  const choice = plan.choices[0];
  const content = [];
  if (choice.reasoning.length) content.push({ type: 'thinking', thinking: choice.reasoning.join('') });
  if (choice.text.length || !choice.toolCalls.length) {
    content.push({ type: 'text', text: choice.text.join('') });
  }
  const message = { role: 'assistant', content };
  if (choice.toolCalls.length) {
    message.tool_plan = toolPlan(choice).join('');
    message.tool_calls = choice.toolCalls.map((call) => ({
      id: toolCallId(plan, call),
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  const out = { id: uuid(plan, 'message'), message, finish_reason: FINISH[choice.finish] };
  if (plan.usage) out.usage = usageOf(plan, choice);
  return out;
}

function errorBody(status, { message, requestId = null } = {}) {
  const id = requestId ? uuid({ seed: requestId }, 'error') : undefined;
  return {
    id,
    message: message ?? ERRORS[status] ?? `HTTP ${status} (injected by the llmstream local provider)`,
  };
}

/**
 * A generation that fails mid-stream ends with `message-end`, finish_reason ERROR and the error
 * text in `delta.error`, then `[DONE]` (the stream itself ends normally).
 */
function inbandError() {
  return [
    sseEvent({ type: 'message-end', delta: { error: STREAM_ERROR, finish_reason: 'ERROR' } }),
    SSE_DONE,
  ];
}

/** Cohere's debug trace id and trial-key headers. */
function headers(requestId) {
  return {
    'x-debug-trace-id': createHash('sha256').update(requestId).digest('hex').slice(0, 32),
    'x-endpoint-monthly-call-limit': '1000',
    'x-trial-endpoint-call-limit': '20',
    'x-trial-endpoint-call-remaining': '19',
  };
}

export const cohere = {
  name: 'cohere',
  parse,
  streamEvents,
  completeBody,
  inbandError,
  errorBody,
  headers,
};

/** `/v2/chat` -> { path, params } or null. */
export function matchCohere(pathname) {
  return pathname === '/v2/chat' ? { path: pathname, params: {} } : null;
}
