// Seed guide (shared/docs/seed-streaming-guide.md): "5. Testing Streaming".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class StreamTester {
  async testStreaming(provider) {
    const ai = new APILoader({ provider, baseURL: BASE_URL });
    const testCases = [
      { prompt: "Say hello", expectedTokens: 5 },
      { prompt: "Count to 10", expectedTokens: 20 },
      { prompt: "Write a paragraph", expectedTokens: 100 }
    ];
    
    const results = [];
    
    for (const test of testCases) {
      const result = await this.runStreamTest(ai, test);
      results.push(result);
    }
    
    return results;
  }
  
  async runStreamTest(ai, test) {
    const metrics = {
      firstTokenTime: null,
      lastTokenTime: null,
      tokenCount: 0,
      errors: []
    };
    
    const startTime = Date.now();
    
    try {
      const stream = await ai.streamCompletion({
        prompt: test.prompt,
        maxTokens: test.expectedTokens * 2
      });
      
      for await (const chunk of stream) {
        if (chunk.text && !metrics.firstTokenTime) {
          metrics.firstTokenTime = Date.now() - startTime;
        }
        
        if (chunk.text) {
          metrics.tokenCount++;
          metrics.lastTokenTime = Date.now() - startTime;
        }
      }
      
      return {
        ...test,
        ...metrics,
        totalTime: Date.now() - startTime,
        success: true
      };
      
    } catch (error) {
      return {
        ...test,
        error: error.message,
        success: false
      };
    }
  }
}

// ---- harness (not guide code) ----
report({ results: await new StreamTester().testStreaming('openai') });
