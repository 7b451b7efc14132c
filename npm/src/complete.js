// The assembled completion as the public API shows it: the driver's result plus the conveniences
// of the seed guide (`completion.text`), and the cost as a number like on chunks.

import { costFields } from './core/decoder.js';

/**
 * The public completion object for the driver's `result()` (null stays null). jsonOutput: the
 * request asked for JSON (responseFormat), so each choice, and the completion for choice 0, gets
 * `object`: its text parsed (undefined while that is no complete JSON text).
 */
export function shapeCompletion(result, { jsonOutput = false } = {}) {
  if (!result || typeof result !== 'object') return null;
  const choices = Array.isArray(result.choices) ? result.choices : [];
  if (jsonOutput) for (const choice of choices) choice.object = parseJson(choice.text);
  const first = choices.find((c) => (c.index ?? 0) === 0) ?? choices[0] ?? {};
  const { cost, costDetails } = costFields(result.cost);
  return {
    ...result,
    choices,
    // Choice 0, for the common n = 1 case.
    text: first.text ?? '',
    reasoning: first.reasoning ?? '',
    refusal: first.refusal ?? '',
    toolCalls: first.toolCalls ?? [],
    finishReason: first.finishReason ?? null,
    usage: result.usage ?? null,
    cost,
    costDetails,
    ...(jsonOutput ? { object: first.object } : {}),
  };
}

function parseJson(text) {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
