// Seed guide (shared/docs/seed-streaming-guide.md): "Handling Different Chunk Types".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class ChunkHandler {
  constructor() {
    this.ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
    this.handlers = new Map();
    
    // Register handlers for different chunk types
    this.registerHandler('text', this.handleText.bind(this));
    this.registerHandler('function_call', this.handleFunctionCall.bind(this));
    this.registerHandler('metadata', this.handleMetadata.bind(this));
    this.registerHandler('error', this.handleError.bind(this));
    this.registerHandler('done', this.handleDone.bind(this));
  }
  
  registerHandler(type, handler) {
    this.handlers.set(type, handler);
  }
  
  async processStream(options) {
    const stream = await this.ai.streamCompletion(options);
    const context = {
      fullText: '',
      functionCalls: [],
      metadata: {},
      startTime: Date.now()
    };
    
    for await (const chunk of stream) {
      const chunkType = this.identifyChunkType(chunk);
      const handler = this.handlers.get(chunkType);
      
      if (handler) {
        await handler(chunk, context);
      }
    }
    
    return context;
  }
  
  identifyChunkType(chunk) {
    if (chunk.text) return 'text';
    if (chunk.function_call) return 'function_call';
    if (chunk.metadata) return 'metadata';
    if (chunk.error) return 'error';
    if (chunk.done) return 'done';
    return 'unknown';
  }
  
  handleText(chunk, context) {
    context.fullText += chunk.text;
    process.stdout.write(chunk.text);
  }
  
  handleFunctionCall(chunk, context) {
    context.functionCalls.push(chunk.function_call);
    console.log('\nFunction call:', chunk.function_call.name);
  }
  
  handleMetadata(chunk, context) {
    Object.assign(context.metadata, chunk.metadata);
  }
  
  handleError(chunk, context) {
    console.error('Stream error:', chunk.error);
  }
  
  handleDone(chunk, context) {
    const duration = Date.now() - context.startTime;
    console.log(`\nStream complete in ${duration}ms`);
  }
}

// ---- harness (not guide code) ----
const handler = new ChunkHandler();
const plain = await handler.processStream({ prompt: 'Hello handlers', maxTokens: 12 });
const withTools = await handler.processStream({
  prompt: 'What is the weather in Paris?',
  tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  toolChoice: 'required',
});
let failure = null;
try {
  await handler.processStream({ prompt: 'Fail please', ...scenario('error_after=4') });
} catch (error) {
  failure = { name: error.name, code: error.code, partialText: error.partial?.text };
}
report({ plain, withTools, failure });
