// linkedom entry points, typed structurally: this package is compiled without the DOM lib.
import { Parser } from 'htmlparser2';
import { DOMParser, parseHTML } from 'linkedom';
import { MAX_NESTING, NestingTooDeepError } from './DocumentError.js';
import type { DomNode } from './htmlSections.js';

export interface DomElement extends DomNode {
  localName?: string;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<DomElement & { remove(): void }>;
  children: ArrayLike<DomElement>;
}

export interface HtmlDocument extends DomNode {
  title: string;
  body: DomElement | null;
  documentElement: DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement & { remove(): void }>;
}

/**
 * Throws NestingTooDeepError when the markup nests too deeply. A pass of htmlparser2's streaming tokenizer,
 * the very parser linkedom builds its tree with (same options), so depth is counted as the tree would have it,
 * implied end tags included, and the pass stops at the first element too deep.
 */
function checkNesting(markup: string, xmlMode: boolean): void {
  let depth = 0;
  const parser = new Parser(
    {
      onopentag() {
        if (++depth > MAX_NESTING) throw new NestingTooDeepError();
      },
      onclosetag() {
        depth--;
      },
    },
    { lowerCaseAttributeNames: false, decodeEntities: true, xmlMode },
  );
  parser.write(markup);
  parser.end();
}

/** Parses an HTML (or lenient XHTML) document. */
export function parseHtmlDocument(html: string): HtmlDocument {
  checkNesting(html, false);
  return parseHTML(html).document as unknown as HtmlDocument;
}

/** Parses an XML document (EPUB container and package files, DOCX core properties). */
export function parseXmlDocument(xml: string): HtmlDocument {
  checkNesting(xml, true);
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as HtmlDocument;
}

/** Elements whose local name (namespace prefix ignored, case-insensitive) matches, in document order. */
export function elementsByLocalName(root: DomNode, localName: string): DomElement[] {
  const wanted = localName.toLowerCase();
  const found: DomElement[] = [];
  const visit = (node: DomNode) => {
    if (node.nodeType === 1 && node.nodeName.toLowerCase().replace(/^.*:/, '') === wanted) found.push(node as DomElement);
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) visit(children[i]!);
  };
  visit(root);
  return found;
}
