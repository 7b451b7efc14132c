// Seed guide (shared/docs/seed-streaming-guide.md): "Transform Streams".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';

class StreamTransformer {
  // Add markdown formatting to stream
  async* addMarkdownFormatting(stream) {
    let inCodeBlock = false;
    let buffer = '';
    
    for await (const chunk of stream) {
      if (!chunk.text) continue;
      
      buffer += chunk.text;
      
      // Detect code blocks
      if (buffer.includes('```')) {
        inCodeBlock = !inCodeBlock;
        yield {
          text: chunk.text,
          formatted: inCodeBlock ? 
            `<pre><code>${chunk.text}` : 
            `</code></pre>${chunk.text}`
        };
      } else {
        yield {
          text: chunk.text,
          formatted: inCodeBlock ? 
            chunk.text : 
            chunk.text.replace(/\*\*(.*?)\*\*/g, '<strong>$1</strong>')
        };
      }
    }
  }
  
  // Add typing effect
  async* addTypingEffect(stream, charsPerSecond = 30) {
    for await (const chunk of stream) {
      if (!chunk.text) continue;
      
      for (const char of chunk.text) {
        yield { text: char };
        await sleep(1000 / charsPerSecond);
      }
    }
  }
  
  // Filter sensitive content
  async* filterContent(stream, filters = []) {
    for await (const chunk of stream) {
      if (!chunk.text) continue;
      
      let filtered = chunk.text;
      for (const filter of filters) {
        filtered = filtered.replace(filter.pattern, filter.replacement);
      }
      
      yield { text: filtered, wasFiltered: filtered !== chunk.text };
    }
  }
}

// ---- harness (not guide code) ----
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });
const TEXT = 'Say **hi** then ```x = 1``` and streamed words';
const source = () => ai.streamCompletion({ prompt: 'Format this', ...scenario(`text=${TEXT}`) });
const transformer = new StreamTransformer();
const markdown = [];
for await (const item of transformer.addMarkdownFormatting(await source())) markdown.push(item);
const typing = [];
for await (const item of transformer.addTypingEffect(await source(), 100000)) typing.push(item);
const filtered = [];
const filters = [{ pattern: /streamed/g, replacement: '[filtered]' }];
for await (const item of transformer.filterContent(await source(), filters)) filtered.push(item);
report({ text: TEXT, markdown, typing, filtered });
