// What OpenAI's Chat Completions API checks in the conversation it is sent, with its own 400
// messages and params: a role "tool" message must answer a call of the assistant turn before it,
// and an assistant turn with tool_calls must be followed by a tool message for each call id.
// Also the neutral view of the tool loop for the scripted model (tool-steps.mjs).

import { RequestError, textOf } from './plan.mjs';

const callIdsOf = (message) =>
  Array.isArray(message?.tool_calls) ? message.tool_calls.map((c) => c?.id) : [];

/** Throws the RequestError OpenAI would answer with, or returns the tool loop's view. */
export function checkChatTurns(messages) {
  let open = null; // the assistant turn whose calls the tool messages after it answer
  messages.forEach((message, i) => {
    if (message?.role === 'tool') {
      if (open === null || !open.ids.includes(message.tool_call_id)) {
        throw new RequestError(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding " +
            "message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      open.answered.add(message.tool_call_id);
      return;
    }
    closeTurn(open, i);
    const ids = message?.role === 'assistant' ? callIdsOf(message) : [];
    open = ids.length > 0 ? { ids, answered: new Set() } : null;
  });
  closeTurn(open, messages.length);
  return messages.map((m) => ({
    calls: m?.role === 'assistant' ? callIdsOf(m).length : 0,
    results: m?.role === 'tool' ? [textOf(m.content)] : [],
  }));
}

// The tool messages after an assistant turn's calls ended at message `i`: each call answered.
function closeTurn(open, i) {
  if (open === null) return;
  const missing = open.ids.filter((id) => !open.answered.has(id));
  if (missing.length === 0) return;
  throw new RequestError(
    "An assistant message with 'tool_calls' must be followed by tool messages responding to " +
      "each 'tool_call_id'. The following tool_call_ids did not have response messages: " +
      missing.join(', '),
    `messages.[${i}].role`,
  );
}
