import { Readability } from '@mozilla/readability';
import { throwIfAborted } from './DocumentError.js';
import { parseHtmlDocument, type HtmlDocument } from './dom.js';
import { htmlToSections, inlineText } from './htmlSections.js';
import { decodeText, normalizeProse } from './normalizeText.js';
import type { ExtractedSection, Loader } from './types.js';

/** Page chrome dropped when Readability finds no article and the whole body is used. */
const chrome = 'nav, header, footer, aside, form, script, style, noscript, template, [role="navigation"], [role="banner"], [role="contentinfo"], [aria-hidden="true"], .mw-editsection, .navbox, .sidebar, #toc, .toc';

/**
 * HTML: Readability's main content (navigation, sidebars and footers left out), cut at its headings.
 * When Readability finds nothing, or keeps less than a third of the page's text (a long single-page book
 * like Project Gutenberg's HTML editions, where it would pick one chapter), the body minus its chrome is
 * used instead.
 */
export const loadHtml: Loader = async ({ bytes, signal }) => {
  const html = decodeText(bytes);
  throwIfAborted(signal);
  const page = parseHtmlDocument(html);
  const pageTitle = normalizeProse(page.title ?? '') || null;

  const fallback = parseHtmlDocument(html);
  for (const element of Array.from(fallback.querySelectorAll(chrome))) element.remove();
  const bodySections = sectionsOf(fallback, signal);
  const bodyLength = length(bodySections);

  // Wikipedia's "[edit]" links and tables of contents: Readability drops the classes that identify them.
  for (const element of Array.from(page.querySelectorAll('.mw-editsection, #toc, .toc, .navbox, script, style, noscript'))) element.remove();
  throwIfAborted(signal);
  let article: { title?: string | null; content?: string | null } | null = null;
  try {
    article = new Readability(page as never, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  throwIfAborted(signal);
  let sections = bodySections;
  if (article?.content) {
    const articleDocument = parseHtmlDocument(`<!doctype html><html><head></head><body>${article.content}</body></html>`);
    const articleSections = sectionsOf(articleDocument, signal);
    if (length(articleSections) > 0 && length(articleSections) * 3 >= bodyLength) sections = articleSections;
  }
  const title = pageTitle ?? (article?.title ? normalizeProse(article.title) || null : null) ?? firstHeading(fallback);
  return { format: 'html', title, pages: null, sections };
};

function sectionsOf(document: HtmlDocument, signal: AbortSignal | undefined): ExtractedSection[] {
  const root = document.body ?? document.documentElement;
  return root ? htmlToSections(root, { signal }) : [];
}

function length(sections: readonly ExtractedSection[]): number {
  return sections.reduce((sum, section) => sum + section.text.length, 0);
}

function firstHeading(document: HtmlDocument): string | null {
  const heading = document.querySelectorAll('h1')[0];
  return heading ? inlineText(heading) || null : null;
}
