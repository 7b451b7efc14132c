// Seed guide (shared/docs/seed-streaming-guide.md): "3. Handle Connection Interruptions".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class ResilientStreaming {
  async* streamWithReconnect(options) {
    let position = 0;
    let accumulated = '';
    
    while (true) {
      try {
        const stream = await this.getStream(options, position);
        
        for await (const chunk of stream) {
          accumulated += chunk.text || '';
          position = accumulated.length;
          yield chunk;
        }
        
        break;  // Success
        
      } catch (error) {
        if (error.code === 'ECONNRESET' && position > 0) {
          console.log(`Connection reset at position ${position}, reconnecting...`);
          await sleep(1000);
          // Continue from where we left off
        } else {
          throw error;
        }
      }
    }
  }
}

// ---- harness (not guide code) ----
// The guide's class calls this.getStream(), which it never defines: the harness supplies it.
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
ResilientStreaming.prototype.getStream = (options) => ai.streamCompletion(options);
let text = '';
for await (const chunk of new ResilientStreaming().streamWithReconnect({
  prompt: 'Reconnect me',
  ...scenario(`key=${process.env.LLMSTREAM_GUIDE_KEY}-resilient; times=1; reset_after=6`),
})) {
  text += chunk.text || '';
}
report({ text });
