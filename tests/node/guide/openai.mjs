// Seed guide (shared/docs/seed-streaming-guide.md): "OpenAI Streaming".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// One fix: `async streamWithFunctions` became `async* streamWithFunctions` (it uses `yield`, a
// SyntaxError in a plain async method).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class OpenAIStreaming {
  constructor() {
    this.ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
  }
  
  async* streamWithFunctions(options) {
    const stream = await this.ai.streamCompletion({
      ...options,
      stream_options: {
        include_usage: true  // Include token usage in stream
      }
    });
    
    let functionCallBuffer = '';
    let functionName = null;
    
    for await (const chunk of stream) {
      // Handle text chunks
      if (chunk.choices?.[0]?.delta?.content) {
        yield {
          type: 'text',
          content: chunk.choices[0].delta.content
        };
      }
      
      // Handle function call chunks
      if (chunk.choices?.[0]?.delta?.function_call) {
        const fc = chunk.choices[0].delta.function_call;
        
        if (fc.name) {
          functionName = fc.name;
        }
        
        if (fc.arguments) {
          functionCallBuffer += fc.arguments;
        }
        
        yield {
          type: 'function_call_progress',
          name: functionName,
          partialArguments: functionCallBuffer
        };
      }
      
      // Handle completion
      if (chunk.choices?.[0]?.finish_reason) {
        if (functionCallBuffer) {
          yield {
            type: 'function_call_complete',
            name: functionName,
            arguments: JSON.parse(functionCallBuffer)
          };
        }
        
        yield {
          type: 'done',
          reason: chunk.choices[0].finish_reason,
          usage: chunk.usage
        };
      }
    }
  }
}

// ---- harness (not guide code) ----
// The guide reads OpenAI's own chunk objects (chunk.choices[0].delta): raw: 'only' yields them.
const openai = new OpenAIStreaming();
const items = [];
for await (const item of openai.streamWithFunctions({ prompt: 'Hello OpenAI', raw: 'only' })) items.push(item);
const toolItems = [];
for await (const item of openai.streamWithFunctions({
  prompt: 'Weather?',
  raw: 'only',
  tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  toolChoice: 'get_weather',
})) toolItems.push(item);
report({ items, toolItems });
