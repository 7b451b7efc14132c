// The scripted tool-calling model behind the scenario key `tool_steps=K`, the same for every wire
// API: each API's handler reads its own request shape into the neutral view below, and writes the
// decision in its own stream shape. Pure functions, so the rule has one source.
//
// The rule: while the conversation holds fewer than K assistant turns that made tool calls, the
// model calls tools again (`tool_call=N` calls in parallel, default 1, cycling through the
// request's tools in order); then it answers with a text that quotes every tool result of the
// last step verbatim, in order, so a test can check that each result reached the model.

/** The final answer for the results of the last step (strings, in the order sent). */
export function quoteResults(results) {
  return `Results: ${results.join(' | ')}`;
}

/**
 * What the model does next. `callTurns`: how many assistant turns with tool calls the request's
 * conversation holds; `lastResults`: the tool results after the last of them, in order (strings).
 * Returns {call: true, count} (count parallel calls) or {call: false, text}.
 */
export function nextToolStep({ toolSteps, toolCall, callTurns, lastResults }) {
  if (callTurns < toolSteps) return { call: true, count: Math.max(1, toolCall ?? 1) };
  return { call: false, text: quoteResults(lastResults) };
}

/** The tools to call in one step of `count` calls: the request's tools cycled in order. */
export function toolsForStep(tools, count) {
  return Array.from({ length: count }, (_, i) => tools[i % tools.length]);
}

/**
 * The step `tool_steps` asks for, or null without the key. `request.conversation` is what the
 * API's parser read from its own request shape: {callTurns, lastResults} (see nextToolStep).
 */
export function scriptedStep(request, scenario) {
  if (scenario.tool_steps === undefined) return null;
  const { callTurns = 0, lastResults = [] } = request.conversation ?? {};
  return nextToolStep({
    toolSteps: scenario.tool_steps,
    toolCall: scenario.tool_call,
    callTurns,
    lastResults,
  });
}

/**
 * {callTurns, lastResults} of a conversation given as a list of turns in order, each
 * {calls: number of tool calls it makes} or {results: [strings]} (tool results) or {} (other
 * turns): the neutral view every API's parser maps its own messages onto.
 */
export function conversationView(turns) {
  let callTurns = 0;
  let lastResults = [];
  for (const turn of turns) {
    if (turn.calls > 0) {
      callTurns++;
      lastResults = [];
    } else if (turn.results) {
      lastResults.push(...turn.results);
    }
  }
  return { callTurns, lastResults };
}

/**
 * conversationView of chat-style messages (assistant `tool_calls`, `role: "tool"` results: Chat
 * Completions, Cohere v2, Ollama); `resultText(content)` reads a tool message's content.
 */
export function chatConversation(messages, resultText) {
  return conversationView(
    messages.map((m) => {
      const calls = Array.isArray(m?.tool_calls) ? m.tool_calls.length : 0;
      if (m?.role === 'assistant' && calls > 0) return { calls };
      if (m?.role === 'tool') return { results: [resultText(m.content)] };
      return {};
    }),
  );
}
