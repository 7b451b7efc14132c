// Seed guide (shared/docs/seed-streaming-guide.md): "Partial Response Handling".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class PartialResponseHandler {
  constructor() {
    this.ai = new APILoader({ provider: 'anthropic', baseURL: BASE_URL });
  }
  
  async* streamWithRecovery(options) {
    let accumulated = '';
    let lastSuccessfulChunk = null;
    
    try {
      const stream = await this.ai.streamCompletion(options);
      
      for await (const chunk of stream) {
        if (chunk.text) {
          accumulated += chunk.text;
          lastSuccessfulChunk = chunk;
          
          yield {
            type: 'progress',
            text: chunk.text,
            totalText: accumulated
          };
        }
      }
      
      yield {
        type: 'complete',
        text: accumulated
      };
      
    } catch (error) {
      // Return partial response if available
      if (accumulated) {
        yield {
          type: 'partial',
          text: accumulated,
          error: error.message,
          lastChunk: lastSuccessfulChunk
        };
      } else {
        yield {
          type: 'error',
          error: error.message
        };
      }
    }
  }
  
  async completePartialResponse(partialText, originalPrompt) {
    // Try to complete a partial response
    const continuationPrompt = `Continue from where this text ends: "${partialText.slice(-100)}"`;
    
    try {
      const completion = await this.ai.complete({
        prompt: continuationPrompt,
        maxTokens: 500
      });
      
      return partialText + completion.text;
    } catch (error) {
      return partialText;  // Return what we have
    }
  }
}

// ---- harness (not guide code) ----
const handler = new PartialResponseHandler();
const collect = async (options) => {
  const items = [];
  for await (const item of handler.streamWithRecovery(options)) items.push(item);
  return items;
};
const ok = await collect({ prompt: 'Partial please', maxTokens: 100 });
const broken = await collect({ prompt: 'Partial please', maxTokens: 100, ...scenario('error_after=8') });
const partial = broken.at(-1);
const completed = await handler.completePartialResponse(partial.text, 'Partial please');
report({ ok, broken, completed });
