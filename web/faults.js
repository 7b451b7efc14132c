// Fault-injection presets for the local provider: each sets the panel's scenario (sent as the
// `x-llmstream-scenario` header, server/README.md) and starts a generation.

export const FAULTS = [
  { id: '429', label: '429 + Retry-After', scenario: 'status=429; retry_after=1',
    hint: 'HTTP 429 with Retry-After: 1 s (retried, then a RateLimitError)' },
  { id: '500', label: 'HTTP 500', scenario: 'status=500',
    hint: 'HTTP 500 (retried with backoff, then a ServerError)' },
  { id: 'reset', label: 'Reset mid-stream', scenario: 'reset_after=8',
    hint: 'TCP reset after 8 events: a network error, the partial answer kept' },
  { id: 'stall', label: 'Stall 3 s', scenario: 'stall_after=8; stall_ms=3000',
    hint: 'no bytes for 3 s after 8 events, then the stream goes on' },
  { id: 'inband', label: 'In-band error', scenario: 'error_after=8',
    hint: "the provider's error event after 8 events" },
  { id: 'slow', label: 'Slow bytes', scenario: 'slow_bytes=1; byte_delay_ms=0; tokens=20',
    hint: 'the body one byte per write' },
];

/** Scripted replies for the local provider (sent in the request body, streamed as they are). */
export const SAMPLES = {
  markdown: [
    '## Streaming, rendered safely',
    '',
    'Tokens arrive **one by one**; the page renders them as *markdown* as they come.',
    '',
    '- lists, `inline code` and [links](https://example.com/)',
    '- everything else is escaped',
    '',
    '```js',
    "for await (const chunk of stream) out += chunk.text ?? '';",
    '```',
  ].join('\n'),
  xss: [
    'Untrusted output: <img src=x onerror="window.__pwned=1;alert(1)">',
    '<script>window.__pwned=2</script>',
    '[click me](javascript:window.__pwned=3) and <a href="javascript:alert(3)">this</a>',
    '<svg onload="window.__pwned=4"></svg> <iframe src="javascript:alert(5)"></iframe>',
    'End of payload.',
  ].join('\n'),
};

/** The API a fixture was recorded from, guessed from its name (`anthropic-*` ...). */
export function fixtureApi(name) {
  if (name.startsWith('anthropic-')) return 'anthropic_messages';
  if (name.startsWith('openai-responses-')) return 'responses';
  return 'chat_completions';
}
