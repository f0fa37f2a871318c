// Text from outside (file names, document text, model output, imported settings) is shown in a terminal
// only through these: a raw ESC, BEL or C1 control could retitle the window, clear the screen or move the
// cursor, a raw newline could forge a line of output, and bidi controls could reorder what is read.

// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const controlsAndBreaks = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(character: string): string {
  const known = named[character];
  if (known) return known;
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface TerminalTextOptions {
  /** Keep newlines and tabs (an answer, a passage); by default they are escaped too (a name, one line). */
  multiline?: boolean;
}

/**
 * Outside text made safe to print: control characters (C0, DEL, C1), line and paragraph separators and
 * bidi controls are shown escaped (`\n`, `\x1b`, `\u202e`), so what is printed is what the text contains.
 */
export function escapeForTerminal(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.multiline ? controls : controlsAndBreaks, visible);
}

// JSON.stringify escapes C0 controls but leaves C1 controls, separators and bidi controls raw.
const rawInJson = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON for a terminal: the same value, with every character a terminal could act on written as `\uXXXX`. */
export function terminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(rawInJson, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
