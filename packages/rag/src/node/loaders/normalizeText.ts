// Whitespace and control-character clean-up shared by the loaders. Chunk offsets are computed on the
// normalized text, so this must be deterministic, and the streaming form must give exactly the same text.

import { isWhitespace } from '../../common/chunking/whitespace.js';

// C0 controls except tab and newline, DEL, C1 controls, and the BOM / soft hyphen, which carry no text.
// eslint-disable-next-line no-control-regex
const invisible = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\u00ad]/g;
const lineBreaks = /\r\n?|[\u2028\u2029\u0085]/g;

export type TextKind = 'prose' | 'code';

/**
 * Code keeps indentation, but a run of blanks inside a line longer than this is cut to this length: a file
 * of a megabyte of spaces is not a megabyte of text to hold, scan and chunk.
 */
export const MAX_BLANK_RUN = 4096;
/** Held-back whitespace longer than this is replaced by the shorter run that normalizes the same way. */
const MAX_PENDING = 2 * MAX_BLANK_RUN;

// Blanks are whitespace other than the line feed ([^\S\n]). Every rule that matches a run of blanks starts
// only where the run starts (the look-behind), so a long run not followed by what the rule wants costs one
// pass, not one pass per character of the run.
const blanks = /[^\S\n]+/g;
const trailingBlanks = /(?<![^\S\n])[^\S\n]+\n/g;
const longBlanks = new RegExp(`(?<![^\\S\\n])[^\\S\\n]{${MAX_BLANK_RUN + 1},}`, 'g');

/** Character-local clean-up: line breaks unified, invisible characters dropped. */
const mapCharacters = (text: string) => text.replace(lineBreaks, '\n').replace(invisible, '');

/** The whitespace rules, on text whose whitespace runs are all complete (none cut at either end). */
const collapse: Readonly<Record<TextKind, (text: string) => string>> = {
  prose: (text) => text.replace(blanks, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n'),
  code: (text) =>
    text
      .replace(trailingBlanks, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(longBlanks, (run) => run.slice(0, MAX_BLANK_RUN)),
};
const trimStart: Readonly<Record<TextKind, (text: string) => string>> = {
  prose: (text) => text.trimStart(),
  code: (text) => text.replace(/^\n+/, ''),
};
/**
 * A whitespace run, possibly cut short at its end, shortened to one that `collapse` turns into the same text
 * whatever follows: only the line breaks (up to 3) and, for code, the first blanks after the last one count.
 */
const shorten: Readonly<Record<TextKind, (run: string) => string>> = {
  prose: (run) => {
    const breaks = Math.min(3, run.split('\n').length - 1);
    return breaks > 0 ? '\n'.repeat(breaks) : ' ';
  },
  code: (run) => {
    const last = run.lastIndexOf('\n');
    const breaks = last < 0 ? 0 : Math.min(3, run.split('\n').length - 1);
    return '\n'.repeat(breaks) + run.slice(last + 1, last + 1 + MAX_BLANK_RUN);
  },
};

/**
 * Prose: unify line breaks, drop NULs and other invisible controls, turn every run of blanks into one
 * space, trim every line, keep at most one blank line between paragraphs.
 */
export function normalizeProse(text: string): string {
  return trimStart.prose(collapse.prose(mapCharacters(text))).trimEnd();
}

/**
 * Source code: like prose but indentation and single spaces inside lines are kept (only trailing blanks go,
 * and a run of blanks is cut to {@link MAX_BLANK_RUN}).
 */
export function normalizeCode(text: string): string {
  return trimStart.code(collapse.code(mapCharacters(text))).trimEnd();
}

/**
 * normalizeProse / normalizeCode over text that arrives in pieces (a file read block by block): the pieces
 * of output joined are exactly what the one-shot function gives for the whole text. Trailing whitespace
 * (and a trailing CR, the first half of a CRLF) is held back until the next piece says what it becomes;
 * what is held back is bounded, and each character of the input is looked at a bounded number of times.
 */
export class TextNormalizer {
  private pending = '';
  private carriedCr = false;
  private started = false;

  constructor(private readonly kind: TextKind) {}

  /** Normalized text for this piece (possibly empty). */
  push(piece: string): string {
    let raw = this.carriedCr ? `\r${piece}` : piece;
    this.carriedCr = raw.endsWith('\r');
    if (this.carriedCr) raw = raw.slice(0, -1);
    const mapped = mapCharacters(raw);
    let end = mapped.length;
    while (end > 0 && isWhitespace(mapped.charCodeAt(end - 1))) end--;
    if (end === 0) {
      this.hold(this.pending + mapped);
      return '';
    }
    const text = this.pending + mapped.slice(0, end);
    this.hold(mapped.slice(end));
    let out = collapse[this.kind](text);
    if (!this.started) {
      out = trimStart[this.kind](out);
      this.started = out.length > 0;
    }
    return out;
  }

  /** The end of the text: held-back whitespace is trailing, and goes. */
  end(): void {
    this.pending = '';
    this.carriedCr = false;
  }

  private hold(run: string): void {
    this.pending = run.length > MAX_PENDING ? shorten[this.kind](run) : run;
  }
}

/** The character encoding of a text file: a UTF-8/UTF-16 BOM wins, then strict UTF-8, then Windows-1252. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The encoding its first bytes announce (a UTF-16 BOM), or null when only the whole file can tell. */
export function bomEncoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Decodes a text file: a UTF-8/UTF-16 BOM wins, then strict UTF-8, then Windows-1252 (old Western files). */
export function decodeText(bytes: Uint8Array): string {
  const bom = bomEncoding(bytes);
  if (bom) return new TextDecoder(bom).decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
