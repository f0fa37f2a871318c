import type { Citation, Passage } from '../contract/passageSchemas.js';
import { sourceBlock, sourceSeparator } from './groundedPrompt.js';

/** A candidate passage: a stretch of one document cut into sentences. */
export interface PackablePassage {
  label: string;
  text: string;
  /** Sentence spans within `text`, in order, as [start, end). */
  sentences: readonly (readonly [number, number])[];
}

/** What the model reads of passage `index`: these of its sentences (indexes, ascending). */
export interface PackedPassage {
  index: number;
  sentences: number[];
  /** Set when the one sentence read was cut short to fit: where it ends, as an offset into the passage's text. */
  cutAt?: number;
}

export interface PackResult {
  /** In citation order: the passage of the best sentence first. */
  packed: PackedPassage[];
  /** Tokens of the numbered source blocks together, separators included: never above the budget. */
  tokens: number;
}

/** Stands for the sentences left out between two read ones. */
export const sentenceGap = ' … ';

/** The text the model reads of a passage: runs of consecutive sentences as written, gaps marked. */
export function packedText(passage: PackablePassage, packed: Pick<PackedPassage, 'sentences' | 'cutAt'>): string {
  return packedSpans(passage, packed)
    .map(([start, end]) => passage.text.slice(start, end))
    .join(sentenceGap);
}

/** Offsets into the passage's text of each run of consecutive sentences read. */
export function packedSpans(passage: PackablePassage, packed: Pick<PackedPassage, 'sentences' | 'cutAt'>): [number, number][] {
  return sentenceRuns(packed.sentences).map(([first, last]) => [passage.sentences[first]![0], packed.cutAt ?? passage.sentences[last]![1]]);
}

/** Consecutive sentence indexes grouped as [first, last] runs. */
export function sentenceRuns(sentences: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of [...sentences].sort((a, b) => a - b)) {
    const run = runs.at(-1);
    if (run && i <= run[1] + 1) run[1] = Math.max(run[1], i);
    else runs.push([i, i]);
  }
  return runs;
}

/**
 * Packs the best sentences into `budget` tokens, as `count` measures them (the model's tokenizer in the
 * inference worker, an estimate where there is none). `ranked` lists [passage, sentence] pairs best
 * first; each is taken if its passage's source block still fits, else skipped (a later, shorter one may
 * fit). The very first is cut at a word boundary rather than dropped when it alone is too long. Then,
 * while the budget allows, each read sentence gains the sentence before and after it (sentence windows),
 * best passage first. The result is measured as one text, so the count is exact however the tokenizer
 * joins the parts.
 */
export function packPassages(passages: readonly PackablePassage[], ranked: readonly (readonly [number, number])[], budget: number, count: (text: string) => number): PackResult {
  if (budget <= 0 || passages.length === 0) return { packed: [], tokens: 0 };
  const order: number[] = [];
  const chosen = new Map<number, Set<number>>();
  const costs = new Map<number, number>();
  const separator = count(sourceSeparator);
  let used = 0;
  const tryAdd = (index: number, sentence: number): boolean => {
    const passage = passages[index];
    if (!passage || sentence < 0 || sentence >= passage.sentences.length) return false;
    const current = chosen.get(index);
    if (current?.has(sentence)) return false;
    const n = current ? order.indexOf(index) + 1 : order.length + 1;
    const cost = count(sourceBlock(n, passage.label, packedText(passage, { sentences: [...(current ?? []), sentence] }))) + (n > 1 ? separator : 0);
    const before = costs.get(index) ?? 0;
    if (used - before + cost > budget) return false;
    used += cost - before;
    costs.set(index, cost);
    if (current) current.add(sentence);
    else {
      chosen.set(index, new Set([sentence]));
      order.push(index);
    }
    return true;
  };

  for (const [index, sentence] of ranked) {
    if (tryAdd(index, sentence) || order.length > 0) continue;
    // Not even the best sentence fits: cut it to the budget rather than read no source at all.
    const passage = passages[index];
    const span = passage?.sentences[sentence];
    if (!passage || !span) continue;
    const cutAt = longestFit(passage.text, span[0], span[1], (end) => count(sourceBlock(1, passage.label, passage.text.slice(span[0], end))), budget);
    if (cutAt === null) return { packed: [], tokens: 0 };
    const packed = { index, sentences: [sentence], cutAt };
    return { packed: [packed], tokens: count(sourceBlock(1, passage.label, packedText(passage, packed))) };
  }

  // Sentence windows: neighbours while they fit, best passage first, one step at a time.
  for (let grew = true; grew; ) {
    grew = false;
    for (const index of order) {
      for (const sentence of [...chosen.get(index)!].sort((a, b) => a - b)) {
        if (tryAdd(index, sentence - 1)) grew = true;
        if (tryAdd(index, sentence + 1)) grew = true;
      }
    }
  }

  const packed: PackedPassage[] = order.map((index) => ({ index, sentences: [...chosen.get(index)!].sort((a, b) => a - b) }));
  // The parts bound the whole for every tokenizer we know; measure the whole to be sure.
  const measure = () => (packed.length === 0 ? 0 : count(packed.map((p, i) => sourceBlock(i + 1, passages[p.index]!.label, packedText(passages[p.index]!, p))).join(sourceSeparator)));
  let tokens = measure();
  while (tokens > budget) {
    packed.pop();
    tokens = measure();
  }
  return { packed, tokens };
}

/** The longest end in (start, end], at a word boundary, whose cost fits the budget; null when none does. */
function longestFit(text: string, start: number, end: number, costAt: (end: number) => number, budget: number): number | null {
  const ends: number[] = [];
  for (let i = start + 1; i <= end; i++) if (i === end || /\s/.test(text[i]!)) ends.push(i);
  let lo = 0;
  let hi = ends.length - 1;
  let best: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (costAt(ends[mid]!) <= budget) {
      best = ends[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Tokens of English text where no tokenizer is at hand (retrieval-only answers, a remote model): about four characters each. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The numbered sources the model reads, in citation order: each packed passage's label and the text read of it. */
export function packedSources(passages: readonly PackablePassage[], packed: readonly PackedPassage[]): { label: string; text: string }[] {
  return packed.map((p) => ({ label: passages[p.index]!.label, text: packedText(passages[p.index]!, p) }));
}

/** The citations of what was packed, numbered in reading order, pointing at exactly the text read. */
export function citationsFor(passages: readonly (Passage & PackablePassage)[], packed: readonly PackedPassage[]): Citation[] {
  return packed.flatMap((p, i) => {
    const passage = passages[p.index];
    if (!passage) return [];
    const { chunkId, documentId, documentName, path, page, heading, ocrConfidence } = passage;
    const spans = packedSpans(passage, p).map(([start, end]): [number, number] => [passage.start + start, passage.start + end]);
    const citation: Citation = { n: i + 1, chunkId, documentId, documentName, path, page, heading, start: spans[0]![0], end: spans.at(-1)![1], text: packedText(passage, p), spans };
    // A page read by OCR says so wherever its citation is shown.
    if (ocrConfidence != null) citation.ocrConfidence = ocrConfidence;
    return [citation];
  });
}
