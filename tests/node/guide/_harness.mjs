// Shared by the seed guide's examples in this folder (not guide code): the local provider's URL
// (set by tests/node/npm_guide.test.mjs), the `sleep` the guide uses without defining it, and
// one machine-readable result line per example for the test to check.

export const BASE_URL = process.env.LLMSTREAM_GUIDE_URL;
if (!BASE_URL) throw new Error('LLMSTREAM_GUIDE_URL is not set (the local provider URL)');

// The options of another provider (LLMSTREAM_GUIDE_LOADER, JSON: provider, baseURL,
// defaultModel ...) for the examples whose loader takes them (metadata.mjs, run for every
// provider by tests/node/npm_more_providers.test.mjs); none by default.
export const LOADER = JSON.parse(process.env.LLMSTREAM_GUIDE_LOADER ?? '{}');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints `RESULT <json>` on its own line (tests/node/npm_guide.test.mjs parses it). */
export function report(value) {
  process.stdout.write(`\nRESULT ${JSON.stringify(value)}\n`);
}

/** A per-request scenario for the local provider (fault injection), as a request header. */
export const scenario = (spec) => ({ headers: { 'x-llmstream-scenario': spec } });
