// The streaming tool loop behind `streamCompletion({tools: {name: {description, parameters,
// execute}}, maxSteps})`: a driver session (the shape npm/src/core/session.js has: an async
// iterable of chunk arrays with cancel(), result(), error(), failure) over one core session per
// step, so ChunkStream, tee(), metrics and the transforms work on a loop as on one stream.
//
// Each step opens with a step_start chunk and streams as it arrives, every chunk with its
// `step`; a function call starts running when its tool_call_end arrives (calls run in
// parallel); the step's turn (`result.message`, built by the core) and the results, in the
// calls' order, go into the Conversation; the next step streams. The rules are the C++
// ToolLoop's (llmstream/tool_loop.h): the same default step limit, the same error results
// (abi.js TOOL_LOOP), the same stop reasons (LOOP_STOPS).

import { LOOP_STOPS, TOOL_LOOP } from '../dist/core/abi.js';
import { shapeCompletion } from './complete.js';
import { Conversation, outputText } from './conversation.js';
import { AbortError, InvalidRequestError } from './errors.js';

/** The step limit of a tool loop when `maxSteps` is not given (the C++ kDefaultMaxSteps). */
export const DEFAULT_MAX_STEPS = TOOL_LOOP.defaultMaxSteps;

const STOP = Object.freeze(Object.fromEntries(LOOP_STOPS.filter(Boolean).map((name) => [name, name])));
const ABORTED = Symbol('aborted');

/** A TOOL_LOOP message template with {name}, {tools}, {why} filled in (C++ FillToolMessage). */
export function fillToolMessage(template, { name = '', tools = '', why = '' }) {
  return template.replace(/\{(name|tools|why)\}/g, (_, key) => ({ name, tools, why })[key]);
}

/** Why `text` is not a JSON object ('' when it is one; '' counts as {}), in the C++'s words. */
function notAnObject(text) {
  if (text === '' || text === undefined) return '';
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a JSON array';
  return typeof value === 'object' ? '' : `a JSON ${typeof value}`;
}

/**
 * The object form of `tools` checked: {definitions, tools} (definitions as the core takes them),
 * or null when `tools` is the array form (no loop).
 */
export function toolSet(tools) {
  if (tools === undefined || tools === null || Array.isArray(tools)) return null;
  const fail = (message) => {
    throw new InvalidRequestError(message);
  };
  if (typeof tools !== 'object') fail('tools must be an array of definitions or an object {name: {description, parameters, execute}}');
  const definitions = [];
  for (const [name, tool] of Object.entries(tools)) {
    if (tool === null || typeof tool !== 'object') fail(`tools.${name} must be an object {description, parameters, execute}`);
    if (typeof tool.execute !== 'function') fail(`tools.${name}.execute must be a function (async (args, {toolCallId, signal, messages}) => output)`);
    if (tool.description !== undefined && typeof tool.description !== 'string') fail(`tools.${name}.description must be a string`);
    if (tool.parameters !== undefined && (tool.parameters === null || typeof tool.parameters !== 'object')) {
      fail(`tools.${name}.parameters must be a JSON Schema object`);
    }
    definitions.push({ name, ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}) });
  }
  if (definitions.length === 0) fail('tools must name at least one tool');
  return { definitions, tools };
}

function addNullable(a, b) {
  if (typeof b !== 'number') return a ?? null;
  return (typeof a === 'number' ? a : 0) + b;
}

/** Usage summed over steps (each count that either has; estimated when either is). */
function addUsage(sum, usage) {
  if (!usage) return sum;
  const out = sum ?? { promptTokens: null, completionTokens: null, totalTokens: 0, cachedTokens: null,
    cacheWriteTokens: null, reasoningTokens: null, estimated: false };
  return {
    promptTokens: addNullable(out.promptTokens, usage.promptTokens),
    completionTokens: addNullable(out.completionTokens, usage.completionTokens),
    totalTokens: out.totalTokens + (usage.totalTokens ?? 0),
    cachedTokens: addNullable(out.cachedTokens, usage.cachedTokens),
    cacheWriteTokens: addNullable(out.cacheWriteTokens, usage.cacheWriteTokens),
    reasoningTokens: addNullable(out.reasoningTokens, usage.reasoningTokens),
    estimated: out.estimated || usage.estimated === true,
  };
}

const COST_TRUST = ['none', 'provider', 'price_table', 'estimated'];

/** Cost details summed over steps (the least trusted source, the first price date). */
function addCost(sum, cost) {
  if (!cost) return sum;
  if (!sum) return { ...cost };
  const source = COST_TRUST.indexOf(cost.source) > COST_TRUST.indexOf(sum.source) ? cost.source : sum.source;
  return {
    totalUsd: sum.totalUsd + cost.totalUsd,
    inputUsd: sum.inputUsd + cost.inputUsd,
    cachedInputUsd: sum.cachedInputUsd + cost.cachedInputUsd,
    cacheWriteUsd: sum.cacheWriteUsd + cost.cacheWriteUsd,
    outputUsd: sum.outputUsd + cost.outputUsd,
    source,
    estimated: source === 'estimated',
    priceDate: sum.priceDate ?? cost.priceDate ?? null,
  };
}

export class LoopSession {
  /**
   * @param {object} options
   * @param {Record<string, unknown>} options.driver the first step's driver options
   * @param {{definitions: object[], tools: Record<string, any>}} options.toolSet
   * @param {number} [options.maxSteps]
   * @param {AbortSignal} [options.signal]
   * @param {(driver: Record<string, unknown>) => Promise<any>} options.openStep opens one core session
   */
  constructor({ driver, toolSet: set, maxSteps = TOOL_LOOP.defaultMaxSteps, signal, openStep }) {
    const { prompt, messages, ...base } = driver;
    this.base = { ...base, tools: set.definitions };
    this.tools = set.tools;
    this.names = Object.keys(set.tools);
    this.maxSteps = Math.max(1, maxSteps);
    this.openStep = openStep;
    this.conversation = new Conversation(messages ?? []);
    if (typeof prompt === 'string' && prompt !== '') this.conversation.appendUser(prompt);
    // The tools' signal: aborts with the request's signal, a cancel(), or a failed step.
    this.controller = new AbortController();
    this.signal = signal;
    if (signal?.aborted) this.controller.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
    this.current = null; // the step's core session
    this.steps = [];
    // The transport facts of the steps already done: metrics() spans the whole loop.
    this.firstResponseAtMs = null;
    this.bytesDone = 0;
    this.step = 0;
    this.stopReason = STOP.running;
    this.loopFailure = null;
    this.cancelled = false;
    this.generator = this.run();
  }

  get failure() {
    return this.loopFailure ?? this.current?.failure ?? null;
  }

  get attempts() {
    return this.steps.reduce((n, s) => n + (s.attempts ?? 0), 0) + (this.current?.attempts ?? 0);
  }

  /** When the first step's response arrived (metrics: time to headers). */
  get responseAtMs() {
    return this.firstResponseAtMs ?? this.current?.responseAtMs ?? null;
  }

  /** The response bytes of every step so far. */
  get bytesRead() {
    return this.bytesDone + (this.current?.bytesRead ?? 0);
  }

  error() {
    const failure = this.failure;
    return failure ? { code: failure.code, message: failure.message } : null;
  }

  cancel() {
    this.cancelled = true;
    this.controller.abort();
    this.current?.cancel?.();
  }

  [Symbol.asyncIterator]() {
    return this.generator;
  }

  /** The loop's completion: the last step's, with the sums, the steps and the conversation. */
  result() {
    const last = this.steps.at(-1)?.raw ?? this.current?.result?.() ?? null;
    if (!last) return null;
    let usage = null;
    let cost = null;
    for (const s of this.steps) {
      usage = addUsage(usage, s.raw.usage);
      cost = addCost(cost, s.raw.cost);
    }
    return {
      ...last,
      usage,
      cost,
      steps: this.steps.map((s) => s.completion),
      conversation: this.conversation.messages,
      stopReason: this.stopReason,
    };
  }

  /** Runs one call: its outcome {toolCallId, name, output, isError}. Never rejects. */
  async runTool(call, messages) {
    const done = (output, isError) => ({ toolCallId: call.id, name: call.name, output, isError });
    if (!Object.hasOwn(this.tools, call.name)) {
      return done(fillToolMessage(TOOL_LOOP.unknownTool, { name: call.name, tools: this.names.join(', ') || 'none' }), true);
    }
    const why = notAnObject(call.arguments);
    if (why) return done(fillToolMessage(TOOL_LOOP.invalidArguments, { name: call.name, why }), true);
    try {
      const args = call.arguments ? JSON.parse(call.arguments) : {};
      const value = await this.tools[call.name].execute(args, { toolCallId: call.id, signal: this.controller.signal, messages });
      try {
        return done(outputText(value), false);
      } catch (error) {
        return done(fillToolMessage(TOOL_LOOP.toolFailed, { name: call.name, why: `its output is ${error.message}` }), true);
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return done(fillToolMessage(TOOL_LOOP.toolFailed, { name: call.name, why }), true);
    }
  }

  /** Ends the loop with `reason`; a failure keeps the loop's result as its partial. */
  end(reason, failure = null) {
    this.stopReason = reason;
    if (failure) {
      this.loopFailure = failure;
      failure.partial = shapeCompletion(this.result());
    }
    if (reason !== STOP.final_answer && reason !== STOP.step_limit) this.controller.abort();
  }

  async *run() {
    try {
      yield* this.runSteps();
    } finally {
      // A break or cancel() returns the generator at a yield, before end(): the loop was aborted.
      if (this.stopReason === STOP.running) this.end(STOP.aborted);
    }
  }

  async *runSteps() {
    for (let step = 1; ; step++) {
      this.step = step;
      if (this.cancelled) return this.end(STOP.aborted);
      // Before the step's request is sent (the consumer pulls the next chunk for it), as the
      // C++ runner's kStepStart: a view can show when each request went out.
      yield [{ type: 'step_start', step }];
      const messages = this.conversation.messages;
      const session = await this.openStep({ ...this.base, messages });
      this.current = session;
      if (this.cancelled) session.cancel();
      const started = new Map(); // call id -> promise of its outcome
      const start = (call) => {
        if (!started.has(call.id)) started.set(call.id, this.runTool(call, messages));
      };
      let done = null;
      try {
        for await (const batch of session) {
          const out = [];
          for (const chunk of batch) {
            chunk.step = step;
            if (chunk.type === 'done') {
              done = chunk; // the loop's own done comes last
              continue;
            }
            out.push(chunk);
            const call = chunk.type === 'tool_call_end' ? chunk.toolCall : null;
            if (call && (chunk.index ?? 0) === 0 && call.kind !== 'server' && call.id) start(call);
          }
          if (out.length) yield out;
        }
      } finally {
        this.firstResponseAtMs ??= session.responseAtMs ?? null;
        this.bytesDone += session.bytesRead ?? 0;
        this.current = null;
        const raw = session.result();
        this.steps.push({ raw, completion: shapeCompletion(raw), attempts: session.attempts });
      }
      const { raw } = this.steps.at(-1);
      if (session.failure || raw?.error) {
        const failure = session.failure;
        return this.end(failure?.code === 'aborted' || raw?.error?.code === 'aborted' ? STOP.aborted : STOP.error, failure);
      }
      this.conversation.append(raw);
      const calls = this.conversation.pendingToolCalls();
      const finish = { type: 'step_finish', step, finishReason: done?.finishReason ?? raw.finishReason ?? null,
        toolCalls: calls.length };
      if (calls.length === 0) {
        this.end(STOP.final_answer);
        yield [finish, { ...(done ?? { type: 'done', done: true, finishReason: finish.finishReason }), step, stopReason: this.stopReason }];
        return;
      }
      for (const call of calls) start(call);
      // The results as they come, then into the conversation in the calls' order.
      const outcomes = new Map();
      const cancelled = (call) => ({ toolCallId: call.id, name: call.name,
        output: fillToolMessage(TOOL_LOOP.toolCancelled, { name: call.name }), isError: true });
      let cut = [];
      try {
        const aborted = new Promise((resolve) => {
          if (this.controller.signal.aborted) resolve(ABORTED);
          else this.controller.signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
        });
        const waiting = new Map(calls.map((c) => [c.id, started.get(c.id).then((o) => ({ id: c.id, o }))]));
        while (waiting.size) {
          const next = await Promise.race([...waiting.values(), aborted]);
          if (next === ABORTED) break;
          waiting.delete(next.id);
          outcomes.set(next.id, next.o);
          yield [{ type: 'tool_result', step, toolResult: next.o }];
        }
        cut = calls.filter((c) => !outcomes.has(c.id));
        for (const call of cut) outcomes.set(call.id, cancelled(call));
        if (cut.length) yield cut.map((call) => ({ type: 'tool_result', step, toolResult: outcomes.get(call.id) }));
      } finally {
        // Also when a break or cancel() returns the generator at a yield above: the calls not
        // answered yet are cut (their tools get the abort) and answered as cancelled, so the
        // conversation never ends with calls that have no results (every provider refuses that).
        if (calls.some((c) => !outcomes.has(c.id))) this.controller.abort();
        for (const call of calls) {
          const o = outcomes.get(call.id) ?? cancelled(call);
          this.conversation.appendToolResult(call.id, o.output, { isError: o.isError });
        }
      }
      if (cut.length || this.cancelled || this.controller.signal.aborted) {
        const error = new AbortError('The tool loop was aborted while its tools ran');
        this.end(STOP.aborted, error);
        yield [finish, { type: 'error', step, error }];
        return;
      }
      if (step >= this.maxSteps) {
        this.end(STOP.step_limit);
        yield [finish, { type: 'done', done: true, finishReason: finish.finishReason, step, stopReason: this.stopReason }];
        return;
      }
      yield [finish];
    }
  }
}
