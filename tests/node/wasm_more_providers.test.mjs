// The recordings of shared/fixtures/more-providers/ (Gemini SSE and streamed JSON array, Ollama
// NDJSON, Cohere SSE with named events, Mistral, DeepSeek, Bedrock event-stream) through a
// WasmSession of the FULL core module (llmstream_core_full.*, the one needsFullCore() names for
// them), answered with each recording's real Content-Type and read whole, byte by byte and in
// random small and larger reads; the text, thinking, tool calls, usage, finish reason and errors
// compared with facts written here from more-providers/expected.json, per provider. The core module (llmstream_core.*)
// must refuse the wire APIs it leaves out with invalid_request instead of misreading them.
//
// Bedrock's recordings (binary AWS event-stream frames) are asked for with a Bedrock API key
// (Bearer, nothing to sign; signed requests: wasm_request_providers and npm_bedrock).
// A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { SessionAction } from '../../npm/dist/core/abi.js';
import { needsFullCore } from '../../npm/src/core/load.js';
import { defaultFixturesDir } from '../../server/lib/server.mjs';
import { assertText, eventShape, loadCores, poll, readEvents, replay, splits } from './support/wasm_session.mjs';

const DIR = path.join(defaultFixturesDir(), 'more-providers');
const EXPECTED = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8'));
const FILES = readdirSync(DIR)
  .filter((f) => /\.(sse|json|ndjson|eventstream)$/.test(f) && f !== 'expected.json')
  .sort();

let core;
let fullCore;
before(async () => {
  ({ core, fullCore } = await loadCores());
});

/**
 * How each recording is asked for and answered: the session's options and the Content-Type its
 * provider sends (Gemini: text/event-stream with alt=sse, application/json for the streamed
 * array; Ollama application/x-ndjson).
 * @param {string} file @returns {{options: object, contentType: string}}
 */
function recordedAs(file) {
  const base = { prompt: 'Hi', apiKey: 'test-key', maxRetries: 0, estimateUsage: false };
  const provider = file.split('-')[0];
  const model = {
    gemini: 'gemini-2.5-flash',
    ollama: 'qwen3:4b',
    cohere: 'command-r',
    mistral: 'mistral-small-latest',
    deepseek: 'deepseek-reasoner',
    bedrock: file.includes('nova') ? 'us.amazon.nova-lite-v1:0' : 'us.anthropic.claude-sonnet-4-20250514-v1:0',
  }[provider];
  const contentType = {
    gemini: file.endsWith('.json') ? 'application/json; charset=UTF-8' : 'text/event-stream',
    ollama: 'application/x-ndjson',
    cohere: 'text/event-stream',
    mistral: 'text/event-stream',
    deepseek: 'text/event-stream; charset=utf-8',
    bedrock: 'application/vnd.amazon.eventstream',
  }[provider];
  assert.ok(model && contentType, `no provider for ${file}`);
  const region = provider === 'bedrock' ? { region: 'us-east-1' } : {};
  return { options: { ...base, provider, model, ...region }, contentType };
}

/**
 * @typedef {object} Facts what a correct reading of a recording gives, from expected.json
 * @property {string | object | null} text choice 0's answer (null: none)
 * @property {string | object | null} thinking its thinking / reasoning text (null: none)
 * @property {{name: string, arguments: object}[]} toolCalls
 * @property {{promptTokens: number, completionTokens: number, totalTokens: number}} usage
 * @property {string} finish the normalized finish reason of choice 0
 */

/** Gemini (wire-formats.md "Google Gemini"): candidate 0; usage: the last usageMetadata. */
function geminiFacts(e) {
  const c = e.candidates['0'];
  const u = e.usage;
  const calls = c.function_calls.map((f) => ({ name: f.name, arguments: f.args }));
  const finish = { STOP: calls.length > 0 ? 'tool_calls' : 'stop', MAX_TOKENS: 'length' }[c.finish_reason];
  return {
    text: c.text === '' ? null : c.text,
    thinking: c.thinking,
    toolCalls: calls,
    usage: {
      promptTokens: u.promptTokenCount + (u.toolUsePromptTokenCount ?? 0),
      completionTokens: u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0),
      totalTokens: u.totalTokenCount,
    },
    finish,
  };
}

/** Ollama: the message deltas; usage and done_reason from the done line. */
function ollamaFacts(e) {
  const calls = e.tool_calls.map((t) => ({ name: t.name, arguments: t.arguments }));
  const finish = e.done_reason === 'stop' && calls.length > 0 ? 'tool_calls' : e.done_reason;
  return {
    text: e.content === '' ? null : e.content,
    thinking: e.thinking,
    toolCalls: calls,
    usage: {
      promptTokens: e.prompt_eval_count,
      completionTokens: e.eval_count,
      totalTokens: e.prompt_eval_count + e.eval_count,
    },
    finish,
  };
}

/** Cohere v2: text blocks; the tool plan is thinking; usage.tokens (not billed_units). */
function cohereFacts(e) {
  const text = e.blocks.filter((b) => b.type === 'text').map((b) => b.text).join('');
  const calls = e.tool_calls.map((t) => ({ name: t.name, arguments: t.arguments }));
  const t = e.usage.tokens;
  return {
    text: text === '' ? null : text,
    thinking: e.tool_plan,
    toolCalls: calls,
    usage: { promptTokens: t.input_tokens, completionTokens: t.output_tokens, totalTokens: t.input_tokens + t.output_tokens },
    finish: { COMPLETE: 'stop', TOOL_CALL: 'tool_calls', MAX_TOKENS: 'length' }[e.finish_reason],
  };
}

/** Chat Completions (Mistral, DeepSeek): choice 0; usage as sent. */
function chatFacts(e) {
  const c = e.choices['0'];
  return {
    text: c.content === '' ? null : c.content,
    thinking: c.reasoning,
    toolCalls: c.tool_calls.map((t) => ({ name: t.name, arguments: t.arguments })),
    usage: {
      promptTokens: e.usage.prompt_tokens,
      completionTokens: e.usage.completion_tokens,
      totalTokens: e.usage.total_tokens,
    },
    finish: c.finish_reason,
  };
}

/** Bedrock ConverseStream: text and reasoning blocks, toolUse blocks; usage as sent. */
function bedrockFacts(e) {
  const of = (type, key) => e.blocks.filter((b) => b.type === type).map((b) => b[key]).join('');
  const u = e.usage;
  const cache = (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0);
  return {
    text: of('text', 'text') || null,
    thinking: of('reasoning', 'reasoning_text') || null,
    toolCalls: e.blocks.filter((b) => b.type === 'tool_use').map((b) => ({ name: b.name, arguments: b.input })),
    usage: { promptTokens: u.inputTokens + cache, completionTokens: u.outputTokens, totalTokens: u.totalTokens },
    finish: { end_turn: 'stop', stop_sequence: 'stop', tool_use: 'tool_calls', max_tokens: 'length' }[e.stop_reason],
  };
}

/** @param {string} file @returns {Facts} */
function expectedFacts(file) {
  const e = EXPECTED[file];
  assert.ok(e, `${file} has no entry in expected.json`);
  assert.deepEqual(e.errors, [], `${file}: these recordings end without errors`);
  const provider = file.split('-')[0];
  if (provider === 'gemini') return geminiFacts(e);
  if (provider === 'ollama') return ollamaFacts(e);
  if (provider === 'cohere') return cohereFacts(e);
  if (provider === 'bedrock') return bedrockFacts(e);
  return chatFacts(e);
}

const joined = (events, kind, filter = () => true) =>
  events.filter((e) => e.kind === kind && e.choice === 0 && filter(e)).map((e) => e.text).join('');

describe('more-providers recordings through a WasmSession of the full core module', () => {
  test('every recording is here, and needs the full module only where it should', () => {
    const all = readdirSync(DIR).filter((f) => f !== 'expected.json' && !f.endsWith('.md'));
    assert.deepEqual(all.filter((f) => !FILES.includes(f)), []);
    assert.equal(FILES.length, 13);
    for (const file of FILES) {
      const { options } = recordedAs(file);
      const full = ['gemini', 'ollama', 'cohere', 'bedrock'].includes(options.provider);
      assert.equal(needsFullCore(options), full, file);
    }
  });

  for (const file of FILES) {
    test(file, () => {
      const body = readFileSync(path.join(DIR, file));
      const { options, contentType } = recordedAs(file);
      const facts = expectedFacts(file);
      let reference;
      for (const [name, sizes] of Object.entries(splits(body.length))) {
        const run = replay(fullCore, options, body, sizes, contentType);
        const where = `${file}, ${name}`;
        assert.equal(run.bodyCalls, sizes.length, where);
        assert.equal(run.error, null, `${where}: ${JSON.stringify(run.error)}`);

        const text = joined(run.events, 'text');
        assertText(text, facts.text, `${where}: text`);
        assert.equal(run.result.text, text, `${where}: result().text`);
        // Thinking text only: signatures (Gemini thoughtSignature) are reasoning events too.
        const thinking = joined(run.events, 'reasoning', (e) => e.part === 0);
        assertText(thinking, facts.thinking, `${where}: thinking`);

        const ends = run.events.filter((e) => e.kind === 'tool_call_end' && e.choice === 0);
        assert.deepEqual(
          ends.map((e) => ({ name: e.name, arguments: JSON.parse(e.text) })),
          facts.toolCalls,
          `${where}: tool calls`,
        );
        const starts = run.events.filter((e) => e.kind === 'tool_call_start' && e.choice === 0);
        assert.deepEqual(starts.map((e) => e.name), facts.toolCalls.map((c) => c.name), `${where}: tool call starts`);

        const usages = run.events.filter((e) => e.kind === 'usage').map((e) => e.side);
        const last = usages.at(-1);
        assert.ok(last, `${where}: a usage event`);
        assert.equal(last.estimated ?? false, false, `${where}: the provider's usage, not an estimate`);
        assert.equal(last.promptTokens, facts.usage.promptTokens, `${where}: promptTokens`);
        assert.equal(last.completionTokens, facts.usage.completionTokens, `${where}: completionTokens`);
        assert.equal(last.totalTokens, facts.usage.totalTokens, `${where}: totalTokens`);
        assert.deepEqual(run.result.usage, last, `${where}: result().usage`);

        const finishes = run.events.filter((e) => e.kind === 'finish' && e.choice === 0);
        assert.deepEqual(finishes.map((e) => e.text), [facts.finish], `${where}: finish`);
        const done = run.events.filter((e) => e.kind === 'done');
        assert.deepEqual(done.map((e) => e.text), [facts.finish], `${where}: done`);
        assert.equal(run.events.filter((e) => e.kind === 'error').length, 0, `${where}: no error event`);

        // Every split gives the same events and result.
        const shape = eventShape(run);
        if (reference === undefined) {
          reference = { shape, result: run.result };
        } else {
          assert.deepEqual(shape, reference.shape, `${where}: events`);
          assert.deepEqual(run.result, reference.result, `${where}: result`);
        }
      }
    });
  }
});

describe('the core module refuses the wire APIs it leaves out', () => {
  const CASES = [
    [{ provider: 'gemini' }, 'gemini_generate_content'],
    [{ provider: 'google' }, 'gemini_generate_content'],
    [{ provider: 'ollama' }, 'ollama_chat'],
    [{ provider: 'ollama', api: 'ollama_generate' }, 'ollama_generate'],
    [{ provider: 'cohere' }, 'cohere_chat'],
    [{ provider: 'bedrock', region: 'us-east-1' }, 'bedrock_converse'],
    [{ provider: 'openai', api: 'gemini-generate-content' }, 'gemini_generate_content'],
    [{ provider: 'local', api: 'cohere_chat' }, 'cohere_chat'],
  ];
  for (const [options, api] of CASES) {
    test(`${JSON.stringify(options)}: invalid_request naming ${api}, nothing sent`, () => {
      const ws = new core.WasmSession(JSON.stringify({ model: 'm', prompt: 'Hi', apiKey: 'k', maxRetries: 0, ...options }));
      try {
        assert.equal(poll(core, ws, 0), SessionAction.DONE);
        const events = readEvents(core, ws);
        assert.deepEqual(events.map((e) => e.kind), ['error']);
        assert.equal(events[0].side.code, 'invalid_request');
        assert.match(events[0].side.message, new RegExp(api));
        assert.equal(JSON.parse(ws.errorJson()).code, 'invalid_request');
        // A response arriving anyway (a confused driver) is ignored, not read as another API.
        assert.equal(ws.onResponse(200, JSON.stringify([['content-type', 'text/event-stream']]), 1), 0);
        assert.equal(poll(core, ws, 2), SessionAction.DONE);
        assert.equal(ws.done(), true);
      } finally {
        ws.delete();
      }
    });
  }
});
