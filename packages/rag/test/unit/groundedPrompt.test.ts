import { describe, expect, it } from 'vitest';
import { citationLabel, groundedPrompt, retrievalOnlyAnswer, selectCitations } from '../../src/index.js';

const hit = (chunkId: number, text: string, extra: { page?: number | null; heading?: string | null } = {}) => ({
  chunkId,
  documentId: `d${chunkId}`,
  documentName: `doc${chunkId}.pdf`,
  path: `/docs/doc${chunkId}.pdf`,
  page: extra.page ?? null,
  heading: extra.heading ?? null,
  start: 0,
  end: text.length,
  text,
});

describe('citations', () => {
  it('labels by page, else heading, else name', () => {
    expect(citationLabel(hit(1, 'x', { page: 4 }))).toBe('doc1.pdf, p. 4');
    expect(citationLabel(hit(1, 'x', { heading: 'Setup › Linux' }))).toBe('doc1.pdf — Setup › Linux');
    expect(citationLabel(hit(1, 'x'))).toBe('doc1.pdf');
  });

  it('numbers hits from 1 within the character budget, always keeping the best one (cut to fit)', () => {
    const hits = [hit(1, 'a'.repeat(600)), hit(2, 'b'.repeat(300)), hit(3, 'c'.repeat(300))];
    expect(selectCitations(hits, { maxCitations: 5, maxChars: 1000 }).map((c) => [c.n, c.chunkId])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(selectCitations(hits, { maxCitations: 1, maxChars: 10_000 })).toHaveLength(1);
    const [only] = selectCitations([hit(9, 'z'.repeat(5000))], { maxCitations: 3, maxChars: 800 });
    expect(only!.text).toHaveLength(800);
  });

  it('builds a prompt that lists numbered sources before the question and asks for [n] citations', () => {
    const prompt = groundedPrompt('  When?  ', selectCitations([hit(1, 'In 1911.', { page: 2 })], { maxCitations: 5, maxChars: 1000 }));
    expect(prompt).toContain('[1] doc1.pdf, p. 2\nIn 1911.');
    expect(prompt).toMatch(/like \[1\]/);
    expect(prompt.endsWith('Question: When?')).toBe(true);
  });

  it('answers without a chat model with quoted passages and their sources, or says nothing matched', () => {
    const answer = retrievalOnlyAnswer('q', selectCitations([hit(1, 'The   beam\nreaches far.', { heading: 'Lens' })], { maxCitations: 5, maxChars: 1000 }));
    expect(answer).toBe('No chat model is installed, so here are the passages from your documents that best match your question:\n\n[1] “The beam reaches far.” (doc1.pdf — Lens)');
    expect(retrievalOnlyAnswer('why?', [])).toMatch(/none of your documents matches “why\?”/);
  });
});
