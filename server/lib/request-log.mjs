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

const MAX_RECORDS = 10_000;

export class RequestLog {
  #records = new Map(); // seq -> record, oldest first
  #waiters = new Set();
  #seq = 0;
  #onFinal;

  /** `onFinal(record)` is called once per record when it reaches a final outcome. */
  constructor({ onFinal = null } = {}) {
    this.#onFinal = onFinal;
  }

  /** A new record in outcome `in_progress`. */
  start({ method, path, requestId }) {
    const record = {
      seq: ++this.#seq,
      request_id: requestId,
      key: null,
      method,
      path,
      model: null,
      stream: false,
      status: null,
      events_sent: 0,
      bytes_sent: 0,
      outcome: 'in_progress',
      started_ms: Date.now(),
      ended_ms: null,
    };
    this.#records.set(record.seq, record);
    if (this.#records.size > MAX_RECORDS) this.#records.delete(this.#records.keys().next().value);
    return record;
  }

  /** Sets the record's key once the scenario is known; a waiter may be waiting for it. */
  setKey(record, key) {
    record.key = key;
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

  list(key) {
    const all = [...this.#records.values()];
    return key === undefined ? all : all.filter((r) => r.key === key);
  }

  clear() {
    this.#records.clear();
  }

  /**
   * Resolves with the newest record that has `key` and reached `outcome` (any final outcome
   * when omitted), waiting up to `timeoutMs`; resolves null on timeout or `signal` abort.
   */
  wait({ key, outcome, timeoutMs, signal }) {
    const want = { key, outcome };
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
