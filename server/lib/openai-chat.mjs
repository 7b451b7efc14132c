// OpenAI Chat Completions: request parsing and the chunk stream (wire-formats.md 2.1-2.7).

import { checkChatTurns } from './chat-turns.mjs';
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
import { conversationView } from './tool-steps.mjs';

const FINISH = { stop: 'stop', stop_sequence: 'stop', length: 'length', tool_calls: 'tool_calls' };

// Mistral's models (mistral-small-latest, open-mixtral-8x22b, codestral-2508, magistral-medium ...)
// are answered as Mistral's own API streams (docs.mistral.ai "Chat completions", its
// CompletionChunk schema; recorded: more-providers/mistral-tool-call-single-chunk.sse): usage
// always comes, in the last chunk, the one with the finish_reason, with no stream_options asked
// (Mistral has none) and no `"usage": null` on the other chunks; no system_fingerprint.
const MISTRAL_MODEL_RE =
  /^(?:open-)?(?:mistral|mixtral|codestral|ministral|pixtral|magistral|devstral|voxtral)(?:-|$)/;

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
  const turns = checkChatTurns(body.messages);
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
    mistral: MISTRAL_MODEL_RE.test(body.model),
    includeUsage: body.stream_options?.include_usage === true && !MISTRAL_MODEL_RE.test(body.model),
    conversation: conversationView(turns),
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

/**
 * The SSE body: choices interleaved round-robin by index, usage chunk, [DONE]. Mistral models:
 * no usage chunk, the usage rides on the last chunk (MISTRAL_MODEL_RE).
 */
function* streamEvents(plan, req) {
  const id = makeId(plan, 'chatcmpl-', 'chat', 29);
  const payloadOf = (choices, usage) => {
    const payload = { id, object: 'chat.completion.chunk', created: plan.created, model: plan.model };
    if (!req.mistral) payload.system_fingerprint = 'fp_llmstream';
    payload.choices = choices;
    // With include_usage every chunk carries "usage": null except the usage chunk (2.2).
    if (req.includeUsage) payload.usage = usage;
    return payload;
  };
  let held = null; // Mistral: each chunk waits for the next, so that the last one gets the usage
  const open = plan.choices.map((choice) => ({ choice, deltas: choiceDeltas(plan, choice) }));
  while (open.length > 0) {
    for (let i = 0; i < open.length;) {
      const next = open[i].deltas.next();
      if (next.done) {
        open.splice(i, 1);
        continue;
      }
      const [delta, finish] = next.value;
      const payload = payloadOf(
        [{ index: open[i].choice.index, delta, logprobs: null, finish_reason: finish }],
        null,
      );
      if (!req.mistral) {
        yield sseData(payload);
      } else {
        if (held) yield sseData(held);
        held = payload;
      }
      i++;
    }
  }
  if (held) {
    if (plan.usage) held.usage = mistralUsageOf(plan);
    yield sseData(held);
  }
  if (req.includeUsage && plan.usage) yield sseData(payloadOf([], usageOf(plan)));
  yield SSE_DONE;
}

/** Mistral's UsageInfo, in the order Mistral writes it. */
function mistralUsageOf(plan) {
  return {
    prompt_tokens: plan.promptTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    completion_tokens: plan.completionTokens,
  };
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
