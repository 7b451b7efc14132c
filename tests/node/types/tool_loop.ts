// The tool loop and Conversation as an application writes them (npm/README.md "Tool loop").
import { APILoader, Conversation, DEFAULT_MAX_STEPS } from '../../../npm/src/index.js';
import type { Completion, Message, ToolResult } from '../../../npm/src/index.js';

export async function agent(ai: APILoader): Promise<Message[]> {
  const stream = ai.streamCompletion({
    prompt: 'Weather in Paris?',
    tools: {
      weather: {
        description: 'Current weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        execute: async ({ city }: { city: string }, { toolCallId, signal, messages }) => {
          if (signal.aborted) throw new Error('stopped');
          return { city, conditions: 'rain', toolCallId, turns: messages.length };
        },
      },
    },
    maxSteps: DEFAULT_MAX_STEPS,
  });
  const results: ToolResult[] = [];
  for await (const chunk of stream) {
    const step: number | undefined = chunk.step;
    if (chunk.type === 'tool_result') results.push(chunk.toolResult);
    if (chunk.type === 'step_start') console.log(chunk.step + 1);
    if (chunk.type === 'step_finish') console.log(step, chunk.toolCalls, chunk.finishReason);
    if (chunk.type === 'done') console.log(chunk.stopReason);
  }
  const completion: Completion = await stream.complete();
  const conversation = new Conversation(completion.conversation ?? []);
  conversation.appendUser('And tomorrow?');
  const next = await ai.complete({ messages: conversation.messages });
  conversation.append(next);
  conversation.appendToolResult('call_1', { ok: true }, { isError: false });
  for (const call of conversation.pendingToolCalls()) console.log(call.id, call.name, call.arguments);
  const part = completion.message?.parts?.[0];
  if (part?.type === 'tool_call') console.log(part.toolCall?.arguments);
  // @ts-expect-error maxSteps is a number
  ai.streamCompletion({ prompt: 'x', maxSteps: 'ten' });
  return conversation.messages;
}
