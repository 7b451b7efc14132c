// AWS Bedrock Runtime `POST /model/{modelId}/converse-stream` and `/converse`
// (docs/wire-formats.md "AWS Bedrock (ConverseStream)"): request parsing, the binary
// `application/vnd.amazon.eventstream` stream (messageStart, contentBlockStart / Delta / Stop,
// messageStop, metadata; every payload padded with `p`), the Converse response object, and
// AWS restJson1 errors (`x-amzn-errortype` + `{"message"}`; mid-stream: exception frames).
//
// The AWS SDK signs its requests with SigV4. Signatures made with the local test credentials
// (lib/sigv4-verify.mjs, LOCAL_AWS_CREDENTIALS) are verified, a wrong one answered 403
// InvalidSignatureException as AWS does; any other signature, or none, is accepted unchecked.

import { createHash } from 'node:crypto';

import { thinkingConflict } from './anthropic-turns.mjs';
import { checkBedrockTurns, modelError } from './bedrock-turns.mjs';
import { eventMessage, exceptionMessage } from './event-stream.mjs';
import { verifySigV4 } from './sigv4-verify.mjs';
import { RequestError, continuationOf, continuedPrompt, makeId, textOf } from './plan.mjs';
import { sign } from './signatures.mjs';
import { anthropicFragments } from './tool-args.mjs';
import { conversationView } from './tool-steps.mjs';

const STOP_REASON = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
};

// HTTP status -> the modeled exception Bedrock answers with, and its message.
const ERRORS = {
  400: ['ValidationException', 'Invalid request (injected by the llmstream local provider).'],
  401: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  403: ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
  404: ['ResourceNotFoundException', 'The requested resource could not be found.'],
  408: ['ModelTimeoutException', 'Model has timed out in processing the request.'],
  413: ['ValidationException', 'Request body is too large.'],
  424: ['ModelErrorException', 'The model returned an error.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'The server encountered an internal error.'],
  503: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

const PAD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Text of a Converse message's content blocks (`[{text}, {toolUse}, ...]`). */
function blocksText(content) {
  if (!Array.isArray(content)) return textOf(content);
  return content.map((b) => (typeof b?.text === 'string' ? b.text : '')).join('');
}

function validation(message, param) {
  return new RequestError(`1 validation error detected: ${message}`, param);
}

/** `params`: { modelId, stream }. */
function parse(body, { params }) {
  if (!Array.isArray(body.messages)) {
    throw validation(
      "Value null at 'messages' failed to satisfy constraint: Member must not be null",
      'messages',
    );
  }
  const messages = body.messages.map((m) => ({ role: m?.role, content: blocksText(m?.content) }));
  const lastUser = messages.findLast((m) => m.role === 'user');
  const continuation = continuationOf(messages, { prefill: true });
  const config = body.inferenceConfig ?? {};
  if (config.maxTokens != null && (!Number.isInteger(config.maxTokens) || config.maxTokens < 1)) {
    throw validation(
      "Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
      'inferenceConfig.maxTokens',
    );
  }
  const toolConfig = body.toolConfig ?? {};
  const tools = (Array.isArray(toolConfig.tools) ? toolConfig.tools : [])
    .filter((t) => typeof t?.toolSpec?.name === 'string')
    .map((t) => ({ name: t.toolSpec.name, schema: t.toolSpec.inputSchema?.json }));
  const choice = toolConfig.toolChoice ?? {};
  const system = Array.isArray(body.system) ? blocksText(body.system) : '';
  const extra = body.additionalModelRequestFields ?? {};
  const thinking =
    extra.thinking?.type === 'enabled' ||
    extra.reasoning_config?.type === 'enabled' ||
    extra.reasoningConfig?.type === 'enabled';
  // Claude's thinking (Anthropic's `thinking` field) keeps the Messages API's rules.
  const conflict = extra.thinking?.type === 'enabled' && thinkingConflict({ temperature: config.temperature,
    topP: config.topP, topK: extra.top_k, forced: Boolean(choice.any || choice.tool) });
  if (conflict) throw modelError(conflict);
  const turns = checkBedrockTurns(body.messages, { thinking });
  return {
    model: params.modelId,
    stream: params.stream,
    prompt: continuation ? continuedPrompt(messages, { prefill: true }) : (lastUser?.content ?? ''),
    continuation,
    inputChars: messages.reduce((sum, m) => sum + m.content.length, system.length),
    maxTokens: config.maxTokens ?? null,
    stop: Array.isArray(config.stopSequences)
      ? config.stopSequences.filter((s) => typeof s === 'string')
      : [],
    n: 1,
    tools,
    toolChoice: choice.any
      ? { mode: 'any' }
      : choice.tool?.name
        ? { mode: 'tool', name: choice.tool.name }
        : { mode: 'auto' },
    // Extended thinking (Anthropic models) streams reasoning like reasoning=12.
    reasoning: thinking ? 12 : 0,
    conversation: conversationView(turns),
  };
}

const toolUseId = (plan, call) => makeId(plan, 'tooluse_', `bedrock/tool/${call.index}`, 22);

/** The reasoning block's signature: signed, so that the next turn can be checked against it. */
function signature(choice) {
  return sign('reasoning', choice.reasoning.join(''));
}

/** The random-length padding Bedrock adds to every payload, deterministic per event. */
function padding(plan, index) {
  const digest = createHash('sha256').update(plan.seed).update(`p/${index}`).digest();
  return PAD_ALPHABET.slice(0, 1 + (digest[0] % PAD_ALPHABET.length));
}

function usageOf(plan) {
  return {
    inputTokens: plan.promptTokens,
    outputTokens: plan.completionTokens,
    totalTokens: plan.promptTokens + plan.completionTokens,
  };
}

/** Latency the metadata reports: a deterministic figure from the output length. */
const latencyMs = (plan) => 180 + 12 * plan.completionTokens;

/**
 * The events, as [type, payload] pairs in Bedrock's order: messageStart, the reasoning block
 * (text deltas, then a signature delta), the text block, one block per tool use (the only ones
 * with a contentBlockStart), messageStop, metadata (left out with usage=0).
 */
function* events(plan) {
  const choice = plan.choices[0];
  yield ['messageStart', { role: 'assistant' }];
  let index = 0;
  const delta = (d) => ['contentBlockDelta', { contentBlockIndex: index, delta: d }];
  const stop = () => ['contentBlockStop', { contentBlockIndex: index++ }];
  if (choice.reasoning.length) {
    for (const text of choice.reasoning) yield delta({ reasoningContent: { text } });
    yield delta({ reasoningContent: { signature: signature(choice) } });
    yield stop();
  }
  if (choice.text.length || !choice.toolCalls.length) {
    for (const text of choice.text) yield delta({ text });
    yield stop();
  }
  for (const call of choice.toolCalls) {
    yield [
      'contentBlockStart',
      {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: toolUseId(plan, call), name: call.name } },
      },
    ];
    // Argument fragments as Anthropic models stream them (without the empty first one).
    for (const input of anthropicFragments(call.arguments).filter(Boolean)) {
      yield delta({ toolUse: { input } });
    }
    yield stop();
  }
  yield ['messageStop', { stopReason: STOP_REASON[choice.finish] }];
  if (plan.usage) yield ['metadata', { usage: usageOf(plan), metrics: { latencyMs: latencyMs(plan) } }];
}

/** Top-level keys sorted, with the padding, as Bedrock writes its payloads. */
function padded(payload, p) {
  const out = {};
  for (const key of [...Object.keys(payload), 'p'].sort()) out[key] = key === 'p' ? p : payload[key];
  return out;
}

function* streamEvents(plan) {
  let i = 0;
  for (const [type, payload] of events(plan)) {
    yield eventMessage(type, JSON.stringify(padded(payload, padding(plan, i++))));
  }
}

function completeBody(plan) {
  const choice = plan.choices[0];
  const content = [];
  if (choice.reasoning.length) {
    content.push({
      reasoningContent: {
        reasoningText: { text: choice.reasoning.join(''), signature: signature(choice) },
      },
    });
  }
  if (choice.text.length || !choice.toolCalls.length) content.push({ text: choice.text.join('') });
  for (const call of choice.toolCalls) {
    content.push({
      toolUse: { toolUseId: toolUseId(plan, call), name: call.name, input: JSON.parse(call.arguments) },
    });
  }
  const out = {
    metrics: { latencyMs: latencyMs(plan) },
    output: { message: { content, role: 'assistant' } },
    stopReason: STOP_REASON[choice.finish],
  };
  if (plan.usage) out.usage = usageOf(plan);
  return out;
}

function errorBody(status, { message } = {}) {
  const [, defaultMessage] = errorType(status);
  return { message: message ?? defaultMessage };
}

function errorType(status) {
  return (
    ERRORS[status] ?? [
      status >= 500 ? 'InternalServerException' : 'ValidationException',
      `HTTP ${status} (injected by the llmstream local provider).`,
    ]
  );
}

/**
 * `x-amzn-requestid`; on errors `x-amzn-errortype` names the exception (restJson1): `type`, else
 * the status's.
 */
function headers(requestId, { status, type } = {}) {
  const out = { 'x-amzn-requestid': uuidOf(requestId) };
  if (status >= 400) {
    out['x-amzn-errortype'] = `${type ?? errorType(status)[0]}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  }
  return out;
}

function uuidOf(requestId) {
  const hex = createHash('sha256').update(requestId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A stream that fails after the 200: one exception frame (the SDK throws it, modeled). */
function inbandError() {
  return [
    exceptionMessage('modelStreamErrorException', {
      message: 'The model encountered an error while streaming. Retry your request.',
      originalStatusCode: 500,
      originalMessage: 'Internal server error',
    }),
  ];
}

export const bedrock = {
  name: 'bedrock',
  parse,
  describe: (body, params) => ({ model: params.modelId, stream: params.stream }),
  framing: () => 'event-stream',
  streamEvents,
  completeBody,
  inbandError,
  errorBody,
  headers,
  verifyAuth: (req, raw) => verifySigV4(req, raw),
};

const PATH_RE = /^\/model\/([^/]+)\/(converse-stream|converse)$/;

/** `/model/{modelId}/converse-stream` and `/converse` -> { path, params } or null. */
export function matchBedrock(pathname) {
  const m = PATH_RE.exec(pathname);
  if (!m) return null;
  let modelId;
  try {
    modelId = decodeURIComponent(m[1]); // `us.anthropic.claude...-v1%3A0`, ARNs with %2F
  } catch {
    return null;
  }
  return { path: pathname, params: { modelId, stream: m[2] === 'converse-stream' } };
}
