/** One Server-Sent Event: `data` lines joined with newlines, per the WHATWG event-stream format. */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * An incremental text/event-stream parser. Hand-written (about 40 lines) because this offline tree has no
 * `eventsource-parser`; it follows the spec's rules that matter for OpenAI-style streams: events end at a
 * blank line, CR, LF and CRLF all end a line (a CRLF split across chunks included), comment lines start
 * with ':', and one optional space after the field's colon is dropped.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventName: string | null = null;
  private pendingCr = false;

  /** Feeds decoded text; returns the events completed by it. */
  feed(text: string): SseEvent[] {
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      const isCr = this.buffer[end] === '\r';
      let skip = 1;
      if (isCr && this.buffer[end + 1] === '\n') skip = 2;
      else if (isCr && end + 1 === this.buffer.length) this.pendingCr = true;
      this.buffer = this.buffer.slice(end + skip);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Text left after the last line end when the stream closed (a truncated stream), for error messages. */
  get remainder(): string {
    return this.buffer;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.eventName = null;
        return null;
      }
      const event = { event: this.eventName, data: this.data.join('\n') };
      this.data = [];
      this.eventName = null;
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
    return null;
  }
}
