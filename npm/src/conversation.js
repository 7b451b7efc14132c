// Conversation: the turns of a multi-turn exchange as plain, JSON-serializable message objects
// (index.d.ts, Message), ready to be sent as `messages` or stored. The assistant turn of a
// completion is `completion.message`, built by the core (C++ AssistantMessage) with its parts in
// order (reasoning with signatures, redacted data, tool calls, provider blocks) and its origin:
// this class only keeps the list and the tool-call bookkeeping, as the C++ Conversation does.

import { PART_KINDS, PartKind } from '../dist/core/abi.js';
import { InvalidRequestError } from './errors.js';

const TOOL_CALL_PART = PART_KINDS[PartKind.TOOL_CALL];

/** A copy that holds only JSON (a stored conversation reads back the same). */
function plain(message, where) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw new InvalidRequestError(`${where} must be a message object {role, content, ...}`);
  }
  if (typeof message.role !== 'string' || message.role === '') {
    throw new InvalidRequestError(`${where}.role must be a non-empty string`);
  }
  return JSON.parse(JSON.stringify(message));
}

/** A tool's output as the text the model reads: strings as they are, anything else as JSON. */
export function outputText(output) {
  if (typeof output === 'string') return output;
  let text;
  try {
    text = JSON.stringify(output);
  } catch {
    text = undefined; // a BigInt, a cycle
  }
  if (typeof text !== 'string') throw new TypeError(`not JSON-serializable (${typeof output})`);
  return text;
}

export class Conversation {
  #messages;

  /** @param {object[]} [messages] earlier turns (e.g. a stored `conversation.messages`) */
  constructor(messages = []) {
    if (!Array.isArray(messages)) throw new InvalidRequestError('Conversation(messages): messages must be an array');
    this.#messages = messages.map((m, i) => plain(m, `messages[${i}]`));
  }

  /** The turns, as plain objects (a copy of the list: append through the methods). */
  get messages() {
    return this.#messages.slice();
  }

  get length() {
    return this.#messages.length;
  }

  appendUser(text) {
    this.#messages.push({ role: 'user', content: String(text) });
    return this;
  }

  appendSystem(text) {
    this.#messages.push({ role: 'system', content: String(text) });
    return this;
  }

  /**
   * Appends a completion's assistant turn (`completion.message`, as streamCompletion's result
   * and `complete()` give it), or any message object as it is.
   */
  append(completionOrMessage) {
    const value = completionOrMessage;
    if (value && typeof value === 'object' && 'message' in value && !value.message && typeof value.role !== 'string') {
      throw new InvalidRequestError('this completion has no message: it streamed without `messages` on the core ' +
        'module, which builds none; stream the conversation as `messages` (e.g. conversation.messages)');
    }
    if (value && typeof value === 'object' && value.message && typeof value.message === 'object' &&
        typeof value.role !== 'string') {
      this.#messages.push(plain(value.message, 'completion.message'));
    } else if (value && typeof value === 'object' && Array.isArray(value.messages) && typeof value.role !== 'string') {
      throw new InvalidRequestError('append() takes one completion or message; for a list use new Conversation(messages)');
    } else {
      this.#messages.push(plain(value, 'append(message)'));
    }
    return this;
  }

  /**
   * Appends the result of tool call `toolCallId`: `output` is a string, or any JSON value
   * (sent as its JSON text). `isError`: the tool failed and the output says why.
   */
  appendToolResult(toolCallId, output, { isError = false } = {}) {
    if (typeof toolCallId !== 'string' || toolCallId === '') {
      throw new InvalidRequestError('appendToolResult: toolCallId must be a non-empty string');
    }
    let content;
    try {
      content = outputText(output);
    } catch (error) {
      throw new InvalidRequestError(`appendToolResult: the output is ${error.message}`);
    }
    this.#messages.push({ role: 'tool', content, toolCallId, ...(isError ? { isError: true } : {}) });
    return this;
  }

  /**
   * The tool calls of the last assistant turn that no result answers yet, in order:
   * [{id, name, arguments}] (`arguments` the JSON text as the model wrote it).
   */
  pendingToolCalls() {
    const messages = this.#messages;
    let last = messages.length;
    while (last > 0 && messages[last - 1].role !== 'assistant') last--;
    if (last === 0) return [];
    const answered = new Set(
      messages.slice(last).filter((m) => m.role === 'tool').map((m) => m.toolCallId ?? m.tool_call_id),
    );
    const turn = messages[last - 1];
    const calls = Array.isArray(turn.parts) && turn.parts.length
      ? turn.parts.filter((p) => p?.type === TOOL_CALL_PART && p.toolCall).map((p) => p.toolCall)
      : (turn.toolCalls ?? turn.tool_calls ?? []).map((c) => ({
          id: c.id,
          name: c.name ?? c.function?.name,
          arguments: c.arguments ?? c.function?.arguments ?? '',
        }));
    return calls
      .filter((c) => !answered.has(c.id))
      .map((c) => ({ id: c.id, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) }));
  }

  toJSON() {
    return this.#messages;
  }
}
