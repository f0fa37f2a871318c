// Whitespace and control-character clean-up shared by the loaders. Chunk offsets are computed on the
// normalized text, so this must be deterministic, and the streaming form must give exactly the same text.

// C0 controls except tab and newline, DEL, C1 controls, and the BOM / soft hyphen, which carry no text.
// eslint-disable-next-line no-control-regex
const invisible = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\u00ad]/g;
const lineBreaks = /\r\n?|[\u2028\u2029\u0085]/g;

export type TextKind = 'prose' | 'code';

/** Character-local clean-up: line breaks unified, invisible characters dropped. */
const mapCharacters = (text: string) => text.replace(lineBreaks, '\n').replace(invisible, '');

/** The whitespace rules, on text whose whitespace runs are all complete (none cut at either end). */
const collapse: Readonly<Record<TextKind, (text: string) => string>> = {
  prose: (text) =>
    text
      .replace(/[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000 ]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n'),
  code: (text) => text.replace(/[ \t\u00a0]+\n/g, '\n').replace(/\n{3,}/g, '\n\n'),
};
const trimStart: Readonly<Record<TextKind, (text: string) => string>> = {
  prose: (text) => text.trimStart(),
  code: (text) => text.replace(/^\n+/, ''),
};

/**
 * Prose: unify line breaks, drop NULs and other invisible controls, turn every run of spaces or tabs into
 * one space, trim every line, keep at most one blank line between paragraphs.
 */
export function normalizeProse(text: string): string {
  return trimStart.prose(collapse.prose(mapCharacters(text))).trimEnd();
}

/** Source code: like prose but indentation and single spaces inside lines are kept (only trailing blanks go). */
export function normalizeCode(text: string): string {
  return trimStart.code(collapse.code(mapCharacters(text))).trimEnd();
}

/**
 * normalizeProse / normalizeCode over text that arrives in pieces (a file read block by block): the pieces
 * of output joined are exactly what the one-shot function gives for the whole text. Trailing whitespace
 * (and a trailing CR, the first half of a CRLF) is held back until the next piece says what it becomes.
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
    const text = this.pending + mapCharacters(raw);
    let end = text.length;
    while (end > 0 && isWhitespace(text.charCodeAt(end - 1))) end--;
    this.pending = text.slice(end);
    // A file of nothing but blanks must not pile up: for prose a run counts only by its line breaks (up to 3).
    if (this.kind === 'prose' && this.pending.length > 65_536) {
      const breaks = Math.min(3, this.pending.split('\n').length - 1);
      this.pending = breaks > 0 ? '\n'.repeat(breaks) : ' ';
    }
    if (end === 0) return '';
    let out = collapse[this.kind](text.slice(0, end));
    if (!this.started) {
      out = trimStart[this.kind](out);
      this.started = out.length > 0;
    }
    return out;
  }

  /** The end of the text: held-back whitespace is trailing, and goes. */
  end(): string {
    this.pending = '';
    this.carriedCr = false;
    return '';
  }
}

/** What String.prototype.trim and \s count as whitespace. */
function isWhitespace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
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
