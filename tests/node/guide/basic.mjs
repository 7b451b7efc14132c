// Seed guide (shared/docs/seed-streaming-guide.md): "Simple Stream Example".
// The guide's code is copied as written except the import and the baseURL (the local provider).
// Below the harness line: code that runs it and prints the RESULT the test checks.
import { APILoader } from '../../../npm/src/index.js';
import { BASE_URL, report, scenario, sleep } from './_harness.mjs';


const ai = new APILoader({ provider: 'openai', baseURL: BASE_URL });

const stream = await ai.streamCompletion({
  model: 'gpt-4-turbo-preview',
  prompt: "Write a story about a brave knight",
  maxTokens: 500,
  temperature: 0.8
});

// Process tokens as they arrive
for await (const chunk of stream) {
  process.stdout.write(chunk.text || '');
}

// ---- harness (not guide code) ----
report({ text: stream.result.text, model: stream.result.model, usage: stream.usage });
