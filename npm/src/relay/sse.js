// SseReader: a text/event-stream body into events, as the WHATWG "event stream interpretation"
// reads it (CR, LF or CRLF line ends, in any split; comments; a sticky last event ID), bounded:
// an event whose data passes `maxEventBytes` UTF-8 bytes, or a line that could hold one, fails
// the stream instead of growing a buffer. For the relay client (./decode.js), which must read a
// relay without the wasm core (whose SSE parser the package's direct streams use).

/** UTF-8 bytes of a string made by TextDecoder (no lone surrogates). */
export function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

export class SseReader {
  /**
   * @param {(event: {type: string, data: string, id: string}) => void} onEvent
   * @param {{maxEventBytes: number}} limits
   */
  constructor(onEvent, { maxEventBytes }) {
    this.onEvent = onEvent;
    this.maxEventBytes = maxEventBytes;
    this.pending = ''; // the start of a line that straddles inputs
    this.skipLf = false; // the last input ended with CR: an LF first in the next one belongs to it
    this.atStart = true;
    this.data = [];
    this.dataBytes = 0;
    this.exactBytes = false;
    this.type = '';
    this.idBuffer = '';
    this.lastEventId = '';
    /** True once an event passed the limit; later input is ignored. */
    this.failed = false;
  }

  /** Reads the next part of the body (already decoded text). */
  push(text) {
    if (this.failed) return;
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one BOM, at the very start
    }
    let at = 0;
    if (this.skipLf && text.length > 0) {
      this.skipLf = false;
      if (text.charCodeAt(0) === 10) at = 1;
    }
    // The next LF and CR, each searched again only once passed (indexOf, not a loop per char;
    // never a rescan of the rest per line).
    let lf = -2;
    let cr = -2;
    while (at < text.length && !this.failed) {
      if (lf !== -1 && lf < at) lf = text.indexOf('\n', at);
      if (cr !== -1 && cr < at) cr = text.indexOf('\r', at);
      let end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) end = text.length;
      if (end === text.length) {
        this.pending += text.slice(at);
        // UTF-16 units never outnumber UTF-8 bytes: a line this long is an event over the limit.
        if (this.pending.length > this.maxEventBytes + 64) this.failed = true;
        return;
      }
      const line = this.pending === '' ? text.slice(at, end) : this.pending + text.slice(at, end);
      this.pending = '';
      if (text.charCodeAt(end) === 13) {
        if (end + 1 === text.length) this.skipLf = true;
        else if (text.charCodeAt(end + 1) === 10) end++;
      }
      at = end + 1;
      this.line(line);
    }
  }

  /** End of body: true when it ended inside a line or an event (both are dropped). */
  end() {
    const partial = this.pending !== '' || this.data.length > 0;
    this.pending = '';
    this.data = [];
    return partial;
  }

  line(line) {
    if (line === '') {
      this.lastEventId = this.idBuffer;
      if (this.data.length > 0) {
        const event = { type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId };
        this.data = [];
        this.dataBytes = 0;
        this.exactBytes = false;
        this.type = '';
        this.onEvent(event);
      } else {
        this.type = '';
      }
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' a comment (the relay's keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      // dataBytes is a bound (a UTF-16 unit is at most 3 UTF-8 bytes) until it passes the limit,
      // then the exact count, taken once per event: exact counting is needed only near the limit.
      const separator = this.data.length > 0 ? 1 : 0;
      if (this.exactBytes) {
        this.dataBytes += utf8Length(value) + separator;
      } else {
        this.dataBytes += value.length * 3 + separator;
        if (this.dataBytes > this.maxEventBytes) {
          this.exactBytes = true;
          this.dataBytes = this.data.reduce((n, d) => n + utf8Length(d) + 1, 0) + utf8Length(value);
        }
      }
      if (this.dataBytes > this.maxEventBytes) {
        this.failed = true;
        return;
      }
      this.data.push(value);
    } else if (field === 'event') {
      this.type = value;
    } else if (field === 'id') {
      if (!value.includes('\0')) this.idBuffer = value;
    }
    // retry: EventSource's; a relay client reconnects on its own terms
  }
}
