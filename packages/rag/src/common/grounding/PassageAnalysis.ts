import { groundingLimits, type Passage } from '@assistant/core';
import { termCounts } from './passageScore.js';
import { wordsOf } from './queryTerms.js';
import { type SentenceSpan, splitSentences } from './sentences.js';

/** What scoring a passage needs that does not depend on the question: its words, sentences and counts. */
export interface PassageAnalysis {
  /** Every stemmed word of the passage. */
  own: ReadonlySet<string>;
  /** Stem counts (heading words count half, as in the full-text index) and the length in words. */
  counts: { counts: ReadonlyMap<string, number>; words: number };
  spans: readonly SentenceSpan[];
  /** The stems of each sentence of `spans`. */
  sentenceTerms: readonly ReadonlySet<string>[];
}

export function analysePassage(passage: Pick<Passage, 'text' | 'heading'>): PassageAnalysis {
  const words = wordsOf(passage.text);
  const counts = termCounts(words);
  for (const [term, n] of termCounts(passage.heading ?? '').counts) counts.counts.set(term, (counts.counts.get(term) ?? 0) + n / 2);
  const spans = joinSpans(splitSentences(passage.text), groundingLimits.sentencesPerPassage);
  const sentenceTerms = spans.map(() => new Set<string>());
  let sentence = 0;
  for (const word of words) {
    while (sentence < spans.length - 1 && word.at >= spans[sentence]!.end) sentence++;
    sentenceTerms[sentence]?.add(word.stem);
  }
  return { own: new Set(words.map((word) => word.stem)), counts, spans, sentenceTerms };
}

/**
 * At most `max` spans: runs of consecutive ones joined in equal groups. Only a passage of thousands of
 * tiny lines (a word list, a table flattened to one cell a line) has more sentences than a request carries.
 */
function joinSpans(spans: SentenceSpan[], max: number): SentenceSpan[] {
  if (spans.length <= max) return spans;
  const per = Math.ceil(spans.length / max);
  const joined: SentenceSpan[] = [];
  for (let i = 0; i < spans.length; i += per) joined.push({ start: spans[i]!.start, end: spans[Math.min(i + per, spans.length) - 1]!.end });
  return joined;
}

/**
 * The analyses of recently retrieved passages, most recent kept: a conversation keeps coming back to the
 * same passages (follow-ups, a voice turn's partial and final transcript), and splitting and stemming them
 * is most of the grounding step's time before the request can leave. Keyed by document version and chunk,
 * so a re-indexed document is never read from a stale entry.
 */
export class PassageAnalysisCache {
  private readonly entries = new Map<string, PassageAnalysis>();

  constructor(private readonly capacity = 512) {}

  get(passage: Pick<Passage, 'documentId' | 'chunkId' | 'text' | 'heading'>): PassageAnalysis {
    const key = `${passage.documentId}:${passage.chunkId}`;
    let analysis = this.entries.get(key);
    if (analysis) {
      this.entries.delete(key);
    } else {
      analysis = analysePassage(passage);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, analysis);
    return analysis;
  }
}
