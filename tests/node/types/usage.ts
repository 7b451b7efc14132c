// Type-checked (tsc --noEmit --strict) use of the public API: the seed guide's patterns in
// TypeScript. Never run; tests/node/npm_types.test.mjs compiles it.

import {
  AbortError,
  APIConnectionError,
  APILoader,
  type Chunk,
  ChunkStream,
  type Completion,
  ErrorCode,
  LLMStreamError,
  RateLimitError,
  type StreamMetrics,
} from '../../../npm/src/index.js';

const ai = new APILoader({ provider: 'openai', baseURL: 'http://127.0.0.1:8787/v1', maxRetries: 1, timeout: 5000 });

export async function basic(): Promise<string> {
  const stream = await ai.streamCompletion({ model: 'gpt-4o-mini', prompt: 'Hi', maxTokens: 50, temperature: 0.8 });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.text || '';
    if (chunk.metadata) console.log(chunk.metadata);
    if (chunk.usage) {
      const total: number | undefined = chunk.usage.totalTokens;
      console.log(total, chunk.cost.toFixed(4));
    }
    if (chunk.function_call) console.log(chunk.function_call.name, chunk.function_call.arguments);
    if (chunk.error) {
      const e: LLMStreamError = chunk.error;
      console.log(e.code, e.status);
    }
    if (chunk.done) console.log('done');
  }
  return text;
}

export async function discriminated(): Promise<void> {
  const controller = new AbortController();
  const stream: ChunkStream<Chunk> = ai.streamCompletion({
    messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }],
    tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    toolChoice: 'required',
    signal: controller.signal,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    switch (chunk.type) {
      case 'text':
        chunk.text.toUpperCase();
        break;
      case 'reasoning':
        chunk.reasoning.length;
        break;
      case 'tool_call_delta':
        chunk.toolCall.argumentsDelta.length;
        break;
      case 'usage':
        chunk.costDetails?.source;
        break;
      case 'retry':
        chunk.delayMs.toFixed(0);
        break;
      case 'finish':
        chunk.finishReason.length;
        break;
    }
  }
  const completion: Completion = await ai.complete({ prompt: 'Hi' });
  completion.text.length;
  completion.toolCalls.map((call) => call.name);
}

export async function raw(): Promise<void> {
  const events = ai.streamCompletion({ prompt: 'Hi', raw: 'only' });
  for await (const event of events) {
    const content: string | undefined = event.choices?.[0]?.delta?.content;
    console.log(content);
  }
  const withRaw = ai.streamCompletion({ prompt: 'Hi', raw: true });
  for await (const chunk of withRaw) console.log(chunk.raw);
}

export async function helpers(): Promise<StreamMetrics> {
  const stream = ai.streamCompletion({ prompt: 'Hi' });
  const [a, b] = stream.tee();
  const reader = a.toReadableStream().getReader();
  const first = await reader.read();
  if (!first.done) console.log(first.value.type);
  await reader.cancel();
  const done = await b.complete();
  console.log(done.usage?.totalTokens, b.usage, b.cost, b.result?.text, b.attempts, b.finished);
  b.cancel();
  return b.metrics();
}

export async function errors(): Promise<void> {
  try {
    await ai.complete({ prompt: 'Hi' });
  } catch (error) {
    if (error instanceof RateLimitError) console.log(error.retryAfter, error.retryAfterMs, error.status);
    if (error instanceof APIConnectionError && error.code === 'ECONNRESET') console.log(error.llmstreamCode);
    if (error instanceof AbortError) console.log(error.name === 'AbortError');
    if (error instanceof LLMStreamError) {
      const code: string = error.llmstreamCode;
      console.log(code === ErrorCode.TIMEOUT, error.partial?.text);
    }
  }
}

// JSON output: partial objects on text and tool-call delta chunks, the final object.
export async function jsonOutput(): Promise<unknown> {
  const stream = ai.streamCompletion({
    prompt: 'Weather',
    responseFormat: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: false },
  });
  for await (const chunk of stream) {
    if (chunk.type === 'text' && chunk.partialObject !== undefined) console.log(chunk.partialObject);
    if (chunk.type === 'tool_call_delta') console.log(chunk.partialObject);
  }
  ai.streamCompletion({ prompt: 'Hi', responseFormat: { type: 'json_object' }, partialObjects: false });
  const completion = await ai.complete({ prompt: 'Hi', responseFormat: { type: 'json_schema', json_schema: { schema: {} } } });
  return completion.object ?? completion.choices[0]?.object;
}

// Misuse that must not compile.
// @ts-expect-error responseFormat's type is json_schema, json_object or text
ai.streamCompletion({ prompt: 'Hi', responseFormat: { type: 'yaml' } });
// @ts-expect-error unknown provider
new APILoader({ provider: 'nope' });
// @ts-expect-error raw takes true, false or 'only'
ai.streamCompletion({ prompt: 'Hi', raw: 'yes' });
// @ts-expect-error text is a string on text chunks only
export const bad = (c: Chunk): number => c.text.length;
