import path from 'node:path';
import { ErrorCode } from '@assistant/core';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';
import { elementsByLocalName, parseHtmlDocument, parseXmlDocument } from './dom.js';
import { htmlToSections } from './htmlSections.js';
import { decodeText, normalizeProse } from './normalizeText.js';
import type { ExtractedSection, Loader } from './types.js';
import { openZip, type ZipLimits } from './zipGuard.js';

/**
 * EPUB: zip-bomb check, then META-INF/container.xml → the OPF package → its spine, read in reading
 * order; each XHTML chapter is cut at its headings (the heading path restarts with every chapter).
 * Title from the OPF's dc:title.
 */
export function createEpubLoader(limits?: Partial<ZipLimits>): Loader {
  return async ({ bytes, name, signal }) => {
    const zip = await openZip(bytes, name, 'EPUB book', { limits, signal });
    const invalid = (reason: string) => documentError(ErrorCode.DocumentInvalid, `${name} is damaged or not a valid EPUB book (${reason}).`);
    try {
      const container = await zip.read('META-INF/container.xml');
      if (!container) throw invalid('no META-INF/container.xml');
      const rootfile = elementsByLocalName(parseXmlDocument(decodeText(container)), 'rootfile')[0]?.getAttribute('full-path');
      if (!rootfile) throw invalid('container.xml names no package file');
      const opfBytes = await zip.read(rootfile);
      if (!opfBytes) throw invalid(`missing ${rootfile}`);
      const opf = parseXmlDocument(decodeText(opfBytes));
      const titleElement = elementsByLocalName(opf, 'title')[0];
      const title = titleElement ? normalizeProse(titleElement.textContent ?? '') || null : null;

      const baseDir = path.posix.dirname(rootfile);
      const manifest = new Map<string, { href: string; mediaType: string }>();
      for (const item of elementsByLocalName(opf, 'item')) {
        const id = item.getAttribute('id');
        const href = item.getAttribute('href');
        if (id && href) manifest.set(id, { href, mediaType: item.getAttribute('media-type') ?? '' });
      }
      const sections: ExtractedSection[] = [];
      for (const itemref of elementsByLocalName(opf, 'itemref')) {
        throwIfAborted(signal);
        const item = manifest.get(itemref.getAttribute('idref') ?? '');
        if (!item || !/html|xml/i.test(item.mediaType || 'html')) continue;
        const entryName = resolveHref(baseDir, item.href);
        const chapter = await zip.read(entryName);
        if (!chapter) continue;
        const document = parseHtmlDocument(decodeText(chapter));
        const root = document.body ?? document.documentElement;
        if (root) sections.push(...htmlToSections(root, { signal }));
      }
      return { format: 'epub', title, pages: null, sections };
    } catch (error) {
      throw asDocumentError(error, name, 'EPUB book', signal);
    } finally {
      zip.close();
    }
  };
}

function resolveHref(baseDir: string, href: string): string {
  let decoded = href.split('#')[0] ?? href;
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // Keep the raw href.
  }
  const joined = path.posix.normalize(path.posix.join(baseDir === '.' ? '' : baseDir, decoded));
  return joined.replace(/^\/+/, '');
}

export const loadEpub: Loader = createEpubLoader();
