#!/usr/bin/env node
// Deterministic synthetic streams of the wire formats beyond SSE Chat Completions / Messages
// (issue 14): Gemini (CRLF SSE, and the streamed JSON array), Ollama /api/chat (NDJSON), Cohere v2
// (named SSE events) and Bedrock ConverseStream (binary AWS event-stream, both CRCs). Same token
// vocabulary and PRNG as ../shared/bench/gen.mjs, one token per event (the costliest shape: real
// Gemini and Bedrock chunks often carry several), and each event shaped like the providers'
// recordings (../shared/fixtures/more-providers/).
//
//   node bench/gen_more.mjs [--out bench/data] [--sizes 100k,1m] [--kinds gemini,ollama,...]
//
// For each kind K and size S it writes K-S.body (the bytes a server sends), K-S.txt (the
// assembled text) and K-S.meta.json ({kind, tokens, bytes, api, contentType}): core_throughput
// reads the wire API and the content type from the meta file.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { eventMessage } from '../server/lib/event-stream.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.LLMSTREAM_SHARED_DIR ?? join(here, '../../shared');
const { makeToken, rng } = await import(pathToFileURL(join(shared, 'bench/gen.mjs')).href);

const SIZES = { '1k': 1e3, '10k': 1e4, '100k': 1e5, '1m': 1e6 };
const CREATED = '2026-12-07T06:00:00.000000Z';

/** Each kind: the wire API, the content type, and its bytes for `tokens`. */
const KINDS = {
  gemini: {
    api: 'gemini_generate_content',
    contentType: 'text/event-stream',
    write: (tokens, out) => {
      const usage = (done) =>
        `"usageMetadata": {"promptTokenCount": 9,${done ? `"candidatesTokenCount": ${tokens.length},` : ''}` +
        `"totalTokenCount": ${done ? 9 + tokens.length : 9},"promptTokensDetails": [{"modality": "TEXT","tokenCount": 9}]}`;
      tokens.forEach((token, i) => {
        const last = i === tokens.length - 1;
        out.push(
          `data: {"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(token)}}],"role": "model"}` +
            `${last ? ',"finishReason": "STOP"' : ''},"index": 0}],${usage(last)},` +
            `"modelVersion": "gemini-2.5-flash","responseId": "bench-gemini-0001"}\r\n\r\n`,
        );
      });
    },
  },
  'gemini-array': {
    api: 'gemini_generate_content',
    contentType: 'application/json',
    write: (tokens, out) => {
      tokens.forEach((token, i) => {
        const last = i === tokens.length - 1;
        out.push(
          `${i === 0 ? '[' : ',\r\n'}{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n` +
            `          {\n            "text": ${JSON.stringify(token)}\n          }\n        ],\n` +
            `        "role": "model"\n      }${last ? ',\n      "finishReason": "STOP"' : ''},\n      "index": 0\n    }\n  ],\n` +
            `  "usageMetadata": {\n    "promptTokenCount": 9,\n    "totalTokenCount": ${last ? 9 + tokens.length : 9}\n  },\n` +
            `  "modelVersion": "gemini-2.5-flash",\n  "responseId": "bench-gemini-0001"\n}`,
        );
      });
      out.push(']');
    },
  },
  ollama: {
    api: 'ollama_chat',
    contentType: 'application/x-ndjson',
    write: (tokens, out) => {
      for (const token of tokens) {
        out.push(
          `{"model":"llama3.2","created_at":"${CREATED}","message":{"role":"assistant","content":` +
            `${JSON.stringify(token)}},"done":false}\n`,
        );
      }
      out.push(
        `{"model":"llama3.2","created_at":"${CREATED}","message":{"role":"assistant","content":""},` +
          `"done":true,"done_reason":"stop","total_duration":978445250,"load_duration":58436917,` +
          `"prompt_eval_count":9,"prompt_eval_duration":17853083,"eval_count":${tokens.length},` +
          `"eval_duration":810829670}\n`,
      );
    },
  },
  cohere: {
    api: 'cohere_chat',
    contentType: 'text/event-stream',
    write: (tokens, out) => {
      const event = (type, data) => out.push(`event: ${type}\ndata: ${data}\n\n`);
      event(
        'message-start',
        '{"id":"bench-cohere-0001","type":"message-start","delta":{"message":{"role":"assistant",' +
          '"content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}',
      );
      event('content-start', '{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}');
      for (const token of tokens) {
        event(
          'content-delta',
          `{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":${JSON.stringify(token)}}}}}`,
        );
      }
      event('content-end', '{"type":"content-end","index":0}');
      event(
        'message-end',
        `{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":9,` +
          `"output_tokens":${tokens.length}},"tokens":{"input_tokens":71,"output_tokens":${tokens.length}}}}}`,
      );
      out.push('data: [DONE]\n\n');
    },
  },
  bedrock: {
    api: 'bedrock_converse',
    contentType: 'application/vnd.amazon.eventstream',
    write: (tokens, out) => {
      // The padding field "p" varies in length per event, as Bedrock's does (it hides lengths).
      const pad = (i) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0'.slice(0, 1 + (i * 7) % 40);
      const frame = (type, payload) => out.push(eventMessage(type, Buffer.from(JSON.stringify(payload))));
      frame('messageStart', { p: pad(0), role: 'assistant' });
      tokens.forEach((token, i) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: token }, p: pad(i) }));
      frame('contentBlockStop', { contentBlockIndex: 0, p: pad(1) });
      frame('messageStop', { p: pad(2), stopReason: 'end_turn' });
      frame('metadata', {
        metrics: { latencyMs: 812 },
        p: pad(3),
        usage: { inputTokens: 9, outputTokens: tokens.length, totalTokens: 9 + tokens.length },
      });
    },
  },
};

function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const outDir = option('--out', join(here, 'data'));
  const sizes = option('--sizes', '100k').split(',');
  const kinds = option('--kinds', Object.keys(KINDS).join(',')).split(',');
  mkdirSync(outDir, { recursive: true });
  for (const kind of kinds) {
    const spec = KINDS[kind];
    if (!spec) throw new Error(`gen_more: unknown kind '${kind}' (one of ${Object.keys(KINDS).join(', ')})`);
    for (const size of sizes) {
      const count = SIZES[size];
      if (!count) throw new Error(`gen_more: unknown size '${size}' (one of ${Object.keys(SIZES).join(', ')})`);
      const r = rng(0x5eed + count);
      const tokens = Array.from({ length: count }, () => makeToken(r));
      const parts = [];
      spec.write(tokens, parts);
      const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
      const text = tokens.join('');
      const base = join(outDir, `${kind}-${size}`);
      writeFileSync(`${base}.body`, body);
      writeFileSync(`${base}.txt`, text);
      const meta = {
        kind,
        tokens: count,
        bytes: body.length,
        api: spec.api,
        contentType: spec.contentType,
        sha256: createHash('sha256').update(text).digest('hex'),
      };
      writeFileSync(`${base}.meta.json`, `${JSON.stringify(meta)}\n`);
      console.log(JSON.stringify(meta));
    }
  }
}

main();
