// Walks a parsed HTML tree (linkedom) and cuts it into sections at h1-h6, keeping tables, lists and
// footnotes as text. Shared by the DOCX (mammoth output), EPUB (XHTML chapters) and HTML loaders.
import type { ExtractedSection } from './types.js';
import { normalizeProse } from './normalizeText.js';

/** The few DOM members used here, declared structurally (this package is compiled without the DOM lib). */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  previousElementSibling?: DomNode | null;
  getAttribute?(name: string): string | null;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

const skipped = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'svg', 'img', 'picture', 'video', 'audio',
  'iframe', 'object', 'embed', 'canvas', 'button', 'input', 'select', 'textarea', 'form',
]);
const blocks = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'blockquote', 'pre', 'ul', 'ol', 'dl', 'table',
  'thead', 'tbody', 'tfoot', 'figure', 'figcaption', 'hr', 'address', 'details', 'summary', 'fieldset', 'body', 'html', 'center',
]);
const lines = new Set(['li', 'dt', 'dd', 'tr', 'caption']);
const cells = new Set(['td', 'th']);
const headingLevels: Readonly<Record<string, number>> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

export const HEADING_PATH_SEPARATOR = ' › ';

export interface HtmlSectionOptions {
  /** Headings above the first one of this tree (e.g. none for a new EPUB chapter). */
  initialPath?: readonly string[];
  signal?: AbortSignal;
}

/** Sections of an HTML tree; a section's heading is the path of the headings above it ("A › B"). */
export function htmlToSections(root: DomNode, options: HtmlSectionOptions = {}): ExtractedSection[] {
  const sections: ExtractedSection[] = [];
  const stack: { level: number; text: string }[] = (options.initialPath ?? []).map((text, index) => ({ level: index, text }));
  let buffer: string[] = [];
  let preDepth = 0;
  let cellDepth = 0;
  let visited = 0;

  const currentHeading = () => (stack.length ? stack.map((entry) => entry.text).join(HEADING_PATH_SEPARATOR) : null);
  const flush = () => {
    const text = normalizeProse(buffer.join(''));
    buffer = [];
    if (text) sections.push({ text, page: null, heading: currentHeading() });
  };

  const walk = (node: DomNode): void => {
    if (++visited % 2048 === 0 && options.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
    if (node.nodeType === TEXT || node.nodeType === CDATA) {
      const data = node.textContent ?? '';
      buffer.push(preDepth > 0 ? data : data.replace(/[ \t\r\n\f]+/g, ' '));
      return;
    }
    if (node.nodeType !== ELEMENT) {
      if (node.nodeType === 9 || node.nodeType === 11) walkChildren(node);
      return;
    }
    const tag = node.nodeName.toLowerCase().replace(/^.*:/, '');
    if (skipped.has(tag)) return;
    if (tag === 'math') {
      const alt = node.getAttribute?.('alttext');
      buffer.push(` ${alt ?? inlineText(node)} `);
      return;
    }
    const level = headingLevels[tag];
    if (level !== undefined) {
      const text = inlineText(node);
      if (!text) return;
      flush();
      while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
      stack.push({ level, text });
      buffer.push(text, '\n\n');
      return;
    }
    if (tag === 'br') {
      buffer.push('\n');
      return;
    }
    if (cells.has(tag) && node.previousElementSibling) buffer.push(' | ');
    // Inside a table cell, paragraphs stay on the row's line: "Top left | Top right".
    const isCell = cells.has(tag);
    const separator = blocks.has(tag) || lines.has(tag) ? (cellDepth > 0 && tag !== 'table' ? ' ' : blocks.has(tag) ? '\n\n' : '\n') : '';
    if (separator) buffer.push(separator);
    if (tag === 'pre') preDepth++;
    if (isCell) cellDepth++;
    walkChildren(node);
    if (isCell) cellDepth--;
    if (tag === 'pre') preDepth--;
    if (separator) buffer.push(separator);
  };
  const walkChildren = (node: DomNode) => {
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) walk(children[i]!);
  };

  walk(root);
  flush();
  return sections;
}

/** The visible text of an element on one line (headings, titles), without permalink marks ("#", "¶", "[edit]"). */
export function inlineText(node: DomNode): string {
  return normalizeProse((node.textContent ?? '').replace(/\s+/g, ' ')).replace(/\s*(?:#|¶|§|\[edit\])$/u, '');
}
