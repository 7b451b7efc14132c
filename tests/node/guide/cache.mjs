// Seed guide (shared/docs/seed-streaming-guide.md): "Stream Caching".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class StreamCache {
  constructor() {
    this.cache = new Map();
  }
  
  async* getCachedOrStream(key, streamFactory) {
    // Check cache
    if (this.cache.has(key)) {
      const cached = this.cache.get(key);
      
      // Replay cached chunks
      for (const chunk of cached) {
        yield chunk;
      }
      
      return;
    }
    
    // Stream and cache
    const chunks = [];
    const stream = await streamFactory();
    
    for await (const chunk of stream) {
      chunks.push(chunk);
      yield chunk;
    }
    
    // Store in cache
    this.cache.set(key, chunks);
  }
}

// ---- harness (not guide code) ----
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const cache = new StreamCache();
const key = `${process.env.LLMSTREAM_GUIDE_KEY}-cache`;
const factory = () => ai.streamCompletion({ prompt: 'Cache me', ...scenario(`key=${key}`) });
const first = [];
for await (const chunk of cache.getCachedOrStream('cache-me', factory)) first.push(chunk);
const second = [];
for await (const chunk of cache.getCachedOrStream('cache-me', factory)) second.push(chunk);
const log = await (await fetch(`${BASE_URL}/_llmstream/requests?key=${key}`)).json();
report({ first: first.map((c) => c.text ?? null), second: second.map((c) => c.text ?? null), same: first.every((c, i) => c === second[i]), requests: log.length });
