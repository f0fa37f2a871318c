// Whitespace and control-character clean-up shared by the loaders. Chunk offsets are computed on the
// normalized text, so this must be deterministic.

// C0 controls except tab and newline, DEL, C1 controls, and the BOM / soft hyphen, which carry no text.
// eslint-disable-next-line no-control-regex
const invisible = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\u00ad]/g;
const lineBreaks = /\r\n?|[\u2028\u2029\u0085]/g;

/**
 * Prose: unify line breaks, drop NULs and other invisible controls, turn every run of spaces or tabs into
 * one space, trim every line, keep at most one blank line between paragraphs.
 */
export function normalizeProse(text: string): string {
  return text
    .replace(lineBreaks, '\n')
    .replace(invisible, '')
    .replace(/[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000 ]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Source code: like prose but indentation and single spaces inside lines are kept (only trailing blanks go). */
export function normalizeCode(text: string): string {
  return text
    .replace(lineBreaks, '\n')
    .replace(invisible, '')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '')
    .trimEnd();
}

/** Decodes a text file: a UTF-8/UTF-16 BOM wins, then strict UTF-8, then Windows-1252 (old Western files). */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
