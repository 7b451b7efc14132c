// Seed guide (shared/docs/seed-streaming-guide.md): "Parallel Streaming".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class ParallelStreaming {
  async streamMultiple(prompts) {
    const streams = await Promise.all(
      prompts.map(prompt => 
        this.ai.streamCompletion({ prompt, maxTokens: 200 })
      )
    );
    
    // Process streams in parallel
    const processors = streams.map((stream, index) => 
      this.processStream(stream, index)
    );
    
    return Promise.all(processors);
  }
  
  async processStream(stream, index) {
    const result = {
      index,
      text: '',
      tokenCount: 0,
      startTime: Date.now()
    };
    
    for await (const chunk of stream) {
      if (chunk.text) {
        result.text += chunk.text;
        result.tokenCount++;
      }
    }
    
    result.endTime = Date.now();
    result.duration = result.endTime - result.startTime;
    
    return result;
  }
}

// ---- harness (not guide code) ----
// The guide's class uses this.ai without setting it: the harness gives it the loader.
const parallel = new ParallelStreaming();
parallel.ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const results = await parallel.streamMultiple(['First prompt', 'Second prompt', 'Third prompt']);
report({ results });
