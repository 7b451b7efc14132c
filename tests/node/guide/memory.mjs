// Seed guide (shared/docs/seed-streaming-guide.md): "4. Memory Management".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class MemoryEfficientStreaming {
  async* processLargeStream(stream, chunkSize = 1000) {
    let buffer = '';
    
    for await (const chunk of stream) {
      buffer += chunk.text || '';
      
      if (buffer.length >= chunkSize) {
        yield {
          type: 'chunk',
          content: buffer.slice(0, chunkSize)
        };
        
        buffer = buffer.slice(chunkSize);
      }
    }
    
    if (buffer) {
      yield {
        type: 'final',
        content: buffer
      };
    }
  }
}

// ---- harness (not guide code) ----
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const items = [];
for await (const item of new MemoryEfficientStreaming().processLargeStream(await ai.streamCompletion({ prompt: 'Memory' }), 50)) items.push(item);
report({ items });
