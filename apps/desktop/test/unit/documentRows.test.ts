import type { DocumentInfo } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { rowKeys } from '../../src/renderer/src/documents.js';

const doc = (id: string, path: string) => ({ id, path }) as DocumentInfo;

describe('document row keys', () => {
  it('keeps a row its key when a re-index swaps in a new version of the same file', () => {
    const before = rowKeys([doc('a1', '/docs/a.md'), doc('b1', '/docs/b.md')]);
    const after = rowKeys([doc('a2', '/docs/a.md'), doc('b1', '/docs/b.md')]);
    expect(after.get('a2')).toBe(before.get('a1'));
    expect(after.get('b1')).toBe(before.get('b1'));
  });

  it('gives two listed versions of one path distinct keys', () => {
    const keys = rowKeys([doc('a1', '/docs/a.md'), doc('a2', '/docs/a.md')]);
    expect(keys.get('a1')).not.toBe(keys.get('a2'));
  });
});
