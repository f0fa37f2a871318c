import { Lexer, type Token } from 'marked';
import { throwIfAborted } from './DocumentError.js';
import { HEADING_PATH_SEPARATOR } from './htmlSections.js';
import { decodeText, normalizeCode } from './normalizeText.js';
import type { ExtractedSection, Loader } from './types.js';

/**
 * Markdown: marked's lexer finds the ATX and setext headings (not "#" lines inside code fences); each
 * heading starts a section whose heading is the path of headings above it ("Installation › Linux").
 * Section text is the Markdown source (code blocks keep their indentation) with the heading as plain text.
 * Title: the first level-1 heading.
 */
export const loadMarkdown: Loader = async ({ bytes, signal }) => {
  const source = normalizeCode(decodeText(bytes));
  throwIfAborted(signal);
  const tokens: Token[] = new Lexer({ gfm: true }).lex(source);
  const sections: ExtractedSection[] = [];
  const stack: { depth: number; text: string }[] = [];
  let buffer: string[] = [];
  let title: string | null = null;

  const flush = () => {
    const text = normalizeCode(buffer.join(''));
    buffer = [];
    if (text) sections.push({ text, page: null, heading: stack.length ? stack.map((entry) => entry.text).join(HEADING_PATH_SEPARATOR) : null });
  };
  for (const token of tokens) {
    if (token.type === 'heading') {
      const text = plainInline(String(token.text ?? ''));
      const depth = Number(token.depth) || 1;
      flush();
      while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
      if (text) {
        stack.push({ depth, text });
        if (depth === 1 && title === null) title = text;
        buffer.push(text, '\n\n');
      }
      continue;
    }
    buffer.push(token.raw);
  }
  flush();
  return { format: 'markdown', title, pages: null, sections };
};

/** Inline Markdown to plain text, for headings: links, images, emphasis, code spans, HTML tags. */
function plainInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__|\*|_|~~|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}
