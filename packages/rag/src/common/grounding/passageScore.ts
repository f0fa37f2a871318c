import { maxTermWeight, type WeightedTerms, wordsOf } from './queryTerms.js';

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const k1 = 1.2;
const b = 0.75;

/** What a passage is scored against: the collection's size and mean passage length, in words. */
export interface CollectionStats {
  passages: number;
  meanWords: number;
}

/** Words of a text, stemmed, with their counts, and its length in words. */
export function termCounts(text: string | readonly { stem: string }[]): { counts: Map<string, number>; words: number } {
  const words = typeof text === 'string' ? wordsOf(text) : text;
  const counts = new Map<string, number>();
  for (const { stem } of words) counts.set(stem, (counts.get(stem) ?? 0) + 1);
  return { counts, words: words.length };
}

/**
 * BM25 of a passage for the question, with each term's weight divided by the largest weight a term can
 * have in this collection, so the score reads as "how many rare question
 * words the passage holds" whether the collection has ten passages or a million. FTS5's own bm25() cannot
 * serve here: its idf is zero for a word in half the passages, so in a collection of two it scores nothing.
 */
export function normalizedBm25(question: WeightedTerms, passage: { counts: ReadonlyMap<string, number>; words: number }, stats: CollectionStats): number {
  const maxWeight = maxTermWeight(stats.passages);
  const lengthFactor = 1 - b + (b * passage.words) / Math.max(1, stats.meanWords);
  let score = 0;
  question.terms.forEach((term, i) => {
    const tf = passage.counts.get(term) ?? 0;
    if (tf > 0) score += (question.weights[i]! / maxWeight) * ((tf * (k1 + 1)) / (tf + k1 * lengthFactor));
  });
  return score;
}
