// OpenAI Chat Completions: request parsing and the chunk stream (wire-formats.md 2.1-2.7).

import { OPENAI_STREAM_ERROR, openaiErrorBody, openaiHeaders } from './openai-common.mjs';
import {
  RequestError,
  continuationOf,
  continuedPrompt,
  makeId,
  textOf,
  tokenLimit,
} from './plan.mjs';
import { SSE_DONE, sseData } from './sse.mjs';

const FINISH = { stop: 'stop', stop_sequence: 'stop', length: 'length', tool_calls: 'tool_calls' };

function parse(body) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new RequestError('you must provide a model parameter', 'model');
  }
  if (!Array.isArray(body.messages)) {
    throw new RequestError("Missing required parameter: 'messages'.", 'messages');
  }
  if (body.messages.length === 0) {
    throw new RequestError("[] is too short - 'messages'", 'messages');
  }
  const n = body.n ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new RequestError('n must be an integer from 1 to 16 on the local provider', 'n');
  }
  const lastUser = body.messages.findLast((m) => m?.role === 'user');
  const stop = body.stop == null ? [] : [body.stop].flat().filter((s) => typeof s === 'string');
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => t?.type === 'function' && typeof t.function?.name === 'string')
    .map((t) => ({ name: t.function.name, schema: t.function.parameters }));
  const continuation = continuationOf(body.messages, { prefill: false });
  return {
    model: body.model,
    stream: body.stream === true,
    prompt: continuation ? continuedPrompt(body.messages, { prefill: false }) : textOf(lastUser?.content),
    continuation,
    inputChars: body.messages.reduce((sum, m) => sum + textOf(m?.content).length, 0),
    maxTokens:
      body.max_completion_tokens != null
        ? tokenLimit(body.max_completion_tokens, 'max_completion_tokens')
        : tokenLimit(body.max_tokens, 'max_tokens'),
    stop,
    n,
    tools,
    toolChoice: toolChoice(body.tool_choice),
    includeUsage: body.stream_options?.include_usage === true,
  };
}

function toolChoice(choice) {
  if (choice === 'required') return { mode: 'any' };
  if (choice === 'none') return { mode: 'none' };
  if (choice?.type === 'function' && choice.function?.name) {
    return { mode: 'tool', name: choice.function.name };
  }
  return { mode: 'auto' };
}

function usageOf(plan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: plan.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const callId = (plan, choice, call) => makeId(plan, 'call_', `${choice.index}/${call.index}`);

/** The deltas of one choice, in order: role, reasoning, content, tool calls, finish. */
function* choiceDeltas(plan, choice) {
  const first = { role: 'assistant', content: '', refusal: null };
  const startsWithCall = choice.reasoning.length === 0 && choice.text.length === 0;
  if (startsWithCall && choice.toolCalls.length > 0) first.content = null;
  yield [first, null];
  for (const token of choice.reasoning) yield [{ reasoning_content: token }, null];
  for (const token of choice.text) yield [{ content: token }, null];
  for (const call of choice.toolCalls) {
    const header = {
      index: call.index,
      id: callId(plan, choice, call),
      type: 'function',
      function: { name: call.name, arguments: '' },
    };
    yield [{ tool_calls: [header] }, null];
    for (const fragment of call.fragments) {
      yield [{ tool_calls: [{ index: call.index, function: { arguments: fragment } }] }, null];
    }
  }
  yield [{}, FINISH[choice.finish]];
}

/** The SSE body: choices interleaved round-robin by index, usage chunk, [DONE]. */
function* streamEvents(plan, req) {
  const id = makeId(plan, 'chatcmpl-', 'chat', 29);
  const chunk = (choices, usage) => {
    const payload = {
      id,
      object: 'chat.completion.chunk',
      created: plan.created,
      model: plan.model,
      system_fingerprint: 'fp_llmstream',
      choices,
    };
    // With include_usage every chunk carries "usage": null except the usage chunk (2.2).
    if (req.includeUsage) payload.usage = usage;
    return sseData(payload);
  };
  const open = plan.choices.map((choice) => ({ choice, deltas: choiceDeltas(plan, choice) }));
  while (open.length > 0) {
    for (let i = 0; i < open.length;) {
      const next = open[i].deltas.next();
      if (next.done) {
        open.splice(i, 1);
        continue;
      }
      const [delta, finish] = next.value;
      yield chunk(
        [{ index: open[i].choice.index, delta, logprobs: null, finish_reason: finish }],
        null,
      );
      i++;
    }
  }
  if (req.includeUsage && plan.usage) yield chunk([], usageOf(plan));
  yield SSE_DONE;
}

/** The non-streaming `chat.completion` object. */
function completeBody(plan) {
  return {
    id: makeId(plan, 'chatcmpl-', 'chat', 29),
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: plan.choices.map((choice) => {
      const message = {
        role: 'assistant',
        content: choice.text.length || !choice.toolCalls.length ? choice.text.join('') : null,
        refusal: null,
        annotations: [],
      };
      if (choice.reasoning.length) message.reasoning_content = choice.reasoning.join('');
      if (choice.toolCalls.length) {
        message.tool_calls = choice.toolCalls.map((call) => ({
          id: callId(plan, choice, call),
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      return { index: choice.index, message, logprobs: null, finish_reason: FINISH[choice.finish] };
    }),
    usage: plan.usage ? usageOf(plan) : null,
    service_tier: 'default',
    system_fingerprint: 'fp_llmstream',
  };
}

export const openaiChat = {
  name: 'openai-chat',
  parse,
  streamEvents,
  completeBody,
  inbandError: () => [sseData({ error: OPENAI_STREAM_ERROR })],
  errorBody: openaiErrorBody,
  headers: openaiHeaders,
};
