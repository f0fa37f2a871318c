import { describe, expect, it } from 'vitest';
import { citationsFor, estimateTokens, groundedPrompt, packPassages, packedText, sentenceGap, sourceBlock, sourceSeparator } from '../../src/index.js';

/** Sentences of a text split at ". ", as [start, end) spans. */
function passage(label: string, sentences: string[]) {
  const text = sentences.join(' ');
  const spans: [number, number][] = [];
  let at = 0;
  for (const sentence of sentences) {
    spans.push([at, at + sentence.length]);
    at += sentence.length + 1;
  }
  return { label, text, sentences: spans };
}

/** A word-count tokenizer: deterministic and easy to reason about. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

const a = passage('a.md', ['Alpha one two.', 'Alpha three four five.', 'Alpha six.', 'Alpha seven eight nine ten.']);
const b = passage('b.md', ['Beta one.', 'Beta two three.', 'Beta four five six seven.']);

describe('packPassages', () => {
  it('packs nothing at budget 0 or without candidates', () => {
    expect(packPassages([a, b], [[0, 1]], 0, words)).toEqual({ packed: [], tokens: 0 });
    expect(packPassages([], [], 100, words)).toEqual({ packed: [], tokens: 0 });
  });

  it('never goes over the budget, measured on the joined blocks, for every budget up to everything', () => {
    const ranked: [number, number][] = [[0, 1], [1, 2], [0, 3]];
    let previous = -1;
    for (let budget = 0; budget <= 80; budget++) {
      const { packed, tokens } = packPassages([a, b], ranked, budget, words);
      const whole = packed.map((p, i) => sourceBlock(i + 1, [a, b][p.index]!.label, packedText([a, b][p.index]!, p))).join(sourceSeparator);
      expect(tokens).toBe(packed.length ? words(whole) : 0);
      expect(tokens).toBeLessThanOrEqual(budget);
      // More budget never reads less.
      expect(tokens).toBeGreaterThanOrEqual(previous);
      previous = tokens;
    }
    // With room for everything, every sentence of both passages is read, best passage first.
    const all = packPassages([a, b], ranked, 1000, words);
    expect(all.packed).toEqual([
      { index: 0, sentences: [0, 1, 2, 3] },
      { index: 1, sentences: [0, 1, 2] },
    ]);
  });

  it('reads the matching sentences first, then grows them into windows with their neighbours', () => {
    // Room for the two matches and a little more: the best one's neighbours come first.
    const core = packPassages([a, b], [[0, 1], [1, 2]], 13, words);
    expect(core.packed).toEqual([
      { index: 0, sentences: [1] },
      { index: 1, sentences: [2] },
    ]);
    const grown = packPassages([a, b], [[0, 1], [1, 2]], 16, words);
    expect(grown.packed[0]).toEqual({ index: 0, sentences: [0, 1] });
    expect(packedText(a, { sentences: [1, 3] })).toBe(`Alpha three four five.${sentenceGap}Alpha seven eight nine ten.`);
  });

  it('skips a sentence that does not fit for a later one that does, and cuts the very best one rather than read nothing', () => {
    const long = passage('long.md', [`Gamma ${'word '.repeat(40).trim()}.`, 'Gamma short.']);
    const skipped = packPassages([a, long], [[0, 0], [1, 0], [1, 1]], 12, words);
    expect(skipped.packed.map((p) => [p.index, p.sentences])).toEqual([
      [0, [0]],
      [1, [1]],
    ]);
    const cut = packPassages([long], [[0, 0]], 10, words);
    expect(cut.packed).toEqual([{ index: 0, sentences: [0], cutAt: expect.any(Number) }]);
    expect(cut.tokens).toBeLessThanOrEqual(10);
    expect(packedText(long, cut.packed[0]!)).toMatch(/^Gamma word word/);
    // Not even the label fits: nothing is read.
    expect(packPassages([long], [[0, 0]], 2, words)).toEqual({ packed: [], tokens: 0 });
  });

  it('ignores indexes that point nowhere (a bad candidate list cannot break the turn)', () => {
    expect(packPassages([a], [[5, 0], [0, 99], [0, 0]], 100, words).packed[0]!.index).toBe(0);
  });

  it('cites exactly what was read, with the document offsets of each stretch', () => {
    const stored = { ...a, chunkId: 7, documentId: 'd', documentName: 'a.md', path: '/a.md', page: null, heading: 'H', start: 1000, end: 1000 + a.text.length };
    const [citation] = citationsFor([stored], [{ index: 0, sentences: [1, 3] }]);
    expect(citation).toMatchObject({ n: 1, chunkId: 7, start: 1000 + a.sentences[1]![0], end: 1000 + a.sentences[3]![1], text: packedText(a, { sentences: [1, 3] }) });
    expect(citation!.spans).toEqual([
      [1000 + a.sentences[1]![0], 1000 + a.sentences[1]![1]],
      [1000 + a.sentences[3]![0], 1000 + a.sentences[3]![1]],
    ]);
    expect(citation).not.toHaveProperty('ocrConfidence');
    // A page read by OCR keeps its confidence in the citation (the passage view says it was read by OCR).
    expect(citationsFor([{ ...stored, ocrConfidence: 71 }], [{ index: 0, sentences: [1] }])[0]).toMatchObject({ ocrConfidence: 71 });
  });

  it('estimates about four characters a token where there is no tokenizer, and builds no prompt around no sources', () => {
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(groundedPrompt('Why?', [])).toBe('Why?');
  });
});
