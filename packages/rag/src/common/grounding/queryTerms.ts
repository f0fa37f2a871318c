import { stemmer } from 'stemmer';
import { ftsTokens } from '../retrieval/ftsQuery.js';

/** Stems already computed: passages repeat their words, and stemming is most of the cost of scoring them. */
const stems = new Map<string, string>();

/** A word as the full-text index stores it: lowercased, Porter-stemmed (FTS5's `porter` tokenizer). */
export function stemToken(token: string): string {
  let stem = stems.get(token);
  if (stem === undefined) {
    stem = /^[a-z]+$/.test(token) ? stemmer(token) : token;
    if (stems.size >= 100_000) stems.clear();
    stems.set(token, stem);
  }
  return stem;
}

/**
 * The words of a text with where each starts in `text` itself: lowercased and stemmed, in order. Each word
 * is normalised on its own, since normalising or lowercasing the whole text can change its length ("İ"
 * lowercases to two code units) and the offsets must match the text's sentence spans.
 */
export function wordsOf(text: string): { stem: string; at: number }[] {
  const words: { stem: string; at: number }[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu)) words.push({ stem: wordStem(match[0]), at: match.index });
  return words;
}

/** The stem of a word as written, remembered under that spelling too ("Moon" and "moon"): one lookup per word. */
function wordStem(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    stem = stemToken(word.normalize('NFC').toLowerCase());
    stems.set(word, stem);
  }
  return stem;
}

/** The distinct stems of a question's searchable words (stopwords and one-letter words left out), in order. */
export function queryTerms(text: string, maxTerms = 32): string[] {
  return [...new Set(ftsTokens(text, maxTerms).map(stemToken))];
}

/** Question terms with their weights (inverse document frequency), so rare words count more than common ones. */
export interface WeightedTerms {
  terms: readonly string[];
  weights: readonly number[];
  total: number;
}

/**
 * Weights each term by its inverse document frequency in the collection (`documentFrequency` passages of
 * `passages`), so a question about something the documents never mention covers little of itself whatever
 * common words it shares with them. A word no passage contains weighs as much as the rarest word that
 * one passage contains (`maxTermWeight`), not more: in a small collection more would let one unknown word
 * outweigh everything the passage does match. `factor` scales the weight of the term at each index (terms
 * carried over from earlier questions count half).
 */
export function weighTerms(terms: readonly string[], documentFrequency: (term: string) => number, passages: number, factor: (index: number) => number = () => 1): WeightedTerms {
  const weights = terms.map((term, i) => termWeight(documentFrequency(term), passages) * factor(i));
  return { terms, weights, total: weights.reduce((sum, w) => sum + w, 0) };
}

/**
 * A collection smaller than this is weighed as if it had this many passages, the others not holding the
 * word. Inverse document frequency needs many passages to tell a common word from a rare one: in a scanned
 * letter of four pages every word of "How many gulls did the keeper count?" is in every page, so its weight
 * would fall to nothing and no question about the user's only document would pass the gate.
 */
export const smallCollectionFloor = 100;

export function termWeight(documentFrequency: number, passages: number): number {
  return Math.max(0.01, Math.log((Math.max(passages, smallCollectionFloor) + 1) / (Math.max(1, documentFrequency) + 0.5)));
}

/** The weight of the rarest possible word in this collection. */
export function maxTermWeight(passages: number): number {
  return termWeight(1, passages);
}

/** Share (0 to 1) of the question's weight that a span's words cover. */
export function coverage(question: WeightedTerms, span: ReadonlySet<string>): number {
  if (question.total <= 0) return 0;
  let covered = 0;
  question.terms.forEach((term, i) => {
    if (span.has(term)) covered += question.weights[i]!;
  });
  return covered / question.total;
}
