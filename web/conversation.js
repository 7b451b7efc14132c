// The conversation mode's loop, in one place so that it can move to the package's own
// (`Conversation`, `streamCompletion({tools: {name: {execute}}, maxSteps})`) by changing this
// file only. Until then it is built on what the package has: streamCompletion with `messages`
// (OpenAI-shaped; the core writes each provider's own shape) and an array of `tools`.
//
// runTurn streams one user turn: step after step (one request each), every chunk of a step with
// its `step` number, the calls of a step executed in parallel as soon as their arguments are
// complete (`tool_call_end`), a `tool_result` chunk per call, the results sent back in the next
// step; it stops at a final answer, at the step limit (that step's tools still run), at an abort
// or at an error. The history keeps what was said, also when a turn is stopped.

import { runTool } from './demo-tools.js';

/** The messages of a conversation, in the OpenAI Chat shape the package's `messages` takes. */
export class ChatHistory {
  constructor() {
    /** @type {any[]} */
    this.messages = [];
  }

  reset() {
    this.messages = [];
  }

  appendUser(text) {
    this.messages.push({ role: 'user', content: text });
  }

  /** The assistant turn of one step: its text and its (complete) tool calls. */
  appendAssistant({ text, toolCalls }) {
    if (!text && toolCalls.length === 0) return;
    const message = { role: 'assistant', content: text || null };
    if (toolCalls.length) {
      message.tool_calls = toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments || '{}' },
      }));
    }
    this.messages.push(message);
  }

  appendToolResult(id, output) {
    this.messages.push({ role: 'tool', tool_call_id: id, content: output });
  }
}

/** The `tools` option (definitions only) for the demo tools. */
export function toolDefinitions(tools) {
  return Object.entries(tools).map(([name, t]) => ({ name, description: t.description, parameters: t.parameters }));
}

/**
 * One user turn (the user message is already in `history`). Yields the package's chunks, each
 * with `step` (1, 2, ...), plus `{type: 'step_start', step}` before a step's request and
 * `{type: 'tool_result', step, toolCall: {index, id, name}, output, isError}` per call.
 * `request`: streamCompletion options without `messages` / `tools`; `onStream(stream, step)`
 * sees each step's stream (metrics, result). `failing`: a demo tool made to fail.
 */
export async function* runTurn({ loader, history, request, tools, maxSteps, signal, onStream, failing }) {
  const definitions = toolDefinitions(tools);
  for (let step = 1; ; step++) {
    yield { type: 'step_start', step };
    const stream = loader.streamCompletion({
      ...request,
      messages: history.messages.slice(),
      ...(definitions.length ? { tools: definitions } : {}),
      signal,
    });
    onStream?.(stream, step);
    let text = '';
    const calls = [];
    const running = [];
    const settled = [];
    try {
      for await (const chunk of stream) {
        if (chunk.type === 'text' && !chunk.index) text += chunk.text;
        yield { ...chunk, step };
        if (chunk.type === 'tool_call_end' && chunk.toolCall.kind !== 'server') {
          // Gemini names no call ids: the results go back by position, but `messages` needs one.
          const call = { ...chunk.toolCall, id: chunk.toolCall.id || `call_${step}_${chunk.toolCall.index}` };
          calls.push(call);
          running.push(
            runTool(tools, call, { signal, failing }).then((r) => {
              const result = { type: 'tool_result', step, toolCall: { index: call.index, id: call.id, name: call.name }, ...r };
              settled.push(result);
              return result;
            }),
          );
        }
        while (settled.length) yield settled.shift();
      }
    } catch (error) {
      // Stopped or failed mid-step: keep the partial answer; calls without results are dropped.
      history.appendAssistant({ text, toolCalls: [] });
      throw error;
    }
    const results = await Promise.all(running);
    while (settled.length) yield settled.shift();
    history.appendAssistant({ text, toolCalls: calls });
    for (const r of results) history.appendToolResult(r.toolCall.id, r.output);
    if (signal?.aborted) throw signal.reason ?? new DOMException('The turn was stopped', 'AbortError');
    if (calls.length === 0 || step >= maxSteps) return;
  }
}
