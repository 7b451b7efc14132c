// Seed guide (shared/docs/seed-streaming-guide.md): "Managing Stream Flow".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class BackpressureManager {
  constructor(highWaterMark = 100) {
    this.queue = [];
    this.highWaterMark = highWaterMark;
    this.isPaused = false;
    this.consumers = [];
  }
  
  async* manageStream(stream) {
    const streamIterator = stream[Symbol.asyncIterator]();
    
    while (true) {
      // Check backpressure
      if (this.queue.length >= this.highWaterMark) {
        this.isPaused = true;
        await this.waitForConsumption();
      }
      
      // Get next chunk
      const { value, done } = await streamIterator.next();
      
      if (done) break;
      
      // Add to queue
      this.queue.push(value);
      
      // Yield for consumption
      yield value;
      
      // Remove from queue after consumption
      this.queue.shift();
    }
  }
  
  async waitForConsumption() {
    return new Promise(resolve => {
      const checkQueue = setInterval(() => {
        if (this.queue.length < this.highWaterMark / 2) {
          this.isPaused = false;
          clearInterval(checkQueue);
          resolve();
        }
      }, 10);
    });
  }
  
  getStatus() {
    return {
      queueSize: this.queue.length,
      isPaused: this.isPaused,
      pressure: this.queue.length / this.highWaterMark
    };
  }
}

// ---- harness (not guide code) ----
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const manager = new BackpressureManager(100);
const stream = await ai.streamCompletion({ prompt: 'Backpressure please' });
let text = '';
let chunks = 0;
for await (const chunk of manager.manageStream(stream)) {
  text += chunk.text || '';
  chunks++;
}
report({ text, chunks, status: manager.getStatus() });
