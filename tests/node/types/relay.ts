// The relay's public types (issue 16): the server's createRelay with a policy, tools and a
// store, its two shapes, toSSEResponse, and the browser's `provider: 'relay'` loader.
import {
  APILoader,
  createRelay,
  MemoryStore,
  PolicyViolationError,
  StreamUnavailableError,
  type Relay,
  type RelayCaller,
} from '../../../npm/src/index.js';

const relay: Relay = createRelay({
  provider: 'openai',
  apiKey: 'sk-server-side',
  policy: {
    models: ['gpt-4o-mini'],
    maxTokens: 1024,
    authenticate: (caller: RelayCaller) => caller.headers.get('authorization') === 'Bearer x' && { user: 'u1' },
    rateLimit: () => ({ retryAfterMs: 1000 }),
    check: (options) => (options.temperature !== undefined && options.temperature > 1 ? 'too hot' : undefined),
    owner: (identity) => (identity && typeof identity === 'object' && 'user' in identity ? String(identity.user) : null),
  },
  tools: { now: { description: 'the time', execute: async () => new Date().toISOString() } },
  store: new MemoryStore({ resumeWindowMs: 10_000 }),
  keepAliveMs: 5_000,
  writeTimeoutMs: 10_000,
});
export const nodeHandler: (req: any, res: any) => Promise<void> = relay;
export async function handle(request: Request): Promise<Response> {
  return relay.fetch(request);
}
export function passThrough(): Response {
  return new APILoader({ provider: 'openai' }).streamCompletion({ prompt: 'hi' }).toSSEResponse();
}

export async function browser(): Promise<string> {
  const loader = new APILoader({ provider: 'relay', baseURL: '/api/chat', headers: { authorization: 'Bearer x' } });
  let text = '';
  try {
    for await (const chunk of loader.streamCompletion({ prompt: 'Hello', maxTokens: 100 })) {
      if (chunk.type === 'text') text += chunk.text;
    }
  } catch (error) {
    if (error instanceof PolicyViolationError) return error.message;
    if (error instanceof StreamUnavailableError) return error.reason;
    throw error;
  }
  // @ts-expect-error a relay loader takes no key
  new APILoader({ provider: 'relay', baseURL: '/api/chat', apiKey: 'sk-no' });
  return text;
}
