import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/node/api/SseParser.js';

const feedAll = (parts: string[]) => {
  const parser = new SseParser();
  return parts.flatMap((part) => parser.feed(part));
};

describe('SseParser', () => {
  it('parses events split anywhere across chunks', () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    const whole = feedAll([stream]);
    expect(whole.map((event) => event.data)).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
    for (let cut = 1; cut < stream.length; cut++) expect(feedAll([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
  });

  it('accepts CRLF and CR line ends, including a CRLF split between chunks', () => {
    expect(feedAll(['data: x\r', '\n\r\n', 'data: y\r\r']).map((event) => event.data)).toEqual(['x', 'y']);
  });

  it('joins multi-line data, skips comments, keeps the event name and drops one leading space only', () => {
    const events = feedAll([': keep-alive\n', 'event: update\ndata:  two spaces\ndata:second\n\n']);
    expect(events).toEqual([{ event: 'update', data: ' two spaces\nsecond' }]);
  });

  it('keeps an unterminated tail as the remainder (a truncated stream)', () => {
    const parser = new SseParser();
    expect(parser.feed('data: {"a":1}\n\ndata: {"trunc')).toHaveLength(1);
    expect(parser.remainder).toBe('data: {"trunc');
  });
});
