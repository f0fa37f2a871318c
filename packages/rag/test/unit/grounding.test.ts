import { citationLabel, generateInputSchema, type Passage } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { PassageAnalysisCache, analysePassage } from '../../src/common/grounding/PassageAnalysis.js';
import { queryTerms, weighTerms } from '../../src/common/grounding/queryTerms.js';
import { retrievalQuery } from '../../src/common/grounding/retrievalQuery.js';
import { selectSentences } from '../../src/common/grounding/selectSentences.js';
import { splitSentences } from '../../src/common/grounding/sentences.js';

const harvard =
  'Harvard University is a private Ivy League research university in Cambridge, Massachusetts. ' +
  'It was founded in 1636 and named for its first benefactor, clergyman John Harvard. ' +
  'Harvard is the oldest institution of higher learning in the United States. ' +
  'The university has twelve degree-granting schools.';
const bakery = 'Sourdough starter needs feeding with flour and water every day to stay active. A cold starter rises slowly. Bakers keep it in a jar.';

const passage = (chunkId: number, text: string, heading: string | null = null): Passage => ({ chunkId, documentId: `d${chunkId}`, documentName: `doc${chunkId}.md`, path: `/doc${chunkId}.md`, page: null, heading, start: 0, end: text.length, text });

/** Both passages as a tiny collection: document frequency counted over them. */
function select(question: string, options: { threshold?: number; history?: { role: 'user' | 'assistant'; text: string }[]; cache?: PassageAnalysisCache } = {}) {
  const texts = [harvard, bakery];
  const query = retrievalQuery(question, options.history ?? []);
  const all = [...query.terms, ...query.context];
  const weighted = weighTerms(all, (term) => texts.filter((text) => queryTerms(text, 1000).includes(term)).length, texts.length);
  return selectSentences(weighted, [{ passage: passage(1, harvard, 'History'), similarity: null }, { passage: passage(2, bakery), similarity: null }], { passages: 2, meanWords: 40 }, {
    threshold: options.threshold ?? 0.25,
    vectorThreshold: null,
    maxPassages: 5,
    question,
    ownTerms: query.context.length > 0 ? new Set(query.terms) : undefined,
    ...(options.cache ? { analyse: (p: Passage) => options.cache!.get(p) } : {}),
  });
}

describe('splitSentences', () => {
  it('splits at sentence ends but not after common abbreviations and initials', () => {
    const text = 'Dr. Smith went to Washington D.C. in 1990. He was tall! The U.S. Army is big. J. R. Tolkien wrote e.g. books.';
    expect(splitSentences(text).map((s) => text.slice(s.start, s.end))).toEqual(['Dr. Smith went to Washington D.C. in 1990.', 'He was tall!', 'The U.S. Army is big.', 'J. R. Tolkien wrote e.g. books.']);
  });

  it('cuts a 50 KB line without full stops into question-sized pieces at word boundaries', () => {
    const line = `${'lorem ipsum '.repeat(4000)}keyword ${'dolor sit '.repeat(400)}`;
    const spans = splitSentences(line);
    expect(spans.length).toBeGreaterThan(100);
    expect(Math.max(...spans.map((s) => s.end - s.start))).toBeLessThanOrEqual(400);
    expect(spans.every((s) => line[s.start] !== ' ' && !line.slice(s.start, s.end).endsWith(' '))).toBe(true);
    expect(splitSentences('')).toEqual([]);
  });
});

describe('analysePassage', () => {
  it('puts each word in its own sentence when lowercasing or normalising would change the length', () => {
    // "İ" lowercases to two code units; "e" + U+0301 composes into one: offsets of the original text count.
    for (const text of ['İİİİİ ab. Zebra here.', 'Cafe\u0301 cafe\u0301 cafe\u0301 ab. Zebra here.']) {
      const { sentenceTerms } = analysePassage({ text, heading: null });
      expect(sentenceTerms, text).toHaveLength(2);
      expect([...sentenceTerms[0]!], text).toContain('ab');
      expect([...sentenceTerms[1]!], text).not.toContain('ab');
      expect([...sentenceTerms[1]!], text).toContain('zebra');
      expect([...sentenceTerms[0]!], text).not.toContain('zebra');
    }
    // Decomposed and composed spellings are the same word.
    expect([...analysePassage({ text: 'Cafe\u0301', heading: null }).own]).toEqual([...analysePassage({ text: 'Caf\u00e9', heading: null }).own]);
  });
});

describe('limits of a grounding request', () => {
  it('keeps a passage of 3000 one-word lines under a deep heading within the inference contract', () => {
    const text = Array.from({ length: 3000 }, (_, i) => (i % 2 ? 'zebra' : 'okapi')).join('\n');
    const heading = Array.from({ length: 200 }, (_, i) => `Section ${i}`).join(' › ');
    const passages = [passage(1, text, heading), passage(2, text)].map((p) => ({ passage: { ...p, documentName: `${'ü'.repeat(150)}.md` }, similarity: null }));
    const question = { terms: ['zebra', 'okapi'], weights: [1, 1], total: 2 };
    const selection = selectSentences(question, passages, { passages: 2, meanWords: 3000 }, { threshold: 0, vectorThreshold: null, maxPassages: 5, question: 'zebra okapi' });
    expect(selection.ranked.length).toBeGreaterThan(0);
    const grounding = {
      passages: selection.passages.map((p) => ({ label: citationLabel(p), text: p.text, sentences: p.sentences })),
      ranked: selection.ranked,
      budgetTokens: 500,
    };
    const parsed = generateInputSchema.safeParse({ systemPrompt: '', history: [], prompt: 'zebra okapi', maxTokens: 10, temperature: 0, grounding });
    expect(parsed.error?.issues ?? []).toEqual([]);
    // Joined sentences still cover the whole passage, in order.
    const spans = selection.passages[0]!.sentences;
    expect(spans[0]![0]).toBe(0);
    expect(spans.at(-1)![1]).toBe(text.length);
    expect(citationLabel(selection.passages[0]!)).toMatch(/^ü+\.md — Section 0 › .*…$/);
  });
});

describe('the relevance gate and the sentences read', () => {
  it('grounds a question about the documents in the sentence that answers it, best first', () => {
    const selection = select('When was Harvard University founded?');
    expect(selection.relevance).toBeGreaterThan(0.25);
    expect(selection.passages.map((p) => p.chunkId)).toEqual([1]);
    const [p, s] = selection.ranked[0]!;
    const best = selection.passages[p]!;
    expect(best.text.slice(...best.sentences[s]!)).toContain('1636');
  });

  it('lets chit-chat, off-topic questions and questions of stopwords or emoji through without sources', () => {
    for (const question of ['Tell me a story about a frog', 'Once upon a time a frog', 'What is the capital of Mongolia?', 'the of and to?', '🦊🐸🦊 !!!', '???']) {
      expect(select(question).passages, question).toEqual([]);
    }
    // A question sharing one common word with a passage is not enough either.
    expect(select('Which university did my cousin visit in the Alps last winter?').passages).toEqual([]);
  });

  it('reads a follow-up question together with the question before it', () => {
    const history = [
      { role: 'user' as const, text: 'Where is Harvard University?' },
      { role: 'assistant' as const, text: 'In Cambridge, Massachusetts [1].' },
    ];
    const query = retrievalQuery('When was it founded?', history);
    expect(query).toMatchObject({ terms: ['found'], context: ['harvard', 'univers'] });
    expect(query.text).toContain('Where is Harvard University?');
    const selection = select('When was it founded?', { history });
    const [p, s] = selection.ranked[0]!;
    expect(selection.passages[p]!.text.slice(...selection.passages[p]!.sentences[s]!)).toContain('founded in 1636');
    // A question that stands on its own is searched alone.
    expect(retrievalQuery('How often is sourdough starter fed with flour?', history).context).toEqual([]);
  });

  it('a short question on another subject reads that subject only, not the passages of the question before', () => {
    const history = [
      { role: 'user' as const, text: 'Where is Harvard University?' },
      { role: 'assistant' as const, text: 'In Cambridge, Massachusetts [1].' },
    ];
    // Two searchable words: searched with the question before, but only the starter passage holds them.
    expect(retrievalQuery('What about sourdough starter?', history).context).not.toEqual([]);
    expect(select('What about sourdough starter?', { history }).passages.map((p) => p.chunkId)).toEqual([2]);
  });

  it('takes a 20,000-character question without choking: its first searchable words decide', () => {
    const question = `When was Harvard founded? ${'and then what '.repeat(1500)}`;
    expect(question.length).toBeGreaterThan(20_000);
    expect(queryTerms(question).length).toBeLessThanOrEqual(32);
    expect(select(question).passages.map((p) => p.chunkId)).toEqual([1]);
  });
});

describe('relevance by meaning, with a reliable embedding model', () => {
  it('grounds a paraphrase that shares no keyword when its similarity passes the threshold, and not otherwise', () => {
    const question = 'At what date did that old college in Massachusetts open its doors?';
    const weighted = weighTerms(queryTerms(question), () => 0, 2);
    const retrieved = [{ passage: passage(1, harvard), similarity: 0.82 }];
    const options = { threshold: 0.25, maxPassages: 5, question };
    expect(selectSentences(weighted, retrieved, { passages: 2, meanWords: 40 }, { ...options, vectorThreshold: null }).passages).toEqual([]);
    expect(selectSentences(weighted, [{ ...retrieved[0]!, similarity: 0.5 }], { passages: 2, meanWords: 40 }, { ...options, vectorThreshold: 0.6 }).passages).toEqual([]);
    const byMeaning = selectSentences(weighted, retrieved, { passages: 2, meanWords: 40 }, { ...options, vectorThreshold: 0.6 });
    expect(byMeaning.passages.map((p) => p.chunkId)).toEqual([1]);
    expect(byMeaning.ranked.length).toBeGreaterThan(0);
  });
});

describe('the analysis cache', () => {
  it('selects exactly what a fresh analysis selects, and reuses an analysis until it is evicted', () => {
    const cache = new PassageAnalysisCache(1);
    for (const question of ['When was Harvard founded?', 'How often is a sourdough starter fed?', 'Tell me a story about a frog']) {
      expect(select(question, { cache })).toEqual(select(question));
    }
    const analysis = cache.get(passage(2, bakery));
    expect(cache.get(passage(2, bakery))).toBe(analysis);
    expect(analysis).toEqual(analysePassage(passage(2, bakery)));
    // Capacity 1: another passage pushes it out; a new version of a document is another key.
    cache.get(passage(1, harvard));
    expect(cache.get(passage(2, bakery))).not.toBe(analysis);
    expect(cache.get({ ...passage(2, bakery), documentId: 'd2-v2' })).not.toBe(cache.get(passage(2, bakery)));
  });
});

describe('a small collection', () => {
  it('grounds a question about a four-page letter whose every page holds its words, and not an off-topic one', () => {
    const pages = [1, 2, 3, 4].map((n) => passage(n, `Harbour letter, sheet ${n}. The keeper counted ${n * 7} gulls on sheet ${n}. The tide came in slowly over the rocks.`));
    const run = (question: string) => {
      const query = retrievalQuery(question, []);
      const weighted = weighTerms(query.terms, (term) => pages.filter((p) => queryTerms(p.text, 1000).includes(term)).length, pages.length);
      return selectSentences(weighted, pages.map((p) => ({ passage: p, similarity: null })), { passages: pages.length, meanWords: 20 }, { threshold: 0.25, vectorThreshold: null, maxPassages: 5, question });
    };
    expect(run('How many gulls did the keeper count on sheet 3?').passages.length).toBeGreaterThan(0);
    expect(run('Tell me a story about a frog').passages).toEqual([]);
  });
});
