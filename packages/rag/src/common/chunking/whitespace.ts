// The one definition of whitespace for extraction and chunking: what String.prototype.trim and \s count.

/** Whether a UTF-16 code unit is whitespace (the set of \s and String.prototype.trim). */
export function isWhitespace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/** Whether the text has anything but whitespace. */
export function hasText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isWhitespace(text.charCodeAt(i))) return true;
  return false;
}
