import mammoth from 'mammoth';
import { ErrorCode } from '@assistant/core';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';
import { elementsByLocalName, parseHtmlDocument, parseXmlDocument } from './dom.js';
import { htmlToSections } from './htmlSections.js';
import { normalizeProse } from './normalizeText.js';
import type { Loader } from './types.js';
import { openZip, type ZipLimits } from './zipGuard.js';

/**
 * DOCX: the zip is checked for bombs (central directory, then a full inflate through yauzl that enforces
 * the declared sizes) before mammoth sees it; mammoth turns the body into HTML, which keeps headings,
 * lists, tables, footnotes and endnotes; sections split at headings. Title from docProps/core.xml.
 */
export function createDocxLoader(limits?: Partial<ZipLimits>): Loader {
  return async ({ bytes, name, signal }) => {
    const zip = await openZip(bytes, name, 'Word document', { limits, signal });
    try {
      if (!zip.entries.has('word/document.xml') && ![...zip.entries.keys()].some((entry) => /^word\/document\d*\.xml$/.test(entry))) {
        throw documentError(ErrorCode.DocumentInvalid, `${name} is damaged or not a valid Word document (no word/document.xml inside).`);
      }
      await zip.verifyAll();
      const core = await zip.read('docProps/core.xml');
      const titleElement = core ? elementsByLocalName(parseXmlDocument(core.toString('utf8')), 'title')[0] : undefined;
      const title = titleElement ? normalizeProse(titleElement.textContent ?? '') || null : null;
      throwIfAborted(signal);
      const { value: html } = await mammoth.convertToHtml({ buffer: bytes });
      throwIfAborted(signal);
      const document = parseHtmlDocument(`<!doctype html><html><head></head><body>${html}</body></html>`);
      const sections = document.body ? htmlToSections(document.body, { signal }) : [];
      return { format: 'docx', title, pages: null, sections };
    } catch (error) {
      throw asDocumentError(error, name, 'Word document', signal);
    } finally {
      zip.close();
    }
  };
}

export const loadDocx: Loader = createDocxLoader();
