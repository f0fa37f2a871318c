import { AssistantError, cancelledError, type OcrOptions, type OcrPage } from '@assistant/core';
import { documentError, throwIfAborted } from '../loaders/DocumentError.js';
import { normalizeProse } from '../loaders/normalizeText.js';
import type { GrayImage } from './grayImage.js';
import { createOcrEngine, type OcrEngine } from './OcrEngine.js';
import { resolveLanguageData } from './languageData.js';
import { isBlank } from './renderPdfPage.js';

export interface OcrReaderOptions extends OcrOptions {
  /** Before each page is read: "OCR page `index` of `total`". */
  onProgress?(progress: { index: number; total: number; page: number }): void;
  /** After each page is read (not for pages handed in as done). */
  onPage?(page: OcrPage): void;
}

export interface OcrPagesResult {
  /** Every page read, by page number (including those handed in as done). */
  pages: Map<number, OcrPage>;
  /** Candidates left unread because of the page limit. */
  skippedPages: number;
}

/** Reads the pages of one document that have no text layer. What the loaders get in `LoaderInput.ocr`. */
export interface OcrReader {
  readPages(pageNumbers: readonly number[], render: (page: number) => Promise<GrayImage>, signal?: AbortSignal): Promise<OcrPagesResult>;
}

/** The engine stays loaded between documents of one worker process (starting it costs about a second). */
let shared: { key: string; engine: Promise<OcrEngine> } | null = null;

async function engineFor(options: OcrOptions, name: string, signal?: AbortSignal): Promise<OcrEngine> {
  let data;
  try {
    data = resolveLanguageData(options.languages, options.modelsDir ?? null);
  } catch (error) {
    throw documentError((error as AssistantError).code, `${name} was not read by OCR: ${(error as Error).message}`, error);
  }
  const key = JSON.stringify([options.languages, data]);
  if (shared?.key === key) {
    const engine = await shared.engine.catch(() => null);
    if (engine?.alive) return engine;
  }
  const previous = shared;
  shared = { key, engine: createOcrEngine({ languages: options.languages, data, signal }) };
  if (previous) void previous.engine.then((engine) => engine.dispose()).catch(() => {});
  return shared.engine;
}

/** Stops the shared engine (worker shutdown, tests). */
export async function disposeOcr(): Promise<void> {
  const current = shared;
  shared = null;
  if (current) await (await current.engine.catch(() => null))?.dispose();
}

/** OCR text as prose: words hyphenated across a line end rejoined, spaces and blank lines tidied. */
export function normalizeOcrText(text: string): string {
  return normalizeProse(text.normalize('NFKC').replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2'));
}

/**
 * A reader for one document, named `name` in messages. Pages are read one at a time, in order, and each is
 * reported as soon as it is read, so memory stays bounded by two page pictures and a restart resumes at
 * the first page not reported.
 */
export function createOcrReader(name: string, options: OcrReaderOptions): OcrReader {
  const done = new Map(options.donePages?.map((page) => [page.page, page]) ?? []);
  return {
    async readPages(pageNumbers, render, signal) {
      const wanted = pageNumbers.slice(0, options.maxPages);
      const pages = new Map<number, OcrPage>();
      const todo = wanted.filter((pageNumber) => !done.has(pageNumber));
      // The next page is rendered (or decoded) on this thread while Tesseract reads the current one in
      // its own: on two cores the picture is ready when the engine is. One page ahead, no more.
      const prefetch = (at: number) => {
        const pageNumber = todo[at];
        if (pageNumber === undefined) return null;
        const picture = render(pageNumber);
        picture.catch(() => {});
        return picture;
      };
      let next = prefetch(0);
      let position = 0;
      try {
        for (const [index, pageNumber] of wanted.entries()) {
          throwIfAborted(signal);
          const known = done.get(pageNumber);
          if (known) {
            pages.set(pageNumber, known);
            continue;
          }
          options.onProgress?.({ index: index + 1, total: wanted.length, page: pageNumber });
          const image = await next!;
          throwIfAborted(signal);
          next = prefetch(++position);
          // A white page has nothing to read: no engine time spent on it.
          const engine = isBlank(image) ? null : await engineFor(options, name, signal);
          let read;
          try {
            read = engine ? await engine.read(image, signal) : { text: '', confidence: 0 };
          } catch (error) {
            if (signal?.aborted) throw cancelledError();
            throw error instanceof AssistantError ? documentError(error.code, `${name}, page ${pageNumber}: ${error.message}.`, error) : error;
          }
          const page: OcrPage = { page: pageNumber, text: normalizeOcrText(read.text), confidence: Math.round(read.confidence * 10) / 10 };
          pages.set(pageNumber, page);
          options.onPage?.(page);
        }
      } catch (error) {
        // The page rendered ahead must be done before the caller closes the document it renders from.
        await next?.catch(() => {});
        throw error;
      }
      return { pages, skippedPages: pageNumbers.length - wanted.length };
    },
  };
}
