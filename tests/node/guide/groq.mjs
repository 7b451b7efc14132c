// Seed guide (shared/docs/seed-streaming-guide.md): "Groq Streaming (Ultra-Fast)".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class GroqUltraFastStreaming {
  constructor() {
    this.ai = new APILoader({ provider: 'groq', baseURL: BASE_URL });
  }
  
  async* ultraFastStream(options) {
    const startTime = Date.now();
    const stream = await this.ai.streamCompletion({
      model: 'llama3-8b-8192',  // Fastest model
      ...options
    });
    
    let tokenCount = 0;
    let firstTokenTime = null;
    
    for await (const chunk of stream) {
      const currentTime = Date.now() - startTime;
      
      if (chunk.text) {
        tokenCount++;
        
        if (!firstTokenTime) {
          firstTokenTime = currentTime;
        }
        
        yield {
          type: 'token',
          content: chunk.text,
          tokenNumber: tokenCount,
          timestamp: currentTime,
          tokensPerSecond: tokenCount / (currentTime / 1000)
        };
      }
      
      if (chunk.done) {
        yield {
          type: 'complete',
          totalTokens: tokenCount,
          totalTime: currentTime,
          firstTokenLatency: firstTokenTime,
          averageTokensPerSecond: tokenCount / (currentTime / 1000)
        };
      }
    }
  }
  
  async benchmarkStreaming(prompt) {
    const metrics = {
      firstToken: null,
      tokens: [],
      intervals: []
    };
    
    let lastTime = Date.now();
    
    for await (const chunk of this.ultraFastStream({ prompt, maxTokens: 200 })) {
      const now = Date.now();
      
      if (chunk.type === 'token') {
        if (!metrics.firstToken) {
          metrics.firstToken = now - lastTime;
        }
        
        metrics.tokens.push(chunk.content);
        metrics.intervals.push(now - lastTime);
        lastTime = now;
      }
      
      if (chunk.type === 'complete') {
        const avgInterval = metrics.intervals.reduce((a, b) => a + b, 0) / metrics.intervals.length;
        
        return {
          firstTokenLatency: metrics.firstToken,
          averageInterTokenLatency: avgInterval,
          totalTokens: chunk.totalTokens,
          tokensPerSecond: chunk.averageTokensPerSecond,
          consistency: this.calculateConsistency(metrics.intervals)
        };
      }
    }
  }
  
  calculateConsistency(intervals) {
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
    const variance = intervals.reduce((sum, val) => 
      sum + Math.pow(val - mean, 2), 0) / intervals.length;
    
    return {
      mean: mean,
      standardDeviation: Math.sqrt(variance),
      coefficientOfVariation: (Math.sqrt(variance) / mean) * 100
    };
  }
}

// ---- harness (not guide code) ----
const groq = new GroqUltraFastStreaming();
const benchmark = await groq.benchmarkStreaming('Benchmark me');
// The same figures, measured by the library at arrival time.
const stream = new APILoader({ provider: 'groq', baseURL: BASE_URL }).streamCompletion({ prompt: 'Benchmark me', maxTokens: 200 });
await stream.complete();
report({ benchmark, metrics: stream.metrics() });
