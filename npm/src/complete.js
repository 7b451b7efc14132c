// The assembled completion as the public API shows it: the driver's result plus the conveniences
// of the seed guide (`completion.text`), and the cost as a number like on chunks.

import { costFields } from './core/decoder.js';

/** The public completion object for the driver's `result()` (null stays null). */
export function shapeCompletion(result) {
  if (!result || typeof result !== 'object') return null;
  const choices = Array.isArray(result.choices) ? result.choices : [];
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
  };
}
