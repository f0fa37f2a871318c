import type { DocumentInfo } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { documentCounts, rowKeys } from '../../src/renderer/src/documents.js';

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

describe('document counts', () => {
  const version = (id: string, path: string, status: DocumentInfo['status'], createdAt: number) => ({ id, path, status, createdAt }) as DocumentInfo;

  it('counts what the panel lists: an old version being replaced is not counted, nor its failure', () => {
    const counts = documentCounts([
      version('a1', '/docs/a.md', 'failed', 1),
      version('a2', '/docs/a.md', 'embedding', 2),
      version('b1', '/docs/b.md', 'failed', 1),
      version('c1', '/docs/c.md', 'ready', 1),
    ]);
    expect(counts.visible.map((document) => document.id)).toEqual(['a2', 'b1', 'c1']);
    expect(counts.failed).toBe(1);
    expect(counts.indexing).toBe(1);
  });
});
