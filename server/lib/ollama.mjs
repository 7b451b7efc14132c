// Ollama `/api/chat` and `/api/generate` (docs/wire-formats.md "Ollama"): request parsing, the
// NDJSON stream (one object per line, the last one `done: true` with `done_reason`, counters
// and durations), the `stream: false` object, and `{"error": "..."}` errors (HTTP and in-band).

import { RequestError, continuationOf, continuedPrompt, makeId, textOf } from './plan.mjs';
import { ndjsonLine } from './ndjson.mjs';
import { chatConversation } from './tool-steps.mjs';

/**
 * Ollama is lenient with the conversation: tool results for calls it never made and calls
 * without results are templated as they are. What it refuses is what Go cannot decode: a tool
 * call's arguments that are not an object (the message is Go's, as the server returns it).
 */
function checkToolCalls(messages) {
  for (const m of messages) {
    for (const call of Array.isArray(m?.tool_calls) ? m.tool_calls : []) {
      const args = call?.function?.arguments;
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        const kind = Array.isArray(args) ? 'array' : args === null ? 'null' : typeof args;
        throw new RequestError(
          `json: cannot unmarshal ${kind} into Go struct field ToolCallFunction.messages.tool_calls.` +
            'function.arguments of type api.ToolCallFunctionArguments',
          'messages',
        );
      }
    }
  }
}


const DONE_REASON = { stop: 'stop', stop_sequence: 'stop', length: 'length', tool_calls: 'stop' };

// Messages as the Go server writes them (server/routes.go, api/types.go).
const ERRORS = {
  400: 'invalid request (injected by the llmstream local provider)',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'model not found, try pulling it first',
  429: 'too many requests, please try again later',
  500: 'an error was encountered while running the model',
  502: 'bad gateway',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

// Durations (ns) derived from the counts, so that the same request gives the same bytes.
const LOAD_NS = 54_884_125;
const PROMPT_NS_PER_TOKEN = 1_034_267;
const EVAL_NS_PER_TOKEN = 15_187_093;
const MAX_CONTEXT_IDS = 4096;

/** `params.api` is 'chat' or 'generate' (from the path). */
function parse(body, { params }) {
  const api = params.api;
  if (typeof body.model !== 'string' || body.model === '') {
    throw new RequestError('model is required', 'model');
  }
  const options = body.options && typeof body.options === 'object' ? body.options : {};
  const numPredict = options.num_predict;
  let maxTokens = null;
  if (numPredict != null) {
    if (!Number.isInteger(numPredict)) {
      throw new RequestError(
        'json: cannot unmarshal number into Go struct field Options.num_predict of type int',
        'options',
      );
    }
    if (numPredict >= 0) maxTokens = numPredict; // -1: unlimited, -2: fill the context
  }
  const stop = [options.stop ?? []].flat().filter((s) => typeof s === 'string' && s !== '');
  const think = body.think === true || ['low', 'medium', 'high'].includes(body.think);
  const common = {
    api,
    model: body.model,
    stream: body.stream !== false, // Ollama streams unless told not to
    maxTokens,
    stop,
    n: 1,
    reasoning: think ? 12 : 0,
    think,
  };
  if (api === 'generate') {
    if (body.prompt != null && typeof body.prompt !== 'string') {
      throw new RequestError('prompt must be a string', 'prompt');
    }
    const prompt = body.prompt ?? '';
    const system = typeof body.system === 'string' ? body.system : '';
    return {
      ...common,
      // An empty prompt only loads the model: one done line, done_reason "load".
      load: prompt === '' && !body.images?.length,
      prompt,
      inputChars: prompt.length + system.length,
      tools: [],
      toolChoice: { mode: 'auto' },
    };
  }
  if (body.messages != null && !Array.isArray(body.messages)) {
    throw new RequestError(
      'json: cannot unmarshal object into Go struct field ChatRequest.messages of type []api.Message',
      'messages',
    );
  }
  const messages = body.messages ?? [];
  checkToolCalls(messages);
  const lastUser = messages.findLast((m) => m?.role === 'user');
  const continuation = continuationOf(messages, { prefill: true });
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => typeof t?.function?.name === 'string')
    .map((t) => ({ name: t.function.name, schema: t.function.parameters }));
  return {
    ...common,
    load: messages.length === 0, // no messages: the model is loaded, nothing generated
    prompt: continuation ? continuedPrompt(messages, { prefill: true }) : textOf(lastUser?.content),
    continuation,
    inputChars: messages.reduce((sum, m) => sum + textOf(m?.content).length, 0),
    tools,
    // Ollama has no tool_choice: tool calls come from the scenario (tool_call=N, tool_steps=K).
    toolChoice: { mode: 'auto' },
    conversation: chatConversation(messages, textOf),
  };
}

/** `created_at` of line `index`: the request's second plus index µs (RFC 3339, as Go writes). */
function createdAt(plan, index) {
  const base = new Date(plan.created * 1000).toISOString().slice(0, 19);
  return `${base}.${String(100000 + index).padStart(6, '0')}Z`;
}

const toolCallId = (plan, call) => makeId(plan, 'call_', `ollama/${call.index}`, 8).toLowerCase();

function toolCalls(plan, choice) {
  return choice.toolCalls.map((call) => ({
    id: toolCallId(plan, call),
    function: { index: call.index, name: call.name, arguments: JSON.parse(call.arguments) },
  }));
}

/** The counters and durations of the done line; zero counters are left out (Go omitempty). */
function doneFields(plan, req) {
  const choice = plan.choices[0];
  const promptTokens = plan.usage && !req.load ? plan.promptTokens : 0;
  const evalTokens = plan.usage && !req.load ? choice.completionTokens : 0;
  const out = { done: true, done_reason: req.load ? 'load' : DONE_REASON[choice.finish] };
  if (req.load) return out;
  const promptNs = plan.promptTokens * PROMPT_NS_PER_TOKEN;
  const evalNs = Math.max(1, choice.completionTokens) * EVAL_NS_PER_TOKEN;
  out.total_duration = LOAD_NS + promptNs + evalNs + 1_234_567;
  out.load_duration = LOAD_NS;
  if (promptTokens) out.prompt_eval_count = promptTokens;
  out.prompt_eval_duration = promptNs;
  if (evalTokens) out.eval_count = evalTokens;
  out.eval_duration = evalNs;
  return out;
}

/** /api/generate's `context`: token ids of prompt and answer (deterministic, at most 4096). */
function context(plan) {
  const length = Math.min(MAX_CONTEXT_IDS, plan.promptTokens + plan.completionTokens);
  const seed = parseInt(plan.seed.slice(0, 6), 16);
  return Array.from({ length }, (_, i) => 1 + ((seed + i * 7919) % 151_000));
}

function* streamEvents(plan, req) {
  const choice = plan.choices[0];
  let index = 0;
  const line = (fields) =>
    ndjsonLine({ model: plan.model, created_at: createdAt(plan, index++), ...fields });
  if (req.api === 'generate') {
    yield* generateLines(plan, req, choice, line);
    return;
  }
  const message = (fields) => ({ role: 'assistant', content: '', ...fields });
  if (req.load) {
    yield line({ message: message({}), ...doneFields(plan, req) });
    return;
  }
  for (const thinking of choice.reasoning) yield line({ message: message({ thinking }), done: false });
  for (const content of choice.text) yield line({ message: message({ content }), done: false });
  // Tool calls arrive whole, all of them in one line.
  if (choice.toolCalls.length) {
    yield line({ message: message({ tool_calls: toolCalls(plan, choice) }), done: false });
  }
  yield line({ message: message({}), ...doneFields(plan, req) });
}

function* generateLines(plan, req, choice, line) {
  if (!req.load) {
    for (const thinking of choice.reasoning) yield line({ response: '', thinking, done: false });
    for (const response of choice.text) yield line({ response, done: false });
  }
  const done = doneFields(plan, req);
  yield line({ response: '', ...done, ...(req.load ? {} : { context: context(plan) }) });
}

function completeBody(plan, req) {
  const choice = plan.choices[0];
  const head = { model: plan.model, created_at: createdAt(plan, 0) };
  if (req.api === 'generate') {
    const out = { ...head, response: req.load ? '' : choice.text.join('') };
    if (choice.reasoning.length && !req.load) out.thinking = choice.reasoning.join('');
    return { ...out, ...doneFields(plan, req), ...(req.load ? {} : { context: context(plan) }) };
  }
  const message = { role: 'assistant', content: req.load ? '' : choice.text.join('') };
  if (!req.load) {
    if (choice.reasoning.length) message.thinking = choice.reasoning.join('');
    if (choice.toolCalls.length) message.tool_calls = toolCalls(plan, choice);
  }
  return { ...head, message, ...doneFields(plan, req) };
}

function errorBody(status, { message } = {}) {
  return { error: message ?? ERRORS[status] ?? `HTTP ${status} (injected by the llmstream local provider)` };
}

export const ollama = {
  name: 'ollama',
  parse,
  describe: (body) => ({ model: body.model, stream: body.stream !== false }),
  framing: () => 'ndjson',
  streamEvents,
  completeBody,
  // A runner that fails mid-answer: the status stays 200 and one error line ends the body.
  inbandError: () => [
    ndjsonLine({ error: 'an error was encountered while running the model: unexpected EOF' }),
  ],
  errorBody,
  headers: () => ({}),
};

/** `/api/chat`, `/api/generate` -> { path, params } or null. */
export function matchOllama(pathname) {
  if (pathname === '/api/chat') return { path: pathname, params: { api: 'chat' } };
  if (pathname === '/api/generate') return { path: pathname, params: { api: 'generate' } };
  return null;
}
