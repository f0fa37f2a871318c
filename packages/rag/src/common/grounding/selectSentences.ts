import { groundingLimits, type Passage } from '@assistant/core';
import { analysePassage, type PassageAnalysis } from './PassageAnalysis.js';
import { type CollectionStats, normalizedBm25 } from './passageScore.js';
import { coverage, type WeightedTerms } from './queryTerms.js';

/** A passage retrieval found, with its cosine similarity to the question when vectors were searched. */
export interface RetrievedPassage {
  passage: Passage;
  similarity: number | null;
}

/** A passage cut into sentences, as the inference worker packs it. */
export type SentencePassage = Passage & { sentences: [number, number][] };

export interface SentenceSelection {
  /** The gate's value: the best passage's keyword relevance (see `passageRelevance`). */
  relevance: number;
  /** Passages holding matching sentences, at most `maxPassages`; empty when none is relevant. */
  passages: SentencePassage[];
  /** Matching sentences, best first, as [passage, sentence] indexes into `passages`; at most `groundingLimits.ranked`. */
  ranked: [number, number][];
}

export interface SelectSentencesOptions {
  /** Keyword relevance a passage needs for the question to be answered from the documents. */
  threshold: number;
  /** Cosine similarity that counts as relevant on its own; null when the embedding model is not reliable. */
  vectorThreshold: number | null;
  maxPassages: number;
  /** Words of the question (not stemmed), for its answer type ("when", "how many"). */
  question: string;
  /**
   * The question's own terms, when `question` also holds terms carried over from earlier questions (a
   * follow-up): once any candidate holds one of them, passages that match only the earlier words are left
   * out ("Where was the Moon buried?" after a question about rustup reads about the Moon, not rustup).
   */
  ownTerms?: ReadonlySet<string>;
  /** The question-independent part of scoring a passage (a PassageAnalysisCache's `get`); analysed afresh without. */
  analyse?: (passage: Passage) => PassageAnalysis;
}

/** A sentence is kept when it scores at least this share of the best sentence: weaker ones cost tokens for little. */
const relativeCut = 0.6;
/** How much the passage's own score adds to each of its sentences (a sentence of a strong passage ranks higher). */
const passageWeight = 1;
/** Added to a sentence that holds the kind of answer the question asks for (a date for "when", a number for "how many"). */
const answerTypeBonus = 0.3;

/**
 * The gate and the cut, from keywords alone (plus vector similarity when the embedding model is reliable).
 * A passage's relevance is its BM25 (normalised to the collection) times the share of the question its
 * best sentence covers times the share the whole passage covers: off-topic questions that share a few
 * common words with the documents score low on all three. Tuned on SQuAD's development split (articles
 * 0-3 ingested, 4-7 asked about; `npm run eval:grounding`): at the default threshold (0.25) 9% of
 * questions about the other articles get any source, 93% of those about the ingested ones do. Of the passages, only the sentences that match are read (with their neighbours while the
 * passage budget allows, see packPassages), since the answer nearly always sits in or next to the sentence
 * that shares the question's rarest words.
 */
export function selectSentences(question: WeightedTerms, retrieved: readonly RetrievedPassage[], stats: CollectionStats, options: SelectSentencesOptions): SentenceSelection {
  const expects = answerType(options.question);
  const analyse = options.analyse ?? analysePassage;
  let scored = retrieved.map(({ passage, similarity }) => {
    const { own, counts, spans, sentenceTerms } = analyse(passage);
    const bm25 = normalizedBm25(question, counts, stats);
    const sentenceCoverage = sentenceTerms.map((terms) => coverage(question, terms));
    const best = Math.max(0, ...sentenceCoverage);
    const relevance = bm25 * best * coverage(question, own);
    const byMeaning = options.vectorThreshold !== null && similarity !== null && similarity >= options.vectorThreshold;
    return { passage, own, spans, sentenceCoverage, bm25, relevance, byMeaning, similarity: options.vectorThreshold !== null ? (similarity ?? 0) : 0 };
  });
  const own = options.ownTerms;
  const holdsOwn = (s: (typeof scored)[number]) => own !== undefined && [...own].some((term) => s.own.has(term));
  if (own && own.size > 0 && scored.some(holdsOwn)) scored = scored.filter(holdsOwn);
  const relevance = Math.max(0, ...scored.map((s) => s.relevance));
  const grounded = scored.some((s) => s.relevance >= options.threshold || s.byMeaning) && (relevance > 0 || scored.some((s) => s.byMeaning));
  if (!grounded) return { relevance, passages: [], ranked: [] };

  // Every sentence of every candidate, once (passages overlap), scored; the best ones kept.
  const maxBm25 = Math.max(...scored.map((s) => s.bm25)) || 1;
  const seen = new Map<string, { score: number; candidate: number; sentence: number }>();
  scored.forEach((s, candidate) => {
    s.spans.forEach((span, sentence) => {
      const text = s.passage.text.slice(span.start, span.end);
      let score = s.sentenceCoverage[sentence]! + passageWeight * (s.bm25 / maxBm25) + s.similarity;
      if (expects && expects.test(text)) score += answerTypeBonus;
      const key = `${s.passage.documentId}:${s.passage.start + span.start}`;
      const known = seen.get(key);
      if (!known || known.score < score) seen.set(key, { score, candidate, sentence });
    });
  });
  const sentences = [...seen.values()].sort((a, b) => b.score - a.score || a.candidate - b.candidate || a.sentence - b.sentence);
  const top = sentences[0]?.score ?? 0;
  const passages: SentencePassage[] = [];
  const indexOf = new Map<number, number>();
  const ranked: [number, number][] = [];
  for (const { score, candidate, sentence } of sentences) {
    if (score < relativeCut * top || ranked.length >= groundingLimits.ranked) break;
    let index = indexOf.get(candidate);
    if (index === undefined) {
      if (passages.length >= options.maxPassages) continue;
      const { passage, spans } = scored[candidate]!;
      index = passages.push({ ...passage, sentences: spans.map((span) => [span.start, span.end]) }) - 1;
      indexOf.set(candidate, index);
    }
    ranked.push([index, sentence]);
  }
  return { relevance, passages, ranked };
}

const dates = /\b(?:1\d{3}|20\d{2})s?\b|\b(?:centur(?:y|ies)|January|February|March|April|May|June|July|August|September|October|November|December)\b/i;
const numbers = /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand|million|billion)\b/i;

/** What kind of answer an English question asks for, as a pattern its answer sentence likely matches. */
function answerType(question: string): RegExp | null {
  const q = question.toLowerCase();
  if (/\b(?:when|what year|which year|what century|what date)\b/.test(q)) return dates;
  if (/\bhow (?:many|much|long|far|old|large|big|tall|high)\b/.test(q)) return numbers;
  return null;
}
