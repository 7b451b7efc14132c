// Seed guide (shared/docs/seed-streaming-guide.md): "Custom Stream Processing".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class StreamProcessor {
  constructor() {
    this.ai = new APILoader({ provider: 'anthropic', baseURL: BASE_URL });
  }
  
  async* processStream(prompt, options = {}) {
    const stream = await this.ai.streamCompletion({
      model: 'claude-3-sonnet-20240229',
      prompt: prompt,
      ...options
    });
    
    let buffer = '';
    let wordCount = 0;
    
    for await (const chunk of stream) {
      if (chunk.text) {
        buffer += chunk.text;
        
        // Yield complete words
        const words = buffer.split(' ');
        
        for (let i = 0; i < words.length - 1; i++) {
          wordCount++;
          yield {
            type: 'word',
            content: words[i] + ' ',
            wordNumber: wordCount
          };
        }
        
        // Keep last partial word in buffer
        buffer = words[words.length - 1];
      }
      
      // Yield metadata
      if (chunk.metadata) {
        yield {
          type: 'metadata',
          content: chunk.metadata
        };
      }
    }
    
    // Yield final buffer
    if (buffer) {
      yield {
        type: 'word',
        content: buffer,
        wordNumber: wordCount + 1
      };
    }
    
    yield {
      type: 'complete',
      totalWords: wordCount + 1
    };
  }
}

// Usage
const processor = new StreamProcessor();

for await (const item of processor.processStream("Tell me about AI")) {
  switch (item.type) {
    case 'word':
      console.log(`Word ${item.wordNumber}: ${item.content}`);
      break;
    case 'metadata':
      console.log('Metadata:', item.content);
      break;
    case 'complete':
      console.log(`Streaming complete. Total words: ${item.totalWords}`);
      break;
  }
}

// ---- harness (not guide code) ----
const items = [];
for await (const item of new StreamProcessor().processStream("Tell me about AI")) items.push(item);
report({ items });
