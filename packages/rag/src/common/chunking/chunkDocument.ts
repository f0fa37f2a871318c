import type { ChunkDraft, DocumentFormat } from '@assistant/core';

/** A stretch of a document's text that shares one page and one heading. */
export interface ExtractedSection {
  text: string;
  /** 1-based page number for paged formats (PDF), otherwise null. */
  page: number | null;
  /** The heading the text sits under (a path such as "Installation › Linux"), or null. */
  heading: string | null;
}

/** What a loader extracts from a file. */
export interface ExtractedDocument {
  format: DocumentFormat;
  title: string | null;
  /** Page count for PDF, otherwise null. */
  pages: number | null;
  sections: ExtractedSection[];
  /** Pages read by OCR (page numbers) and pages left unread over the OCR page limit; absent: no OCR. */
  ocr?: { pages: number[]; skippedPages: number };
}

export interface ChunkOptions {
  /** Target chunk length in characters (a chunk is never longer). */
  chunkSize: number;
  /** Characters repeated from the end of a chunk at the start of the next one of the same section. */
  chunkOverlap: number;
}

export interface ChunkedDocument {
  chunks: ChunkDraft[];
  /**
   * The document's extracted text: the texts of its non-blank sections, in order, joined by
   * {@link SECTION_SEPARATOR}. Every chunk satisfies `text.slice(chunk.start, chunk.end) === chunk.text`.
   */
  text: string;
}

/** What separates two sections in a document's extracted text. */
export const SECTION_SEPARATOR = '\n\n';

/**
 * Splits a document into chunks, structure first:
 *
 * - A chunk never spans two sections with a different page or heading, so its `page` and `heading` are
 *   exact. Consecutive sections that share both are treated as one run.
 * - A run that fits in `chunkSize` is one chunk (small paragraphs are merged, not chunked one by one).
 *   A longer run is cut greedily at the last paragraph break before `chunkSize`, else the last sentence
 *   end, else the last line break, else the last space, else (one giant word) at `chunkSize` itself.
 * - Consecutive chunks of one run overlap by about `chunkOverlap` characters; the overlap starts at a
 *   sentence start when there is one in that window, else at a word start. The overlap is capped at half
 *   the chunk size so every step makes progress.
 * - Chunks carry no leading or trailing whitespace.
 *
 * Pure and deterministic: the same sections and options always give the same chunks, which resuming an
 * interrupted ingestion relies on. Linear in the text length.
 */
export function chunkDocument(sections: readonly ExtractedSection[], options: ChunkOptions): ChunkedDocument {
  const chunkSize = Math.max(1, Math.floor(options.chunkSize));
  const overlap = Math.max(0, Math.min(Math.floor(options.chunkOverlap), Math.floor(chunkSize / 2)));

  const kept = sections.filter((section) => section.text.trim().length > 0);
  const parts: string[] = [];
  const chunks: ChunkDraft[] = [];
  let offset = 0;
  let runStart = 0;
  let runEnd = 0;
  let runSection: ExtractedSection | null = null;
  let text = '';

  const flush = () => {
    if (!runSection) return;
    const { page, heading } = runSection;
    splitRun(text, runStart, runEnd, chunkSize, overlap, (start, end) => {
      chunks.push({ ordinal: chunks.length, text: text.slice(start, end), page, heading, start, end });
    });
  };

  // Build the whole text first (one join), then cut runs out of it.
  kept.forEach((section, index) => {
    if (index > 0) parts.push(SECTION_SEPARATOR);
    parts.push(section.text);
  });
  text = parts.join('');

  for (const [index, section] of kept.entries()) {
    if (index > 0) offset += SECTION_SEPARATOR.length;
    const start = offset;
    offset += section.text.length;
    if (runSection && runSection.page === section.page && runSection.heading === section.heading) {
      runEnd = offset;
      continue;
    }
    flush();
    runSection = section;
    runStart = start;
    runEnd = offset;
  }
  flush();
  return { chunks, text };
}

function isSpace(code: number): boolean {
  // Space, tab, newline, CR, form feed, vertical tab, NBSP and the Unicode spaces commonly met in documents.
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029;
}

const closers = new Set(['"', "'", '”', '’', ')', ']', '»', '*', '_']);
const sentenceEnders = new Set(['.', '!', '?', '…', '。', '！', '？', ';']);

/** Whether the text just before `index` (exclusive) ends a sentence, allowing closing quotes/brackets. */
function endsSentence(text: string, index: number): boolean {
  let i = index - 1;
  let guard = 0;
  while (i >= 0 && closers.has(text[i]!) && guard++ < 3) i--;
  return i >= 0 && sentenceEnders.has(text[i]!);
}

/** Splits `text[from, to)` into chunks, calling `emit(start, end)` with absolute offsets. */
function splitRun(text: string, from: number, to: number, size: number, overlap: number, emit: (start: number, end: number) => void): void {
  let end = to;
  while (end > from && isSpace(text.charCodeAt(end - 1))) end--;
  let pos = skipSpaces(text, from, end);
  while (pos < end) {
    const cut = end - pos <= size ? end : findBreak(text, pos, pos + size);
    let chunkEnd = cut;
    while (chunkEnd > pos && isSpace(text.charCodeAt(chunkEnd - 1))) chunkEnd--;
    if (chunkEnd > pos) emit(pos, chunkEnd);
    if (cut >= end) return;
    const next = overlap > 0 ? overlapStart(text, pos, chunkEnd, cut, overlap) : cut;
    pos = skipSpaces(text, next > pos ? next : cut, end);
  }
}

function skipSpaces(text: string, index: number, limit: number): number {
  while (index < limit && isSpace(text.charCodeAt(index))) index++;
  return index;
}

/** Where to end a chunk that starts at `pos` and may not pass `limit` (exclusive end offset). */
function findBreak(text: string, pos: number, limit: number): number {
  const span = limit - pos;
  // 1. Paragraph break: the chunk ends before a blank line.
  const paragraph = text.lastIndexOf('\n\n', limit - 1);
  if (paragraph >= pos + Math.floor(span * 0.5)) return paragraph;
  // 2. Sentence end: a space right after . ! ? (and closing quotes).
  const minSentence = pos + Math.floor(span * 0.3);
  for (let i = limit; i > minSentence; i--) {
    if (isSpace(text.charCodeAt(i)) && endsSentence(text, i)) return i;
  }
  // 3. Line break (code, lists, verse).
  const line = text.lastIndexOf('\n', limit - 1);
  if (line >= minSentence) return line;
  // 4. Word boundary.
  const minWord = pos + Math.floor(span * 0.2);
  for (let i = limit; i > minWord; i--) {
    if (isSpace(text.charCodeAt(i))) return i;
  }
  // 5. No boundary at all: a hard cut, not inside a surrogate pair.
  let cut = limit;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff && cut - 1 > pos) cut--;
  return cut;
}

/** Where the chunk after `[pos, chunkEnd)` starts: about `overlap` characters back, at a sentence or word start. */
function overlapStart(text: string, pos: number, chunkEnd: number, cut: number, overlap: number): number {
  const target = chunkEnd - overlap;
  if (target <= pos) return cut;
  const sentenceLimit = chunkEnd - Math.floor(overlap / 2);
  for (let i = target; i < sentenceLimit; i++) {
    if (isSpace(text.charCodeAt(i)) && endsSentence(text, i)) return i;
  }
  for (let i = target; i < chunkEnd; i++) {
    if (isSpace(text.charCodeAt(i))) return i;
  }
  return cut;
}
