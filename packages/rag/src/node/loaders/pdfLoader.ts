import { createRequire } from 'node:module';
import path from 'node:path';
import { ErrorCode } from '@assistant/core';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';
import { normalizeProse } from './normalizeText.js';
import type { ExtractedSection, Loader } from './types.js';
import { type PdfPageLike, renderPdfPage } from '../ocr/renderPdfPage.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | null = null;
/** pdf.js is big: loaded on the first PDF, not when the worker starts. */
const loadPdfJs = () => (pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

/**
 * Folders of pdf.js's data files: CMaps (CJK fonts without a ToUnicode map give no text without them, e.g.
 * vertical Japanese) and the wasm image decoders. Standard font data is only needed for rendering.
 */
function pdfjsAssets(): { cMapUrl: string; wasmUrl: string; standardFontDataUrl: string } | Record<string, never> {
  try {
    const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
    const folder = (name: string) => path.join(root, name) + path.sep;
    return { cMapUrl: folder('cmaps'), wasmUrl: folder('wasm'), standardFontDataUrl: folder('standard_fonts') };
  } catch {
    return {};
  }
}

interface TextItemLike {
  str: string;
  hasEOL: boolean;
  height: number;
  transform: number[];
}

/** Pages with less text than this (non-blank characters) count as "no text layer" when they show an image. */
const SPARSE_PAGE_CHARS = 32;

/**
 * PDF: one section per page (1-based page numbers), text from pdf.js's text layer. Lines follow the text
 * items' end-of-line marks; a vertical gap larger than ~1.8 line heights starts a new paragraph; words
 * hyphenated across a line break are rejoined; NFKC folds ligatures and presentation forms ("ﬁ" → "fi").
 * Runs in the ingest process with pdf.js's in-thread "fake worker"; on abort the loading task is destroyed.
 * With `ocr`, pages without a text layer (or with almost none) are rendered and read by OCR, one at a time;
 * the pages that have text keep it.
 */
export const loadPdf: Loader = async ({ bytes, name, signal, ocr }) => {
  throwIfAborted(signal);
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    useWorkerFetch: false,
    stopAtErrors: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    ...pdfjsAssets(),
  });
  const onAbort = () => void task.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let document;
    try {
      document = await task.promise;
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'PasswordException') {
        throw documentError(ErrorCode.DocumentEncrypted, `${name} is password-protected. Remove the password (for example by printing it to a new PDF) and add it again.`, error);
      }
      throw error;
    }
    const pages = document.numPages;
    let sections: ExtractedSection[] = [];
    const sparsePages: number[] = [];
    let characters = 0;
    for (let pageNumber = 1; pageNumber <= pages; pageNumber++) {
      throwIfAborted(signal);
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      const text = pageText(content.items as unknown[]);
      const visible = text.replace(/\s+/g, '').length;
      characters += visible;
      if (visible < SPARSE_PAGE_CHARS) sparsePages.push(pageNumber);
      if (text) sections.push({ text, page: pageNumber, heading: null });
      page.cleanup();
    }

    const info = ((await document.getMetadata().catch(() => null))?.info ?? {}) as { Title?: unknown; EncryptFilterName?: unknown };
    const encrypted = typeof info.EncryptFilterName === 'string' && info.EncryptFilterName.length > 0;
    let ocrDone: { pages: number[]; skippedPages: number } | undefined;
    if (ocr && sparsePages.length > 0 && !encrypted) {
      // Text pages stay as they are; each page with (almost) no text is rendered and read, in order.
      const canvasFactory = (document as unknown as { canvasFactory: unknown }).canvasFactory;
      const render = async (pageNumber: number) => renderPdfPage((await document.getPage(pageNumber)) as unknown as PdfPageLike, canvasFactory, signal);
      const read = await ocr.readPages(sparsePages, render, signal);
      const byPage = new Map(sections.map((section) => [section.page, section]));
      for (const [pageNumber, page] of read.pages) {
        if (page.text.trim()) byPage.set(pageNumber, { text: page.text, page: pageNumber, heading: null });
        characters += page.text.replace(/\s+/g, '').length;
      }
      sections = [...byPage.values()].sort((a, b) => a.page! - b.page!);
      ocrDone = { pages: [...read.pages.keys()], skippedPages: read.skippedPages };
      if (characters === 0) throw documentError(ErrorCode.DocumentNoText, `${name}: no text found (OCR read ${plural(read.pages.size, 'page')} without a text layer and found no words).`);
    }
    const sparse = characters < SPARSE_PAGE_CHARS * pages;
    if (!ocrDone && (characters === 0 || (sparse && sparsePages.length === pages))) {
      // Nothing to read. Say why when we can: an owner-password PDF, or pages that are only images.
      if (encrypted) throw documentError(ErrorCode.DocumentEncrypted, `${name} is password-protected and no text could be extracted from it.`);
      const scanned = await hasImages(document, sparsePages, pdfjs.OPS, signal);
      if (scanned) throw documentError(ErrorCode.DocumentNoText, `${name} has no text layer: it is a scan, and OCR is turned off in Settings.`);
      if (characters === 0) throw documentError(ErrorCode.DocumentNoText, `${name} has no text.`);
    }
    const rawTitle = typeof info.Title === 'string' ? normalizeProse(info.Title) : '';
    const title = rawTitle && !/^untitled\b/i.test(rawTitle) ? rawTitle : null;
    return { format: 'pdf', title, pages, sections, ...(ocrDone ? { ocr: ocrDone } : {}) };
  } catch (error) {
    throw asDocumentError(error, name, 'PDF', signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await task.destroy().catch(() => undefined);
  }
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function pageText(items: readonly unknown[]): string {
  let out = '';
  let pendingBreak = false;
  let lastY: number | null = null;
  let lastHeight = 0;
  for (const raw of items) {
    if (typeof raw !== 'object' || raw === null || typeof (raw as TextItemLike).str !== 'string') continue;
    const item = raw as TextItemLike;
    const y = item.transform?.[5] ?? 0;
    const height = Math.abs(item.height || item.transform?.[3] || 0);
    if (pendingBreak && item.str.trim()) {
      const gap = lastY === null ? 0 : Math.abs(lastY - y);
      out += gap > 1.8 * Math.max(height, lastHeight, 1) ? '\n\n' : '\n';
      pendingBreak = false;
    }
    out += item.str;
    if (item.str.trim()) {
      lastY = y;
      lastHeight = height;
    }
    if (item.hasEOL) pendingBreak = true;
  }
  return normalizeProse(
    out
      .normalize('NFKC')
      // "exam-\nple" → "example" (a hyphen at a line end between lower-case letters).
      .replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2'),
  );
}

async function hasImages(
  document: { getPage(n: number): Promise<{ getOperatorList(): Promise<{ fnArray: number[] }>; cleanup(): unknown }> },
  pageNumbers: readonly number[],
  ops: Record<string, number>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const imageOps = new Set([ops.paintImageXObject, ops.paintInlineImageXObject, ops.paintImageXObjectRepeat, ops.paintImageMaskXObject].filter((op) => op !== undefined));
  for (const pageNumber of pageNumbers.slice(0, 20)) {
    throwIfAborted(signal);
    const page = await document.getPage(pageNumber);
    try {
      const list = await page.getOperatorList();
      if (list.fnArray.some((op) => imageOps.has(op))) return true;
    } catch {
      // An undecodable page is no evidence either way.
    } finally {
      page.cleanup();
    }
  }
  return false;
}
