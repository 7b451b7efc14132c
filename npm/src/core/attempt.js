// Attempt: one HTTP request of a session (session.js): its fetch, its body reader, and what they
// settled to, kept until the session reports it to the core. Made once per request, not per
// read: the read callbacks are bound once.

// Attempt.ready: the kind of the settled, not yet reported I/O
export const IO_NONE = 0;
export const IO_RESPONSE = 1; // readyValue: the Response
export const IO_READ = 2; // readyValue: the reader's {done, value}
export const IO_ERROR = 3; // readyValue: the rejection

/** One HTTP request of the session: its fetch, its body reader, and what they settled to. */
export class Attempt {
  /**
   * @param {(attempt: Attempt) => void} onSettled called when its fetch or a read settled (the
   *   session wakes its wait if this is still its current attempt)
   */
  constructor(onSettled) {
    this.onSettled = onSettled;
    this.controller = new AbortController();
    /** @type {ReadableStreamDefaultReader<Uint8Array> | null} */
    this.reader = null;
    this.inFlight = false; // a fetch or read is outstanding
    // Its outcome, settled but not yet reported to the core (kept across a wait that a timer
    // or an interrupt ended).
    this.ready = IO_NONE;
    /** @type {any} */
    this.readyValue = undefined;
    this.aborted = false;
    // Made once per attempt, not per read.
    this.onRead = (r) => this.settle(IO_READ, r);
    this.onError = (error) => this.settle(IO_ERROR, error);
  }

  /** @param {typeof globalThis.fetch} fetchImpl @param {any} request {method, url, headers, body} */
  start(fetchImpl, request) {
    this.inFlight = true;
    let started;
    try {
      started = Promise.resolve(
        fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: this.controller.signal,
        }),
      );
    } catch (error) {
      started = Promise.reject(error); // a fetch that throws synchronously
    }
    started.then((res) => this.settle(IO_RESPONSE, res), this.onError);
  }

  /** @param {Response} res */
  startReading(res) {
    if (res.body) {
      this.reader = res.body.getReader();
      this.readNext();
    } else {
      this.ready = IO_READ; // no body: it ended
      this.readyValue = { done: true, value: undefined };
    }
  }

  readNext() {
    this.inFlight = true;
    /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (this.reader).read().then(this.onRead, this.onError);
  }

  /** A late outcome of an aborted attempt is dropped (the core knows why it ended). */
  settle(kind, value) {
    this.inFlight = false;
    if (this.aborted) return;
    this.ready = kind;
    this.readyValue = value;
    this.onSettled(this);
  }

  /** True while something of this attempt is outstanding or settled and not yet reported. */
  pending() {
    return !this.aborted && (this.inFlight || this.ready !== IO_NONE);
  }

  abort() {
    if (this.aborted) return;
    this.aborted = true;
    this.inFlight = false;
    this.ready = IO_NONE;
    this.readyValue = undefined;
    try {
      this.controller.abort();
    } catch {
      // nothing to abort
    }
    this.reader?.cancel().catch(() => {});
  }
}
