// The provider-neutral answer to one request: what every choice says (reasoning, text,
// tool calls), why it stops, and the usage numbers. Each API writer renders a plan in its
// own wire format, so the three endpoints behave the same for the same request.

import { createHash } from 'node:crypto';

import {
  continuationTokens,
  cutAtStop,
  estimateTokens,
  reasoningTokens,
  replyTokens,
  stampTokens,
  tokenize,
} from './textgen.mjs';
import { argumentsFor, openaiFragments } from './tool-args.mjs';
import { scriptedStep, toolsForStep } from './tool-steps.mjs';

/** A 400 for the request body, rendered in the endpoint's error shape. */
export class RequestError extends Error {
  /**
   * @param {string} message @param {string | null} [param] @param {number} [status] the HTTP
   * status (400) @param {string} [code] the error code where the API has one (OpenAI `code`)
   */
  constructor(message, param = null, status = 400, code = undefined) {
    super(message);
    this.param = param;
    this.status = status;
    this.code = code;
  }
}

/** Concatenated text of a message `content`: a string or an array of parts with `text`. */
export function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (typeof part === 'string') return part;
      return typeof part?.text === 'string' ? part.text : '';
    })
    .join('');
}

/**
 * The partial answer a request asks to continue, if it has that shape: `prefill` (Anthropic)
 * when the last message is the assistant's, or (OpenAI-style) user, assistant, then a user
 * turn asking to continue.
 */
export function continuationOf(messages, { prefill }) {
  const last = messages.at(-1);
  if (prefill && last?.role === 'assistant') return textOf(last.content) || undefined;
  const [user, assistant, ask] = messages.slice(-3);
  if (
    messages.length >= 3 &&
    user?.role === 'user' &&
    assistant?.role === 'assistant' &&
    !assistant.tool_calls &&
    ask?.role === 'user' &&
    /\bcontinue\b/i.test(textOf(ask.content))
  ) {
    return textOf(assistant.content) || undefined;
  }
  return undefined;
}

/** The prompt a continuation answers: the user turn before the partial answer. */
export function continuedPrompt(messages, { prefill }) {
  const at = prefill && messages.at(-1)?.role === 'assistant' ? -2 : -3;
  return textOf(messages.at(at)?.content);
}

/** A max-tokens field: null when absent, else it must be a positive integer. */
export function tokenLimit(value, param) {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1) {
    throw new RequestError(`${param} must be a positive integer`, param);
  }
  return value;
}

/**
 * Builds the plan. `request` is what a dialect parser extracted:
 *   { model, prompt, inputChars, maxTokens, stop, n, tools: [{name, schema}],
 *     toolChoice: {mode: 'auto'|'none'|'any'|'tool', name?}, reasoning (default count),
 *     continuation (the partial answer the client asks to continue, or undefined),
 *     jsonOutput ({schema} when the body asks for JSON output: json-output.mjs) }
 * `seed` (hex) makes ids deterministic; `scenario` holds tokens/text/reasoning/tool_call/usage.
 */
export function buildPlan(request, scenario, seed) {
  // tool_steps: the scripted tool-calling model decides (lib/tool-steps.mjs).
  const step = scriptedStep(request, scenario);
  const calls = step ? (step.call ? stepCalls(request, step.count) : []) : toolCallsFor(request, scenario);
  const reasoningWanted = scenario.reasoning ?? request.reasoning ?? 0;
  const choices = [];
  for (let index = 0; index < request.n; index++) {
    let budget = request.maxTokens ?? Infinity;
    const reasoning = reasoningTokens(request.prompt, Math.min(reasoningWanted, budget));
    budget -= reasoning.length;

    let text = [];
    const count = scenario.tokens ?? 40;
    const continued =
      index === 0 && request.continuation
        ? continuationTokens(request.prompt, count, request.continuation)
        : null;
    if (step && !step.call) text = tokenize(step.text);
    else if (scenario.text !== undefined) text = tokenize(scenario.text);
    else if (scenario.stamp) text = stampTokens(count);
    else if (request.jsonOutput && calls.length === 0) text = tokenize(jsonAnswer(request, index));
    else if (continued) text = continued;
    else if (calls.length === 0) text = replyTokens(request.prompt, count, index);
    // Whichever comes first ends the output: the token budget or a stop sequence.
    const stopped = cutAtStop(text, request.stop);
    let finish = 'stop';
    let stopSequence = null;
    if (reasoning.length < reasoningWanted || stopped.tokens.length > budget) {
      text = text.slice(0, budget);
      finish = 'length';
    } else if (stopped.stop !== null) {
      text = stopped.tokens;
      finish = 'stop_sequence';
      stopSequence = stopped.stop;
    } else if (calls.length > 0) {
      finish = 'tool_calls';
    }

    const toolCalls = finish === 'tool_calls' ? calls : [];
    const toolTokens = toolCalls.reduce((sum, call) => sum + call.fragments.length, 0);
    choices.push({
      index,
      reasoning,
      text,
      toolCalls,
      finish,
      stopSequence,
      completionTokens: reasoning.length + text.length + toolTokens,
    });
  }
  return {
    seed,
    model: request.model,
    created: Math.floor(Date.now() / 1000),
    promptTokens: estimateTokens(request.inputChars),
    choices,
    completionTokens: choices.reduce((sum, c) => sum + c.completionTokens, 0),
    reasoningTokens: choices.reduce((sum, c) => sum + c.reasoning.length, 0),
    usage: scenario.usage !== false,
  };
}

/**
 * The answer of a JSON output: a value generated from the schema (tool-args.mjs), or for a bare
 * JSON mode ({} schema) an object holding the prose reply.
 */
function jsonAnswer(request, index) {
  const value = argumentsFor(request.jsonOutput.schema);
  if (Object.keys(value).length === 0) value.answer = replyTokens(request.prompt, 12, index).join('').trim();
  return JSON.stringify(value);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic id: `prefix` + `length` (at most 32) characters from the seed and a salt. */
export function makeId(plan, prefix, salt, length = 24) {
  const digest = createHash('sha256').update(plan.seed).update(salt).digest();
  let out = prefix;
  for (let i = 0; i < length; i++) out += ID_ALPHABET[digest[i] % ID_ALPHABET.length];
  return out;
}

/** One planned call of `tool` (arguments from its schema). */
function plannedCall(tool, index) {
  const args = JSON.stringify(argumentsFor(tool.schema));
  return { index, name: tool.name, arguments: args, fragments: openaiFragments(args) };
}

function requireTools(tools) {
  if (tools.length === 0) {
    throw new RequestError(
      'a tool call was requested (tool_call or tool_choice) but the request has no tools',
      'tools',
    );
  }
}

/** A scripted step's `count` parallel calls, cycling through the request's tools. */
function stepCalls(request, count) {
  requireTools(request.tools);
  return toolsForStep(request.tools, count).map(plannedCall);
}

function toolCallsFor(request, scenario) {
  const { tools, toolChoice } = request;
  let count = scenario.tool_call;
  if (count === undefined) count = toolChoice.mode === 'any' || toolChoice.mode === 'tool' ? 1 : 0;
  if (count === 0) return [];
  requireTools(tools);
  let pick = (i) => tools[i % tools.length];
  if (toolChoice.mode === 'tool') {
    const forced = tools.find((t) => t.name === toolChoice.name);
    if (!forced) {
      throw new RequestError(
        `tool_choice names an unknown tool '${toolChoice.name}'`,
        'tool_choice',
      );
    }
    pick = () => forced;
  }
  return Array.from({ length: count }, (_, i) => plannedCall(pick(i), i));
}
