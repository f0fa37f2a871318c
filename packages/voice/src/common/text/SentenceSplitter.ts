const terminators = '.!?…';
const closers = `"'”’»)]}*_\``;
const citation = /^\[\d+(?:\s*[,–-]\s*\d+)*\]/;
/** Words whose trailing period almost never ends a sentence (compared lowercased, without the period). */
const abbreviations = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'cf', 'fig', 'figs', 'vol', 'approx', 'ca', 'dept', 'est', 'gen', 'gov', 'lt', 'col', 'sgt', 'capt', 'rev', 'hon', 'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'p', 'pp', 'ch', 'sec', 'eq',
]);
/** Of those, the ones that do end a sentence when a capitalised word follows ("… and so on, etc. The"). */
const mayEndSentence = new Set(['etc', 'inc', 'ltd', 'co', 'corp']);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\u00a0';
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();
const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();

/**
 * Splits streamed LLM text into sentences as soon as each is complete, so speech can start before the
 * reply ends. A boundary is only decided once the first character after it has arrived (a period followed
 * by a space may still be "e.g. the"), which makes the output independent of how the text was chunked:
 * token-by-token input gives exactly the sentences of the whole text. Newlines end sentences too
 * (paragraphs, markdown list items and headings). Citation markers after the period ("done.[1]") stay
 * with their sentence; `speakableText` removes them for speech.
 */
export class SentenceSplitter {
  private pending = '';

  /** Adds streamed text; returns the sentences it completed (trimmed, never empty). */
  push(text: string): string[] {
    this.pending += text;
    const sentences: string[] = [];
    for (;;) {
      this.pending = this.pending.replace(/^\s+/, '');
      const end = findBoundary(this.pending);
      if (end < 0) break;
      const sentence = this.pending.slice(0, end).trim();
      this.pending = this.pending.slice(end);
      if (sentence) sentences.push(sentence);
    }
    return sentences;
  }

  /** The end of the text: whatever is left is the last sentence. */
  flush(): string[] {
    const rest = this.pending.trim();
    this.pending = '';
    return rest ? [rest] : [];
  }
}

/** Splits a whole text at once (same result as streaming it). */
export function splitSentences(text: string): string[] {
  const splitter = new SentenceSplitter();
  return [...splitter.push(text), ...splitter.flush()];
}

/** Index just after the first sentence in `text`, or -1 when it cannot be decided yet. */
function findBoundary(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      if (text.slice(0, i).trim()) return i + 1;
      continue;
    }
    if (!terminators.includes(c)) continue;
    let end = i;
    while (end < text.length && terminators.includes(text[end]!)) end++;
    while (end < text.length && closers.includes(text[end]!)) end++;
    end = skipCitations(text, end);
    if (end >= text.length) return -1;
    if (!isSpace(text[end])) {
      // "3.14", "U.S.A", "e.g.,", "file.txt": inside a word.
      i = end - 1;
      continue;
    }
    // A citation separated by a space still belongs to the sentence before it: "done. [2] Next".
    let next = end;
    while (next < text.length && isSpace(text[next]) && text[next] !== '\n') next++;
    if (text[next] === '[') {
      // Possibly a citation still arriving ("[1" of "[12]"): wait for it.
      if (/^\[[\d\s,–-]*$/.test(text.slice(next, next + 40))) return -1;
      const afterCitation = skipCitations(text, next);
      if (afterCitation > next) {
        if (afterCitation >= text.length) return -1;
        if (isSpace(text[afterCitation])) {
          end = afterCitation;
          next = afterCitation;
          while (next < text.length && isSpace(text[next]) && text[next] !== '\n') next++;
        }
      }
    }
    if (next >= text.length) return -1;
    if (text[next] === '\n' || isBoundary(text, i, text.slice(i, end), text[next]!)) return end;
    i = end - 1;
  }
  return -1;
}

function skipCitations(text: string, from: number): number {
  let at = from;
  for (;;) {
    const match = citation.exec(text.slice(at, at + 40));
    if (!match) return at;
    at += match[0].length;
  }
}

function isBoundary(text: string, at: number, punctuation: string, next: string): boolean {
  if (punctuation.includes('!') || punctuation.includes('?')) return true;
  if (punctuation.includes('…') || punctuation.startsWith('..')) return !isLower(next);
  const lineStart = Math.max(text.lastIndexOf('\n', at - 1) + 1, 0);
  const before = text.slice(lineStart, at);
  const word = (/(\S*)$/.exec(before)?.[1] ?? '').replace(/^["'“‘«([{*_]+/, '');
  const lower = word.toLowerCase();
  // "1. First step" at the start of a line is a list marker, not a sentence.
  if (/^\d+$/.test(word) && before.trim() === word) return false;
  // "No. 5" but "I said no. Then".
  if (lower === 'no' && /\d/.test(next)) return false;
  if (abbreviations.has(lower)) return mayEndSentence.has(lower) && isUpper(next);
  // An initial ("J. K. Rowling").
  if (/^[A-Z]$/.test(word)) return false;
  // Dotted acronyms ("U.S.", "a.m."): a sentence ends there only if a capital follows.
  if (/^(?:[A-Za-z]\.)+[A-Za-z]$/.test(word)) return isUpper(next);
  return !isLower(next);
}
