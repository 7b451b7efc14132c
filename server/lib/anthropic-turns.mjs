// What Anthropic checks in the conversation it is sent, with its own 400 messages (read from the
// API's answers as users reported them): the thinking signatures it issued, tool_use ids
// answered by tool_result blocks in the very next user turn (and no others), and, with thinking
// on, the assistant turn of the tool loop in progress starting with its thinking block. Also the
// neutral view of the tool loop for the scripted model (tool-steps.mjs).

import { RequestError, textOf } from './plan.mjs';
import { unseal, verify } from './signatures.mjs';

/**
 * What Claude refuses with thinking on ("Thinking isn't compatible with temperature or top_k
 * modifications as well as forced tool use"; top_p only within [0.95, 1]): the 400 message, or
 * null. The temperature and tool_choice messages are the API's as users reported them
 * (MartialBE/one-hub#529, mastra-ai/mastra#7507; on Bedrock can1357/oh-my-pi#341); the top_p and
 * top_k ones are written here in the same style (no verbatim report found). Bedrock passes them
 * on as the model's errors.
 */
export function thinkingConflict({ temperature, topP, topK, forced }) {
  const set = (value) => value !== undefined && value !== null;
  if (set(temperature) && temperature !== 1) {
    return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at ' +
      'https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking';
  }
  if (set(topP) && !(topP >= 0.95 && topP <= 1)) return '`top_p` must be between 0.95 and 1, or unset, when thinking is enabled.';
  if (set(topK)) return '`top_k` may not be set when thinking is enabled.';
  if (forced) return 'Thinking may not be enabled when tool_choice forces tool use.';
  return null;
}

const blocksOf = (message) => (Array.isArray(message?.content) ? message.content : []);
const idsOf = (message, type, key) =>
  blocksOf(message)
    .filter((b) => b?.type === type)
    .map((b) => b[key]);

const THINKING_FIRST =
  'When `thinking` is enabled, a final `assistant` message must start with a thinking block ' +
  '(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you ' +
  'include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. ' +
  'Please consult our documentation at ' +
  'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

/** Throws the RequestError Anthropic would answer with, or returns the tool loop's view. */
export function checkAnthropicTurns(messages, { thinking }) {
  messages.forEach((message, i) => {
    if (message?.role === 'assistant') checkAssistant(messages, i);
    if (message?.role === 'user') checkResults(messages, i);
  });
  if (thinking) checkThinkingFirst(messages);
  return messages.map((m) => ({
    calls: m?.role === 'assistant' ? idsOf(m, 'tool_use', 'id').length : 0,
    results: blocksOf(m)
      .filter((b) => m?.role === 'user' && b?.type === 'tool_result')
      .map((b) => textOf(b.content)),
  }));
}

function checkAssistant(messages, i) {
  blocksOf(messages[i]).forEach((block, j) => {
    if (block?.type === 'thinking' && !verify('thinking', block.thinking, block.signature)) {
      throw new RequestError(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
    }
    if (block?.type === 'redacted_thinking' && unseal('redacted', block.data) === null) {
      throw new RequestError(
        `messages.${i}.content.${j}: Invalid \`data\` in \`redacted_thinking\` block`,
      );
    }
  });
  const calls = idsOf(messages[i], 'tool_use', 'id');
  if (calls.length === 0 || i === messages.length - 1) return;
  const answered = new Set(idsOf(messages[i + 1], 'tool_result', 'tool_use_id'));
  const missing = calls.filter((id) => !answered.has(id));
  if (missing.length > 0) {
    throw new RequestError(
      `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately ` +
        `after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding ` +
        '`tool_result` block in the next message.',
    );
  }
}

function checkResults(messages, i) {
  const previous = i > 0 && messages[i - 1]?.role === 'assistant' ? messages[i - 1] : null;
  const calls = new Set(idsOf(previous, 'tool_use', 'id'));
  blocksOf(messages[i]).forEach((block, j) => {
    if (block?.type !== 'tool_result' || calls.has(block.tool_use_id)) return;
    throw new RequestError(
      `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ` +
        `${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` ` +
        'block in the previous message.',
    );
  });
}

// In a tool loop (the conversation ends with the results of the last assistant turn's calls),
// that assistant turn must open with its thinking.
function checkThinkingFirst(messages) {
  const last = messages.length - 1;
  const results = idsOf(messages[last], 'tool_result', 'tool_use_id');
  if (messages[last]?.role !== 'user' || results.length === 0) return;
  const turn = messages[last - 1];
  if (turn?.role !== 'assistant') return;
  const first = blocksOf(turn)[0]?.type ?? 'text';
  if (first === 'thinking' || first === 'redacted_thinking') return;
  throw new RequestError(
    `messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but ` +
      `found \`${first}\`. ${THINKING_FIRST}`,
  );
}
