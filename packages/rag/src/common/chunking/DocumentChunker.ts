import type { ChunkDraft } from '@assistant/core';
import { hasText, isWhitespace } from './whitespace.js';

/** What separates two sections in a document's extracted text. */
export const SECTION_SEPARATOR = '\n\n';

export interface DocumentChunkerOptions {
  /** Target chunk length in characters (a chunk is never longer). */
  chunkSize: number;
  /** Characters repeated from the end of a chunk at the start of the next one of the same section. */
  chunkOverlap: number;
  /**
   * Refuse text with a run of more than this many characters without whitespace (a "word" no passage can
   * hold, such as a base64 blob or a file of one repeated letter): {@link NoWordBreaksError}. Unlimited when unset.
   */
  maxWordLength?: number;
}

/** The text has a run of characters without any whitespace longer than `maxWordLength`. */
export class NoWordBreaksError extends Error {
  constructor(readonly maxWordLength: number) {
    super(`more than ${maxWordLength.toLocaleString('en-US')} characters without a space or line break`);
    this.name = 'NoWordBreaksError';
  }
}

/** Text before the next chunk's start that is kept: sentence and overlap checks look a few characters back. */
const LOOK_BEHIND = 16;
/** Consumed text is dropped once it is over half the buffer (amortised: each character is copied about once). */
const COMPACT_MIN = 4096;

/**
 * The chunker of {@link chunkDocument}, fed a piece at a time: sections start with `section()`, their
 * text arrives through `write()` in any number of pieces, and each chunk is handed to `emit` as soon as it
 * is certain, so a document of any size is chunked in memory proportional to the chunk size. The chunks
 * are exactly those chunkDocument makes from the same sections; offsets are into the whole document text.
 */
export class DocumentChunker {
  private readonly size: number;
  private readonly overlap: number;
  /** Document text from offset `base` on. */
  private buffer = '';
  private base = 0;
  private length = 0;
  private keptSections = 0;
  /** The current section: its whitespace so far while it has no other text (blank sections are dropped). */
  private section: { page: number | null; heading: string | null; blank: string | null } | null = null;
  private run: { page: number | null; heading: string | null } | null = null;
  /** Where the next chunk of the current run may start (absolute). */
  private position = 0;
  private ordinal = 0;
  /** Length of the run of non-whitespace characters at the end of the text so far. */
  private word = 0;

  constructor(
    private readonly options: DocumentChunkerOptions,
    private readonly emit: (chunk: ChunkDraft) => void,
  ) {
    this.size = Math.max(1, Math.floor(options.chunkSize));
    this.overlap = Math.max(0, Math.min(Math.floor(options.chunkOverlap), Math.floor(this.size / 2)));
  }

  /** Chunks emitted so far. */
  get chunks(): number {
    return this.ordinal;
  }

  /** Characters of the document text so far (sections and the separators between them). */
  get characters(): number {
    return this.length;
  }

  /** Starts a section: text written from now on shares this page and heading. */
  startSection(page: number | null, heading: string | null): void {
    this.section = { page, heading, blank: '' };
    this.word = 0;
  }

  /** Appends text to the current section. */
  write(text: string): void {
    const section = this.section;
    if (!section) throw new Error('write() before startSection()');
    if (text.length === 0) return;
    this.checkWords(text);
    if (section.blank !== null) {
      if (!hasText(text)) {
        section.blank += text;
        return;
      }
      text = section.blank + text;
      section.blank = null;
      this.openSection(section.page, section.heading);
    }
    this.append(text);
    this.split(false);
  }

  /** Ends the document: the last chunks are emitted. */
  end(): { chunks: number; characters: number } {
    if (this.run) this.split(true);
    this.run = null;
    this.section = null;
    return { chunks: this.ordinal, characters: this.length };
  }

  private openSection(page: number | null, heading: string | null): void {
    const sameRun = this.run !== null && this.run.page === page && this.run.heading === heading;
    if (this.run && !sameRun) this.split(true);
    if (this.keptSections++ > 0) this.append(SECTION_SEPARATOR);
    if (!sameRun) {
      this.run = { page, heading };
      this.position = this.length;
    }
  }

  private append(text: string): void {
    this.buffer += text;
    this.length += text.length;
  }

  private checkWords(text: string): void {
    const max = this.options.maxWordLength;
    if (max === undefined) return;
    let word = this.word;
    for (let i = 0; i < text.length; i++) {
      if (isWhitespace(text.charCodeAt(i))) word = 0;
      else if (++word > max) throw new NoWordBreaksError(max);
    }
    this.word = word;
  }

  /** Emits every chunk of the current run that is certain; `final` when the run has ended. */
  private split(final: boolean): void {
    const run = this.run!;
    const text = this.buffer;
    const { size, overlap, base } = this;
    let pos = this.position - base;
    // The run's text ends at its last non-space character; until it has ended, chunks are cut only where
    // more than a chunk of text is known to follow, which is where chunkDocument cuts them too.
    let limit = text.length;
    while (limit > pos && isWhitespace(text.charCodeAt(limit - 1))) limit--;
    pos = skipSpaces(text, pos, limit);
    while (pos < limit) {
      if (!final && limit - pos <= size) break;
      const cut = limit - pos <= size ? limit : findBreak(text, pos, pos + size);
      let chunkEnd = cut;
      while (chunkEnd > pos && isWhitespace(text.charCodeAt(chunkEnd - 1))) chunkEnd--;
      if (chunkEnd > pos) {
        this.emit({ ordinal: this.ordinal++, text: text.slice(pos, chunkEnd), page: run.page, heading: run.heading, start: base + pos, end: base + chunkEnd });
      }
      if (cut >= limit) {
        pos = limit;
        break;
      }
      const next = overlap > 0 ? overlapStart(text, pos, chunkEnd, cut, overlap) : cut;
      pos = skipSpaces(text, next > pos ? next : cut, limit);
    }
    this.position = base + pos;
    if (final) {
      this.buffer = '';
      this.base = this.length;
    } else if (pos - LOOK_BEHIND > Math.max(COMPACT_MIN, text.length >> 1)) {
      this.buffer = text.slice(pos - LOOK_BEHIND);
      this.base = base + pos - LOOK_BEHIND;
    }
  }
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

function skipSpaces(text: string, index: number, limit: number): number {
  while (index < limit && isWhitespace(text.charCodeAt(index))) index++;
  return index;
}

/** The last `needle` starting in [min, before), or -1; searches only that stretch (a long text without one stays linear). */
function lastIndexWithin(text: string, needle: string, min: number, before: number): number {
  if (before <= min) return -1;
  const found = text.slice(min, before - 1 + needle.length).lastIndexOf(needle);
  return found < 0 ? -1 : min + found;
}

/** Where to end a chunk that starts at `pos` and may not pass `limit` (exclusive end offset). */
function findBreak(text: string, pos: number, limit: number): number {
  const span = limit - pos;
  // 1. Paragraph break: the chunk ends before a blank line.
  const paragraph = lastIndexWithin(text, '\n\n', pos + Math.floor(span * 0.5), limit);
  if (paragraph >= 0) return paragraph;
  // 2. Sentence end: a space right after . ! ? (and closing quotes).
  const minSentence = pos + Math.floor(span * 0.3);
  for (let i = limit; i > minSentence; i--) {
    if (isWhitespace(text.charCodeAt(i)) && endsSentence(text, i)) return i;
  }
  // 3. Line break (code, lists, verse).
  const line = lastIndexWithin(text, '\n', minSentence, limit);
  if (line >= 0) return line;
  // 4. Word boundary.
  const minWord = pos + Math.floor(span * 0.2);
  for (let i = limit; i > minWord; i--) {
    if (isWhitespace(text.charCodeAt(i))) return i;
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
    if (isWhitespace(text.charCodeAt(i)) && endsSentence(text, i)) return i;
  }
  for (let i = target; i < chunkEnd; i++) {
    if (isWhitespace(text.charCodeAt(i))) return i;
  }
  return cut;
}
