import { describe, expect, it } from 'vitest';
import { plural } from '../../src/index.js';

describe('plural', () => {
  it('says "1 thread" and "2 threads", and irregular nouns', () => {
    expect(plural(1, 'thread')).toBe('1 thread');
    expect(plural(2, 'thread')).toBe('2 threads');
    expect(plural(0, 'passage')).toBe('0 passages');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
});
