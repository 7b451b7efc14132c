// Seed guide (shared/docs/seed-streaming-guide.md): "Anthropic Streaming".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class AnthropicStreaming {
  constructor() {
    this.ai = new APILoader({ provider: 'anthropic', baseURL: BASE_URL });
  }
  
  async* streamWithDeltas(options) {
    const stream = await this.ai.streamCompletion({
      model: 'claude-3-sonnet-20240229',
      ...options
    });
    
    let totalText = '';
    let messageStart = null;
    let messageStop = null;
    
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          messageStart = event.message;
          yield {
            type: 'start',
            model: messageStart.model,
            id: messageStart.id
          };
          break;
          
        case 'content_block_start':
          yield {
            type: 'block_start',
            index: event.index,
            contentType: event.content_block.type
          };
          break;
          
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') {
            totalText += event.delta.text;
            yield {
              type: 'text',
              content: event.delta.text,
              totalText: totalText
            };
          }
          break;
          
        case 'content_block_stop':
          yield {
            type: 'block_stop',
            index: event.index
          };
          break;
          
        case 'message_delta':
          if (event.delta.stop_reason) {
            messageStop = event.delta.stop_reason;
          }
          if (event.usage) {
            yield {
              type: 'usage',
              inputTokens: event.usage.input_tokens,
              outputTokens: event.usage.output_tokens
            };
          }
          break;
          
        case 'message_stop':
          yield {
            type: 'complete',
            stopReason: messageStop,
            totalText: totalText
          };
          break;
          
        case 'error':
          yield {
            type: 'error',
            error: event.error
          };
          break;
      }
    }
  }
}

// ---- harness (not guide code) ----
// The guide reads Anthropic's own events (event.type === 'message_start' ...): raw: 'only' yields them.
const anthropic = new AnthropicStreaming();
const items = [];
for await (const item of anthropic.streamWithDeltas({ prompt: 'Hello Anthropic', maxTokens: 100, raw: 'only' })) items.push(item);
const failing = [];
let failure = null;
try {
  for await (const item of anthropic.streamWithDeltas({ prompt: 'Overload', raw: 'only', ...scenario('error_after=6') })) failing.push(item);
} catch (error) {
  failure = { name: error.name, code: error.code, providerType: error.providerType };
}
report({ items, failing, failure });
