// Seed guide (shared/docs/seed-streaming-guide.md): "Streaming with Metadata".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, LOADER, report, scenario, sleep } from './_harness.mjs';

// The guide's `ai` from "Simple Stream Example"; LOADER: another provider's options, if given.
const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL, ...LOADER });
const stream = await ai.streamCompletion({
  prompt: "Explain quantum computing",
  maxTokens: 300
});

let fullText = '';
let tokenCount = 0;

for await (const chunk of stream) {
  if (chunk.text) {
    fullText += chunk.text;
    tokenCount++;
    
    // Display token
    process.stdout.write(chunk.text);
  }
  
  // Some providers send metadata in chunks
  if (chunk.metadata) {
    console.log('\nMetadata:', chunk.metadata);
  }
  
  // Final chunk often contains usage info
  if (chunk.usage) {
    console.log('\nTotal tokens:', chunk.usage.totalTokens);
    console.log('Cost: $', chunk.cost.toFixed(4));
  }
}

// ---- harness (not guide code) ----
report({ fullText, tokenCount, usage: stream.usage, cost: stream.cost, costDetails: stream.result.costDetails,
  model: stream.result.model });
