// The conversation mode's turn, on the package's own Conversation and tool loop: a turn is one
// streamCompletion with the conversation as `messages` and the checked demo tools as `tools`
// with `execute`, so the package runs the steps (calls of a step in parallel as soon as their
// arguments are complete, a `tool_result` chunk per call, the results sent back, the step
// limit) and every step's turn is `completion.message`, built by the core with what the provider
// checks on the next request (thinking and its signature, redacted thinking, encrypted
// reasoning, provider blocks): the page never rebuilds a turn, so they go back as they came.

/**
 * Starts one user turn: `text` appended to `conversation` (the package's Conversation), then a
 * stream of it. With no tool checked, one plain request (the package's loop needs a tool).
 * `request`: streamCompletion options without messages / tools / signal. `tools`: the tools
 * with their code (direct), or their names (via server: the relay runs them, and `[]` asks it
 * for a plain answer, so an empty list is sent as it is).
 */
export function startTurn({ loader, conversation, text, request, tools, maxSteps, signal }) {
  const messages = conversation.appendUser(text).messages;
  const named = Array.isArray(tools);
  const loop = named ? { tools, ...(tools.length ? { maxSteps } : {}) } : Object.keys(tools).length > 0 ? { tools, maxSteps } : {};
  return { messages, stream: loader.streamCompletion({ ...request, messages, ...loop, signal }) };
}

/**
 * The conversation after a turn, whatever its end: the loop's own (`result.conversation`: its
 * finished steps, every call answered, a stopped or failed step left out, so that a provider
 * accepts it), else the messages sent plus a plain stream's answer when it completed. The user
 * turn stays in any case.
 */
export function conversationAfter(Conversation, messages, stream) {
  let result = null;
  try {
    result = stream?.result ?? null;
  } catch {
    result = null;
  }
  if (Array.isArray(result?.conversation)) return new Conversation(result.conversation);
  const conversation = new Conversation(messages);
  if (result?.message && result.finished && !result.error) conversation.append(result);
  return conversation;
}
