// Writes one response: status line and headers, then its events one at a time, paced by
// the shared scheduler, with the scenario's faults applied at event boundaries.
//
// A Delivery is also the scheduler task of its response (see scheduler.mjs), so an open
// stream costs one small object and no timers of its own. "After N events" faults fire in
// the slot where event N+1 would have been written (one pace later), which gives the client
// time to read the first N events before the connection is reset or closed.

import { resetResponse } from './h2c.mjs';
import { cancel, now, schedule } from './scheduler.mjs';
import { SSE_KEEP_ALIVE } from './sse.mjs';
import { STAMP_PLACEHOLDER } from './textgen.mjs';

// At most this many overdue events go out in one write when a stream has fallen behind.
const MAX_CATCH_UP = 16;

export class Delivery {
  /**
   * @param {object} o
   * @param {import('node:http').ServerResponse} o.res
   * @param {object} o.record          request-log record, updated as bytes go out
   * @param {import('./request-log.mjs').RequestLog} o.log
   * @param {number} o.status
   * @param {object} o.headers
   * @param {Iterator<string|Buffer>} o.events
   * @param {(eventsSent: number) => string[]} [o.inbandError]  provider's in-stream error
   * @param {object} o.scenario        merged scenario (pace, faults)
   * @param {string} o.outcome         outcome when every event was written
   * @param {number} o.jitterSeed      makes jitter deterministic per request
   */
  constructor(o) {
    this.res = o.res;
    this.record = o.record;
    this.log = o.log;
    this.status = o.status;
    this.headers = o.headers;
    this.events = o.events;
    this.inbandError = o.inbandError;
    this.s = o.scenario;
    this.outcome = o.outcome;
    this.jitterSeed = o.jitterSeed;
    this.state = 'headers'; // headers | event | stall | bytes | drain | done
    this.pending = null; // the next event, pulled ahead of its slot
    this.stalled = false;
    this.bytes = null; // slow_bytes: the event being written byte by byte
    this.bytePos = 0;
    this.slotAt = 0; // when the last event was due (scheduler clock)
    this.lastWriteAt = 0; // when the last batch of events was written (batch_ms)
    this.dueAt = -1; // owned by the scheduler
  }

  start() {
    this.res.on('close', () => this.#onClose());
    // The client may have gone while the request body or a fixture was being read.
    if (!this.res.socket || this.res.socket.destroyed) this.#onClose();
    else if (this.s.headers_delay_ms > 0) schedule(this, this.s.headers_delay_ms);
    else this.onTimer();
  }

  /** Scheduler callback: do whatever the current state waits for. */
  onTimer() {
    switch (this.state) {
      case 'headers':
        this.res.writeHead(this.status, this.headers);
        this.res.flushHeaders();
        this.record.status = this.status;
        this.slotAt = now();
        this.#step();
        break;
      case 'stall':
        this.log.setOutcome(this.record, 'in_progress');
        this.slotAt = now();
        this.#step();
        break;
      case 'event':
        this.#step();
        break;
      case 'bytes':
        this.#writeNextByte();
        break;
      default:
        break;
    }
  }

  /**
   * Writes the event due now, applying a fault instead when one is due at this index. When
   * the stream is behind its timeline (a saturated server), the overdue events that follow
   * go out in the same write, so the stream keeps its nominal token rate with fewer writes.
   */
  #step() {
    const s = this.s;
    const pace = s.pace_ms ?? 0;
    const time = now();
    const parts = [];
    for (;;) {
      const next = this.pending ?? this.events.next();
      this.pending = null;
      if (next.done) break;
      if (this.#faultDue()) {
        if (parts.length === 0) return this.#fault(next);
        this.pending = next; // the fault gets its own slot
        break;
      }
      if (s.slow_bytes) {
        if (s.comments) this.#write(SSE_KEEP_ALIVE);
        this.bytes = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        this.bytePos = 0;
        return this.#writeNextByte();
      }
      if (s.comments) parts.push(SSE_KEEP_ALIVE);
      parts.push(next.value);
      this.record.events_sent++;
      const nextSlot = this.slotAt + pace + this.#jitter();
      const maxParts = Math.max(MAX_CATCH_UP, Math.ceil((s.batch_ms ?? 0) / Math.max(pace, 1)) + 1);
      if (pace === 0 || nextSlot > time || parts.length >= maxParts) break;
      this.slotAt = nextSlot;
    }
    const flushed = parts.length === 0 || this.#write(joinParts(parts));
    if (parts.length > 0) this.lastWriteAt = time;
    return this.#scheduleNext(flushed);
  }

  #faultDue() {
    const n = this.record.events_sent;
    const s = this.s;
    return (
      s.reset_after === n ||
      s.close_after === n ||
      (s.error_after === n && this.inbandError !== undefined) ||
      (s.stall_after === n && !this.stalled)
    );
  }

  #fault(next) {
    const n = this.record.events_sent;
    const s = this.s;
    if (s.reset_after === n) return this.#reset();
    if (s.close_after === n) return this.#end('closed_early');
    if (s.error_after === n && this.inbandError) {
      for (const event of this.inbandError(n)) {
        this.#write(event);
        this.record.events_sent++;
      }
      return this.#end('error_in_band');
    }
    this.stalled = true;
    this.pending = next;
    this.log.setOutcome(this.record, 'stalled');
    this.state = 'stall';
    // Without stall_ms nothing is scheduled: the stream waits for the client to go away.
    if (s.stall_ms !== undefined) schedule(this, s.stall_ms);
    return undefined;
  }

  #writeNextByte() {
    const flushed = this.#write(this.bytes.subarray(this.bytePos, this.bytePos + 1));
    this.bytePos++;
    if (this.bytePos < this.bytes.length) {
      this.state = 'bytes';
      schedule(this, this.s.byte_delay_ms ?? 2);
      return;
    }
    this.bytes = null;
    this.record.events_sent++;
    this.#scheduleNext(flushed);
  }

  /**
   * Waits until the next slot of the stream's timeline (one pace plus jitter after the
   * previous slot), after a drain if the socket is full. Slots are absolute so that timer
   * lateness does not accumulate into a slower stream; a stream still behind after a
   * catch-up write restarts its timeline from now.
   */
  #scheduleNext(flushed) {
    if (this.state === 'done') return;
    // Look ahead so that the body ends right after its last event, not one pace later.
    this.pending ??= this.events.next();
    if (this.pending.done) return this.#end(this.outcome);
    if (!flushed) {
      this.state = 'drain';
      this.res.once('drain', () => this.#scheduleNext(true));
      return;
    }
    this.state = 'event';
    const time = now();
    this.slotAt = Math.max(this.slotAt + (this.s.pace_ms ?? 0) + this.#jitter(), time);
    // batch_ms: the tokens keep their pace on average, but leave in fewer, larger writes (one
    // write per stream per batch), which lets one Node process feed 10,000 streams.
    const batch = this.s.batch_ms ?? 0;
    const wakeAt = batch > 0 ? Math.max(this.slotAt, this.lastWriteAt + batch) : this.slotAt;
    schedule(this, wakeAt - time);
  }

  #jitter() {
    const max = this.s.jitter_ms ?? 0;
    if (max === 0) return 0;
    // Deterministic per (request, event index): a multiplicative hash, no Math.random.
    const h = Math.imul(this.jitterSeed ^ (this.record.events_sent + 1), 2654435761) >>> 0;
    return h % (max + 1);
  }

  #write(chunk) {
    if (this.s.stamp && typeof chunk === 'string' && chunk.includes(STAMP_PLACEHOLDER)) {
      const ns = String(process.hrtime.bigint()).padStart(STAMP_PLACEHOLDER.length, '0');
      chunk = chunk.replaceAll(STAMP_PLACEHOLDER, ns);
    }
    this.record.bytes_sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return this.res.write(chunk);
  }

  #end(outcome) {
    this.state = 'done';
    cancel(this);
    this.log.setOutcome(this.record, outcome);
    this.res.end();
  }

  #reset() {
    this.state = 'done';
    cancel(this);
    this.log.setOutcome(this.record, 'reset');
    // HTTP/1.1: a TCP RST; HTTP/2: RST_STREAM for this response only (lib/h2c.mjs).
    resetResponse(this.res);
  }

  #onClose() {
    if (this.state === 'done') return;
    this.state = 'done';
    cancel(this);
    this.log.setOutcome(this.record, 'client_disconnected');
  }
}

/** One chunk from event strings and (fixture) Buffers. */
function joinParts(parts) {
  if (parts.length === 1) return parts[0];
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}
