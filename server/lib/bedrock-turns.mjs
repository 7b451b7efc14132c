// What Bedrock's Converse API checks in the conversation it is sent, as ValidationException
// messages (read from the API's answers as users reported them): every toolUse answered by a
// toolResult in the next user turn, no more results than calls, and for Claude the model's own
// checks, passed on as "The model returned the following errors: ...": the reasoning
// signatures it issued, and with thinking on, the assistant turn of the tool loop in progress
// starting with its reasoning. Also the neutral view of the tool loop for the scripted model.

import { RequestError, textOf } from './plan.mjs';
import { verify } from './signatures.mjs';

const blocksOf = (message) => (Array.isArray(message?.content) ? message.content : []);
const useIds = (message) =>
  blocksOf(message)
    .filter((b) => b?.toolUse)
    .map((b) => b.toolUse.toolUseId);
const resultsOf = (message) => blocksOf(message).filter((b) => b?.toolResult);

export const modelError = (message) =>
  new RequestError(`The model returned the following errors: ${message}`);

/** Throws the RequestError Bedrock would answer with, or returns the tool loop's view. */
export function checkBedrockTurns(messages, { thinking }) {
  messages.forEach((message, i) => {
    if (message?.role !== 'assistant') return;
    blocksOf(message).forEach((block, j) => {
      const text = block?.reasoningContent?.reasoningText;
      if (text && !verify('reasoning', text.text, text.signature)) {
        throw modelError(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
      }
    });
    checkResults(messages, i);
  });
  if (thinking) checkReasoningFirst(messages);
  return messages.map((m) => ({
    calls: m?.role === 'assistant' ? useIds(m).length : 0,
    results: m?.role === 'user' ? resultsOf(m).map((b) => textOf(b.toolResult.content)) : [],
  }));
}

function checkResults(messages, i) {
  const calls = useIds(messages[i]);
  if (calls.length === 0 || i === messages.length - 1) return;
  const results = resultsOf(messages[i + 1]);
  if (results.length > calls.length) {
    throw new RequestError(
      `The number of toolResult blocks at messages.${i + 1}.content exceeds the number of ` +
        'toolUse blocks of previous turn.',
    );
  }
  const answered = new Set(results.map((b) => b.toolResult.toolUseId));
  const missing = calls.filter((id) => !answered.has(id));
  if (missing.length > 0) {
    throw new RequestError(
      `Expected toolResult blocks at messages.${i + 1}.content for the following Ids: ` +
        missing.join(', '),
    );
  }
}

function checkReasoningFirst(messages) {
  const last = messages.length - 1;
  if (messages[last]?.role !== 'user' || resultsOf(messages[last]).length === 0) return;
  const turn = messages[last - 1];
  if (turn?.role !== 'assistant') return;
  const first = blocksOf(turn)[0] ?? {};
  if (first.reasoningContent) return;
  const found = first.toolUse ? 'tool_use' : 'text';
  throw modelError(
    `messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but ` +
      `found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must ` +
      'start with a thinking block (preceeding the lastmost set of `tool_use` and ' +
      '`tool_result` blocks). We recommend you include thinking blocks from previous turns. To ' +
      'avoid this requirement, disable `thinking`. Please consult our documentation at ' +
      'https://docs.claude.com/en/docs/build-with-claude/extended-thinking',
  );
}
