// What the server saw and did, per request, so tests can assert on the server side
// (e.g. that a cancelled client really disconnected) and long-poll for an outcome.

/** Outcomes after which a record no longer changes. */
const FINAL_OUTCOMES = new Set([
  'completed',
  'client_disconnected',
  'reset',
  'closed_early',
  'error_in_band',
  'error_status',
  'bad_request',
]);

/** Records kept by default (the oldest go first). */
export const MAX_RECORDS = 10_000;

/** Longest string a record field keeps; a longer one is cut and says how long it was. */
export const FIELD_MAX_CHARS = 256;

/**
 * `value` if it is not a string, else a copy of it of at most FIELD_MAX_CHARS characters plus
 * a marker: `abc…[truncated, 20971520 chars]`. Always a copy, never a slice: V8 keeps the whole
 * parent string (e.g. a 20 MB `model`) alive behind a slice of it.
 */
export function boundedString(value) {
  if (typeof value !== 'string') return value;
  let text = value;
  if (value.length > FIELD_MAX_CHARS) {
    const high = value.charCodeAt(FIELD_MAX_CHARS - 1);
    const cut = high >= 0xd800 && high <= 0xdbff ? FIELD_MAX_CHARS - 1 : FIELD_MAX_CHARS; // a pair
    text = `${value.slice(0, cut)}…[truncated, ${value.length} chars]`;
  }
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/**
 * The turns of a request's conversation, one word each, space-separated (bounded like any
 * field): the `role` of each entry of `messages` (Chat, Anthropic, Bedrock, Ollama, Cohere),
 * `contents` (Gemini) or `input` (Responses: an item's role, else its type, e.g.
 * `function_call_output`); `input` as a string is one `user` turn. null when the body has none
 * of them. Tests read it to see that a follow-up request carries the earlier turns.
 */
export function conversationRoles(body) {
  const list = conversationOf(body);
  if (list === null) return null;
  const word = (m) => {
    const role = m?.role ?? m?.type;
    return typeof role === 'string' && role ? role.replace(/\s+/g, '_') : '?';
  };
  return boundedString(list.map(word).join(' '));
}

/**
 * What each turn `roles` names holds, space-separated (bounded like any field): its content
 * blocks (`content` as an array, Gemini's `parts`) joined by `,`, each block its `type`, else its
 * first key (Gemini parts, Bedrock blocks), with `:signed` when it carries a signature
 * (`signature`, Gemini's `thoughtSignature`); `text` for a string content, `-` for a turn
 * without content. null when `roles` is. Tests read it to see what a follow-up request sent
 * back, e.g. an Anthropic `thinking:signed,tool_use` turn.
 */
export function conversationBlocks(body) {
  const list = conversationOf(body);
  if (list === null) return null;
  const blockWord = (b) => {
    if (b === null || typeof b !== 'object') return '?';
    const kind = typeof b.type === 'string' && b.type ? b.type : (Object.keys(b)[0] ?? '?');
    const signed = [b.signature, b.thoughtSignature].some((v) => typeof v === 'string' && v !== '');
    return `${kind.replace(/[\s,]+/g, '_')}${signed ? ':signed' : ''}`;
  };
  const turnWord = (m) => {
    const content = m?.content ?? m?.parts;
    if (typeof content === 'string') return 'text';
    if (!Array.isArray(content) || content.length === 0) return '-';
    return content.map(blockWord).join(',');
  };
  return boundedString(list.map(turnWord).join(' '));
}

/** The request's conversation: `messages`, `contents` or Responses `input` (a string: one turn). */
function conversationOf(body) {
  if (body === null || typeof body !== 'object') return null;
  return Array.isArray(body.messages)
    ? body.messages
    : Array.isArray(body.contents)
      ? body.contents
      : typeof body.input === 'string'
        ? [{ role: 'user', content: body.input }]
        : Array.isArray(body.input)
          ? body.input
          : null;
}

/**
 * The records of the last `maxRecords` requests. Every string field is bounded
 * (boundedString), so the log's memory is bounded whatever the requests contain.
 */
export class RequestLog {
  #records = new Map(); // seq -> record, oldest first
  #waiters = new Set();
  #seq = 0;
  #onFinal;
  #maxRecords;

  /** `onFinal(record)` is called once per record when it reaches a final outcome. */
  constructor({ onFinal = null, maxRecords = MAX_RECORDS } = {}) {
    this.#onFinal = onFinal;
    this.#maxRecords = maxRecords;
  }

  /** A new record in outcome `in_progress`. */
  start({ method, path, requestId }) {
    const record = {
      seq: ++this.#seq,
      request_id: boundedString(requestId),
      key: null,
      method: boundedString(method),
      path: boundedString(path),
      model: null,
      stream: false,
      roles: null,
      blocks: null,
      status: null,
      events_sent: 0,
      bytes_sent: 0,
      outcome: 'in_progress',
      started_ms: Date.now(),
      ended_ms: null,
    };
    this.#records.set(record.seq, record);
    while (this.#records.size > this.#maxRecords) {
      this.#records.delete(this.#records.keys().next().value);
    }
    return record;
  }

  /** Sets what the request asked for, once its body is parsed (`body`: for `roles`, `blocks`). */
  setRequest(record, { model, stream }, body) {
    record.model = typeof model === 'string' ? boundedString(model) : null;
    record.stream = stream === true;
    record.roles = conversationRoles(body);
    record.blocks = conversationBlocks(body);
  }

  /** Sets the record's key once the scenario is known; a waiter may be waiting for it. */
  setKey(record, key) {
    record.key = key === null ? null : boundedString(key);
    this.#wake(record);
  }

  /** Changes a record's outcome (ending it when final) and wakes matching waiters. */
  setOutcome(record, outcome) {
    if (FINAL_OUTCOMES.has(record.outcome)) return;
    record.outcome = outcome;
    if (FINAL_OUTCOMES.has(outcome)) {
      record.ended_ms = Date.now();
      this.#onFinal?.(record);
    }
    this.#wake(record);
  }

  #wake(record) {
    for (const waiter of this.#waiters) {
      if (matches(record, waiter)) waiter.resolve(record);
    }
  }

  /** The records, oldest first; only those with `key` when given (compared as stored). */
  list(key) {
    const all = [...this.#records.values()];
    if (key === undefined) return all;
    const stored = boundedString(key);
    return all.filter((r) => r.key === stored);
  }

  clear() {
    this.#records.clear();
  }

  /**
   * Resolves with the newest record that has `key` and reached `outcome` (any final outcome
   * when omitted), waiting up to `timeoutMs`; resolves null on timeout or `signal` abort.
   */
  wait({ key, outcome, timeoutMs, signal }) {
    const want = { key: key === undefined ? undefined : boundedString(key), outcome };
    const done = this.list(key).findLast((r) => matches(r, want));
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const waiter = {
        ...want,
        resolve: (record) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.#waiters.delete(waiter);
          resolve(record);
        },
      };
      const onAbort = () => waiter.resolve(null);
      const timer = setTimeout(onAbort, timeoutMs);
      signal?.addEventListener('abort', onAbort);
      this.#waiters.add(waiter);
    });
  }
}

function matches(record, { key, outcome }) {
  if (key !== undefined && record.key !== key) return false;
  return outcome === undefined ? FINAL_OUTCOMES.has(record.outcome) : record.outcome === outcome;
}
