// Seed guide (shared/docs/seed-streaming-guide.md): "Stream Error Recovery".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class StreamErrorHandler {
  constructor() {
    this.ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
    this.maxRetries = 3;
    this.retryDelay = 1000;
  }
  
  async* safeStream(options, attempt = 1) {
    try {
      const stream = await this.ai.streamCompletion(options);
      let hasError = false;
      
      for await (const chunk of stream) {
        // Check for error chunks
        if (chunk.error) {
          hasError = true;
          
          if (this.isRetriable(chunk.error) && attempt < this.maxRetries) {
            console.log(`Stream error, retrying (${attempt}/${this.maxRetries})`);
            await sleep(this.retryDelay * attempt);
            
            // Retry with exponential backoff
            yield* this.safeStream(options, attempt + 1);
            return;
          } else {
            yield {
              type: 'error',
              error: chunk.error,
              retriable: false
            };
            return;
          }
        }
        
        yield chunk;
      }
      
      if (!hasError) {
        yield { type: 'success' };
      }
      
    } catch (error) {
      if (this.isRetriable(error) && attempt < this.maxRetries) {
        console.log(`Stream initialization error, retrying (${attempt}/${this.maxRetries})`);
        await sleep(this.retryDelay * attempt);
        yield* this.safeStream(options, attempt + 1);
      } else {
        yield {
          type: 'error',
          error: error.message,
          retriable: false
        };
      }
    }
  }
  
  isRetriable(error) {
    const retriableErrors = [
      'ETIMEDOUT',
      'ECONNRESET',
      'ECONNREFUSED',
      'rate_limit',
      'server_error'
    ];
    
    return retriableErrors.some(e => 
      error.message?.includes(e) || error.code === e
    );
  }
}

// ---- harness (not guide code) ----
const handler = new StreamErrorHandler();
const collect = async (options) => {
  const items = [];
  for await (const item of handler.safeStream(options)) {
    items.push(item.error ? { ...item, error: { code: item.error.code ?? null, message: item.error.message ?? item.error, name: item.error.name ?? null } } : item);
  }
  return items;
};
const ok = await collect({ prompt: 'Recover me' });
const inBand = await collect({ prompt: 'Recover me', ...scenario('error_after=5') });
const reset = await collect({ prompt: 'Recover me', ...scenario(`key=${process.env.LLMSTREAM_GUIDE_KEY}-reset; times=1; reset_after=5`) });
report({ ok, inBand, reset });
