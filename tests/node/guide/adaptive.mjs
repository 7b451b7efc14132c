// Seed guide (shared/docs/seed-streaming-guide.md): "Adaptive Streaming".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class AdaptiveStreaming {
  constructor() {
    this.ai = new APILoader({ provider: 'groq', baseURL: BASE_URL });
    this.metrics = {
      processingTimes: [],
      bufferSizes: [],
      throughput: []
    };
  }
  
  async* adaptiveStream(options) {
    const stream = await this.ai.streamCompletion(options);
    let lastChunkTime = Date.now();
    let chunkCount = 0;
    
    for await (const chunk of stream) {
      const now = Date.now();
      const processingTime = now - lastChunkTime;
      
      // Track metrics
      this.metrics.processingTimes.push(processingTime);
      chunkCount++;
      
      // Adapt based on performance
      if (this.shouldThrottle()) {
        await this.throttle();
      }
      
      // Yield chunk with metrics
      yield {
        ...chunk,
        metrics: {
          processingTime,
          chunkNumber: chunkCount,
          averageProcessingTime: this.getAverageProcessingTime()
        }
      };
      
      lastChunkTime = now;
    }
  }
  
  shouldThrottle() {
    const avgTime = this.getAverageProcessingTime();
    return avgTime < 10;  // Too fast for consumer
  }
  
  async throttle() {
    const targetTime = 15;  // Target ms between chunks
    const currentAvg = this.getAverageProcessingTime();
    const delay = Math.max(0, targetTime - currentAvg);
    
    if (delay > 0) {
      await sleep(delay);
    }
  }
  
  getAverageProcessingTime() {
    const recent = this.metrics.processingTimes.slice(-10);
    return recent.reduce((a, b) => a + b, 0) / recent.length;
  }
}

// ---- harness (not guide code) ----
const adaptive = new AdaptiveStreaming();
let text = '';
let last = null;
for await (const chunk of adaptive.adaptiveStream({ prompt: 'Adapt to me', maxTokens: 20 })) {
  text += chunk.text || '';
  last = chunk.metrics;
}
report({ text, last, samples: adaptive.metrics.processingTimes.length });
