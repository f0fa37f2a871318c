import { describe, expect, it } from 'vitest';
import { groundedPrompt } from '@assistant/core';
import { citationLabel, retrievalOnlyAnswer } from '../../src/index.js';

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

  it('builds a prompt that starts with the question as written, then asks for [n] citations of the numbered sources', () => {
    const prompt = groundedPrompt('  When?  ', [{ label: citationLabel(hit(1, 'x', { page: 2 })), text: 'In 1911.' }]);
    expect(prompt).toContain('[1] doc1.pdf, p. 2\nIn 1911.');
    expect(prompt).toMatch(/like \[1\]/);
    // The question as the history will hold it later: the cached prompt matches through it on the next turn.
    expect(prompt.startsWith('When?\n\nAnswer the question above')).toBe(true);
    expect(prompt.endsWith('In 1911.')).toBe(true);
    // Without sources the prompt is the question itself: no instruction tokens on an ungrounded turn.
    expect(groundedPrompt('Hello there', [])).toBe('Hello there');
  });

  it('answers without a chat model with quoted passages and their sources, or says nothing matched', () => {
    const answer = retrievalOnlyAnswer('q', [{ ...hit(1, 'The   beam\nreaches far.', { heading: 'Lens' }), n: 1 }]);
    expect(answer).toBe('No chat model is installed, so here are the passages from your documents that best match your question:\n\n[1] “The beam reaches far.” (doc1.pdf — Lens)');
    expect(retrievalOnlyAnswer('why?', [])).toMatch(/none of your documents matches “why\?”/);
  });
});
