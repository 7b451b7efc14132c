// Seed guide (shared/docs/seed-streaming-guide.md): "Buffering and Batching".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });  // the guide's `ai` from "Simple Stream Example"
class StreamBuffer {
  constructor(batchSize = 10, flushInterval = 100) {
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.buffer = [];
    this.flushTimer = null;
  }
  
  async* batchStream(stream) {
    for await (const chunk of stream) {
      this.buffer.push(chunk);
      
      if (this.buffer.length >= this.batchSize) {
        yield this.flush();
      } else {
        this.scheduleFlush();
      }
    }
    
    // Flush remaining buffer
    if (this.buffer.length > 0) {
      yield this.flush();
    }
  }
  
  flush() {
    const batch = [...this.buffer];
    this.buffer = [];
    this.clearFlushTimer();
    
    return {
      type: 'batch',
      items: batch,
      text: batch.map(c => c.text || '').join(''),
      timestamp: Date.now()
    };
  }
  
  scheduleFlush() {
    if (this.flushTimer) return;
    
    this.flushTimer = setTimeout(() => {
      if (this.buffer.length > 0) {
        this.flush();
      }
    }, this.flushInterval);
  }
  
  clearFlushTimer() {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
  }
}

// Usage
const buffer = new StreamBuffer(5, 200);
const stream = await ai.streamCompletion({ prompt: "..." });

for await (const batch of buffer.batchStream(stream)) {
  console.log(`Batch of ${batch.items.length} chunks:`, batch.text);
}

// ---- harness (not guide code) ----
report({ done: true });
