// Seed guide (shared/docs/seed-streaming-guide.md): "1. Always Use Streaming for Long Responses", "2. Implement Progress Indicators".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

function shouldUseStreaming(expectedTokens) {
  // Stream if response > 100 tokens or > 2 seconds expected
  return expectedTokens > 100;
}

class StreamProgress {
  async* withProgress(stream, estimatedTokens = 200) {
    let tokenCount = 0;
    
    for await (const chunk of stream) {
      if (chunk.text) {
        tokenCount++;
        const progress = Math.min(100, (tokenCount / estimatedTokens) * 100);
        
        yield {
          ...chunk,
          progress: progress,
          tokenCount: tokenCount
        };
      }
    }
  }
}

// ---- harness (not guide code) ----
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const items = [];
for await (const item of new StreamProgress().withProgress(await ai.streamCompletion({ prompt: 'Progress' }), 40)) items.push(item);
report({ long: shouldUseStreaming(500), short: shouldUseStreaming(50), items });
