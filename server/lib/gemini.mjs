// Google Gemini `models/{model}:streamGenerateContent` and `:generateContent`
// (docs/wire-formats.md "Google Gemini"): request parsing, the chunk stream (with `alt=sse`:
// `data: ...` events with CRLF line ends; without: one streamed JSON array), the
// GenerateContentResponse object, and `google.rpc.Status` errors.

import { arrayEnd, elementPiece } from './json-array.mjs';
import { RequestError, continuationOf, continuedPrompt, makeId } from './plan.mjs';
import { seal, unseal } from './signatures.mjs';
import { conversationView } from './tool-steps.mjs';

const FINISH = { stop: 'STOP', stop_sequence: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP' };

// google.rpc.Code per HTTP status, with the messages the API sends.
const ERRORS = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: [
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login ' +
      'cookie or other valid authentication credential.',
  ],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  409: ['ABORTED', 'The operation was aborted.'],
  429: [
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details.',
  ],
  499: ['CANCELLED', 'The operation was cancelled.'],
  500: [
    'INTERNAL',
    'An internal error has occurred. Please retry or report in ' +
      'https://developers.generativeai.google/guide/troubleshooting',
  ],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'The request timed out. Please try again.'],
};

/** Text of a Content's parts (thoughts included: they are input too). */
function partsText(content) {
  if (typeof content === 'string') return content;
  const parts = Array.isArray(content?.parts) ? content.parts : [];
  return parts.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
}

/** Gemini schemas use OpenAPI's upper-case type names ("OBJECT"); JSON Schema's are lower. */
function jsonSchema(schema) {
  if (Array.isArray(schema)) return schema.map(jsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'type' && typeof value === 'string' ? value.toLowerCase() : jsonSchema(value);
  }
  return out;
}

const partsOf = (content) => (Array.isArray(content?.parts) ? content.parts : []);
const callsOf = (content) => partsOf(content).filter((p) => p?.functionCall);
const responsesOf = (content) => partsOf(content).filter((p) => p?.functionResponse);

/** What a thought signature this server issues says: the part it belongs on. */
const signatureFor = (on) => seal('thought', on);
const callSignature = (name) => signatureFor(`functionCall:${name}`);

const MISSING_SIGNATURE = (name, position) =>
  'Function call is missing a thought_signature in functionCall parts. This is required for ' +
  'tools to work correctly, and missing thought_signature may lead to degraded model ' +
  `performance. Additional data, function call \`default_api:${name}\` , position ${position}. ` +
  'Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.';

/**
 * What Gemini checks in the history (docs/wire-formats.md, "Conversations"): every
 * thoughtSignature is one it issued, for the part it is on ("Corrupted thought signature.");
 * on Gemini 3, the first functionCall part of each model content of the current turn (since the
 * last user text) carries its signature; and a function call turn is answered by as many
 * functionResponse parts, naming its functions. The wording for a response naming no function of
 * the turn is ours: Gemini documents none, and the one report found (archestra-ai/archestra#7583,
 * Vertex gemini-3) saw a bare 400 INVALID_ARGUMENT without quoting its message.
 */
function checkContents(contents, model) {
  for (const content of contents) {
    for (const part of partsOf(content)) {
      if (part?.thoughtSignature === undefined) continue;
      const on = unseal('thought', part.thoughtSignature);
      const want = part.functionCall ? `functionCall:${part.functionCall.name}` : 'text';
      if (on !== want) throw new RequestError('Corrupted thought signature.', 'contents');
    }
  }
  const userText = (c) => c?.role !== 'model' && responsesOf(c).length < partsOf(c).length;
  const turnStart = contents.findLastIndex(userText) + 1;
  if (model.startsWith('gemini-3')) {
    for (let i = turnStart; i < contents.length; i++) {
      const [first] = callsOf(contents[i]);
      if (contents[i]?.role === 'model' && first && first.thoughtSignature === undefined) {
        throw new RequestError(MISSING_SIGNATURE(first.functionCall.name, i + 1), 'contents');
      }
    }
  }
  for (let i = 0; i + 1 < contents.length; i++) {
    const calls = callsOf(contents[i]);
    if (contents[i]?.role !== 'model' || calls.length === 0) continue;
    const responses = responsesOf(contents[i + 1]);
    if (responses.length !== calls.length) {
      throw new RequestError(
        'Please ensure that the number of function response parts is equal to the number of ' +
          'function call parts of the function call turn.',
        'contents',
      );
    }
    const names = new Set(calls.map((p) => p.functionCall.name));
    const stray = responses.findIndex((p) => !names.has(p.functionResponse.name));
    if (stray >= 0) {
      throw new RequestError(
        `* GenerateContentRequest.contents[${i + 1}].parts[${stray}].function_response.name: ` +
          `'${responses[stray].functionResponse.name}' names no function call of the function ` +
          'call turn.',
        'contents',
      );
    }
  }
}

/** A function response as text: its `output` when that is all it has, else its JSON. */
function responseText({ response }) {
  const keys = response && typeof response === 'object' ? Object.keys(response) : [];
  if (keys.length === 1 && keys[0] === 'output' && typeof response.output === 'string') {
    return response.output;
  }
  return JSON.stringify(response);
}

/** The turns for the scripted model (tool_steps). */
function conversationOf(contents) {
  return conversationView(
    contents.map((c) => {
      const calls = callsOf(c).length;
      if (c?.role === 'model' && calls > 0) return { calls };
      const responses = responsesOf(c);
      if (responses.length) return { results: responses.map((p) => responseText(p.functionResponse)) };
      return {};
    }),
  );
}

/** `params`: { model, method: 'streamGenerateContent' | 'generateContent' }; `query`: alt. */
function parse(body, { params, query }) {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new RequestError('* GenerateContentRequest.contents: contents is not specified', 'contents');
  }
  checkContents(contents, params.model);
  const config = body.generationConfig ?? {};
  const maxTokens = config.maxOutputTokens;
  if (maxTokens != null && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new RequestError(
      '* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer',
      'generationConfig.maxOutputTokens',
    );
  }
  const n = config.candidateCount ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new RequestError(
      '* GenerateContentRequest.generation_config.candidate_count: must be from 1 to 8',
      'generationConfig.candidateCount',
    );
  }
  const messages = contents.map((c) => ({
    role: c?.role === 'model' ? 'assistant' : 'user',
    content: partsText(c),
  }));
  const lastUser = messages.findLast((m) => m.role === 'user');
  const continuation = continuationOf(messages, { prefill: false });
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .flatMap((t) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []))
    .filter((f) => typeof f?.name === 'string')
    .map((f) => ({ name: f.name, schema: f.parametersJsonSchema ?? jsonSchema(f.parameters) }));
  const system = partsText(body.systemInstruction);
  const thinking = config.thinkingConfig ?? {};
  return {
    model: params.model,
    stream: params.method === 'streamGenerateContent',
    sse: query?.get('alt') === 'sse',
    prompt: continuation ? continuedPrompt(messages, { prefill: false }) : (lastUser?.content ?? ''),
    continuation,
    inputChars: messages.reduce((sum, m) => sum + m.content.length, system.length),
    maxTokens: maxTokens ?? null,
    stop: Array.isArray(config.stopSequences)
      ? config.stopSequences.filter((s) => typeof s === 'string')
      : [],
    n,
    tools,
    toolChoice: toolChoice(body.toolConfig?.functionCallingConfig),
    // Thought summaries are streamed like reasoning=12 when the request asks for them.
    reasoning: thinking.includeThoughts === true && thinking.thinkingBudget !== 0 ? 12 : 0,
    conversation: conversationOf(contents),
  };
}

function toolChoice(config) {
  const names = config?.allowedFunctionNames;
  switch (config?.mode) {
    case 'ANY':
    case 'VALIDATED':
      if (config.mode === 'ANY' && Array.isArray(names) && names.length === 1) {
        return { mode: 'tool', name: names[0] };
      }
      return config.mode === 'ANY' ? { mode: 'any' } : { mode: 'auto' };
    case 'NONE':
      return { mode: 'none' };
    default:
      return { mode: 'auto' };
  }
}

/**
 * JSON as Gemini's SSE chunks spell it: `": "` after every key, no space after commas
 * (`{"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"}}],...}`).
 */
export function geminiJson(value) {
  if (Array.isArray(value)) return `[${value.map(geminiJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${geminiJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

const responseId = (plan) => makeId(plan, '', 'gemini/response', 23);


/** usageMetadata after `output` answer tokens and `thoughts` thought tokens. */
function usageMetadata(plan, output, thoughts) {
  const usage = { promptTokenCount: plan.promptTokens };
  if (output > 0) usage.candidatesTokenCount = output;
  usage.totalTokenCount = plan.promptTokens + output + thoughts;
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: plan.promptTokens }];
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  return usage;
}

/** A functionCall part; the first of a step carries its thought signature (as Gemini 3 does). */
function functionCallPart(call, first) {
  const part = { functionCall: { name: call.name, args: JSON.parse(call.arguments) } };
  if (first) part.thoughtSignature = callSignature(call.name);
  return part;
}

/**
 * The chunks' parts of one candidate, in order: one thought part per reasoning token, one text
 * part per token (the first answer part after thoughts carries the thought signature), then all
 * function calls together in one chunk (parallel calls arrive in one chunk, without ids).
 * Each item: { parts, output, thoughts } (the tokens it adds to the usage).
 */
function* candidateSteps(plan, choice) {
  for (const text of choice.reasoning) yield { parts: [{ text, thought: true }], output: 0, thoughts: 1 };
  let signature = choice.reasoning.length ? signatureFor('text') : undefined;
  for (const text of choice.text) {
    yield { parts: [{ text, thoughtSignature: signature }], output: 1, thoughts: 0 };
    signature = undefined;
  }
  if (choice.toolCalls.length) {
    const parts = choice.toolCalls.map((call, i) => functionCallPart(call, i === 0));
    const output = choice.toolCalls.reduce((sum, call) => sum + call.fragments.length, 0);
    yield { parts, output, thoughts: 0 };
  } else if (choice.text.length === 0) {
    // Nothing to say: the finish still needs a candidate, with an empty text part.
    yield { parts: [{ text: '', thoughtSignature: signature }], output: 0, thoughts: 0 };
  }
}

function candidateEnd(choice, candidate) {
  candidate.finishReason = FINISH[choice.finish];
  if (choice.finish === 'tool_calls') candidate.finishMessage = 'Model generated function call(s).';
}

/** The chunks: one per step, the candidates that still have something, interleaved by index. */
function* chunks(plan) {
  const open = plan.choices.map((choice) => ({
    choice,
    steps: candidateSteps(plan, choice),
    next: null,
  }));
  for (const o of open) o.next = o.steps.next();
  let output = 0;
  let thoughts = 0;
  while (open.length > 0) {
    const candidates = [];
    for (let i = 0; i < open.length;) {
      const o = open[i];
      const step = o.next.value;
      output += step.output;
      thoughts += step.thoughts;
      o.next = o.steps.next();
      const candidate = { content: { parts: step.parts, role: 'model' } };
      if (o.next.done) candidateEnd(o.choice, candidate);
      candidate.index = o.choice.index;
      candidates.push(candidate);
      if (o.next.done) open.splice(i, 1);
      else i++;
    }
    const chunk = { candidates };
    if (plan.usage) chunk.usageMetadata = usageMetadata(plan, output, thoughts);
    chunk.modelVersion = plan.model;
    chunk.responseId = responseId(plan);
    yield chunk;
  }
}

/** `data: {...}\r\n\r\n` (SSE with CRLF, as Gemini writes it). */
const sseChunk = (chunk) => `data: ${geminiJson(chunk)}\r\n\r\n`;

function* streamEvents(plan, req) {
  if (req.sse) {
    for (const chunk of chunks(plan)) yield sseChunk(chunk);
    return;
  }
  let count = 0;
  for (const chunk of chunks(plan)) yield elementPiece(chunk, count++);
  yield arrayEnd(count);
}

function completeBody(plan) {
  const candidates = plan.choices.map((choice) => {
    const parts = [];
    if (choice.reasoning.length) parts.push({ text: choice.reasoning.join(''), thought: true });
    const signature = choice.reasoning.length ? signatureFor('text') : undefined;
    if (choice.text.length || !choice.toolCalls.length) {
      parts.push({ text: choice.text.join(''), thoughtSignature: signature });
    }
    parts.push(...choice.toolCalls.map((call, i) => functionCallPart(call, i === 0)));
    const candidate = { content: { parts, role: 'model' } };
    candidateEnd(choice, candidate);
    candidate.index = choice.index;
    return candidate;
  });
  const out = { candidates };
  if (plan.usage) {
    const thoughts = plan.reasoningTokens;
    out.usageMetadata = usageMetadata(plan, plan.completionTokens - thoughts, thoughts);
  }
  out.modelVersion = plan.model;
  out.responseId = responseId(plan);
  return out;
}

function errorBody(status, { message } = {}) {
  const [code, defaultMessage] = ERRORS[status] ?? [
    status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION',
    `HTTP ${status} (injected by the llmstream local provider).`,
  ];
  return { error: { code: status, message: message ?? defaultMessage, status: code } };
}

const STREAM_ERROR = errorBody(503);

/** The error payload that ends a failing stream (the SDK throws on a chunk with `error`). */
function inbandError(eventsSent, { framing }) {
  if (framing === 'json-array') {
    return [elementPiece(STREAM_ERROR, eventsSent), arrayEnd(1)];
  }
  return [sseChunk(STREAM_ERROR)];
}

export const gemini = {
  name: 'gemini',
  parse,
  describe: (body, params) => ({
    model: params.model,
    stream: params.method === 'streamGenerateContent',
  }),
  framing: (req) => (req.stream && !req.sse ? 'json-array' : 'sse'),
  streamEvents,
  completeBody,
  inbandError,
  errorBody,
  headers: () => ({}),
};

// `/v1beta/models/{model}:streamGenerateContent` and the like: any API version, `models/` or
// `tunedModels/`, and Vertex-style prefixes (`.../publishers/google/models/{model}:...`).
const PATH_RE = /^(?:\/[^/]+)*\/(?:models|tunedModels)\/([^/:]+):(streamGenerateContent|generateContent)$/;

/** -> { path, params: { model, method } } or null. */
export function matchGemini(pathname) {
  const m = PATH_RE.exec(pathname);
  if (!m) return null;
  let model;
  try {
    model = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  return { path: pathname, params: { model, method: m[2] } };
}
