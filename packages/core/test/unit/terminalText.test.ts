import { describe, expect, it } from 'vitest';
import { escapeForTerminal, terminalJson } from '../../src/index.js';

describe('escapeForTerminal', () => {
  it('shows control characters, separators and bidi controls escaped', () => {
    expect(escapeForTerminal('a\n  ingested  fake.pdf (3 pages).md')).toBe('a\\n  ingested  fake.pdf (3 pages).md');
    expect(escapeForTerminal('b\x1b]0;pwned\x07\x1b[2J.md')).toBe('b\\x1b]0;pwned\\x07\\x1b[2J.md');
    expect(escapeForTerminal('c\u009b31m\r\t\u0000\u007f')).toBe('c\\x9b31m\\r\\t\\x00\\x7f');
    expect(escapeForTerminal('invoice\u202egnp.exe \u2066x\u2069 \u2028')).toBe('invoice\\u202egnp.exe \\u2066x\\u2069 \\u2028');
  });

  it('keeps line breaks and tabs in multi-line text, and leaves ordinary text alone', () => {
    expect(escapeForTerminal('line one\n\tline two\x1b[2J', { multiline: true })).toBe('line one\n\tline two\\x1b[2J');
    expect(escapeForTerminal('Café 東京 — “quoted” 😀')).toBe('Café 東京 — “quoted” 😀');
  });
});

describe('terminalJson', () => {
  it('is the same JSON value, with nothing a terminal acts on left raw', () => {
    const value = { name: 'x\x1b[2J\u009b\u202e\u2028\n' };
    const json = terminalJson(value);
    // eslint-disable-next-line no-control-regex
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
