import fs from 'node:fs';
import zlib from 'node:zlib';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { AssistantError, cancelledError, ErrorCode } from '@assistant/core';
import { type GrayImage, toPgm } from './grayImage.js';
import type { LanguageData } from './languageData.js';

export interface OcrEngineOptions {
  languages: readonly string[];
  data: LanguageData;
  signal?: AbortSignal;
}

export interface OcrText {
  text: string;
  /** Mean word confidence, 0-100 (0 when no word was found). */
  confidence: number;
}

export interface OcrEngine {
  /** Reads one page. On abort the Tesseract thread is terminated at once (mid-page); after any failure the engine is dead. */
  read(image: GrayImage, signal?: AbortSignal): Promise<OcrText>;
  readonly alive: boolean;
  dispose(): Promise<void>;
}

let osdData: Buffer | null = null;

/**
 * Tesseract (tesseract.js: WebAssembly in a worker thread of this process) with local data only: the
 * language files come from `data` (never the CDN tesseract.js would use by default), the core and the
 * worker script from node_modules, and nothing is cached to disk. One thread: on a 2-core machine the
 * other core is for embedding and the UI. The core with the legacy engine is loaded only for orientation
 * and script detection (osd.traineddata): pages are read with page segmentation AUTO_OSD, so a page
 * scanned sideways or upside down is turned before its text is read; recognition itself is the LSTM.
 */
export async function createOcrEngine(options: OcrEngineOptions): Promise<OcrEngine> {
  const { data, signal } = options;
  if (signal?.aborted) throw cancelledError();
  let failure: ((reason: unknown) => void) | null = null;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => {});
  const worker = await Promise.race([
    createWorker([...options.languages], OEM.LSTM_ONLY, {
      langPath: data.packagedDir,
      // Languages the user imported are read from their folder ("cache" in tesseract.js's words), read only.
      cachePath: data.userDir ?? data.packagedDir,
      cacheMethod: data.userDir ? 'readOnly' : 'none',
      gzip: true,
      legacyCore: true,
      // Without a handler tesseract.js throws a failed job's error from its message listener (uncaught).
      errorHandler: (error: unknown) => failure?.(error),
    }),
    failed,
  ]).catch((error: unknown) => {
    throw new AssistantError(ErrorCode.Internal, `OCR could not start: ${String(error)}`);
  });
  // From here on a failed job rejects its own promise; the handler only keeps tesseract.js from throwing.
  failure = null;
  let alive = true;
  const kill = async () => {
    if (!alive) return;
    alive = false;
    await worker.terminate().catch(() => {});
  };
  try {
    osdData ??= zlib.gunzipSync(fs.readFileSync(data.osdFile));
    await worker.FS('writeFile', ['./osd.traineddata', osdData]);
    // debug_file: Tesseract's chatter ("Estimating resolution as 368") would go to this process's stderr.
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO_OSD, debug_file: '/dev/null' });
  } catch (error) {
    await kill();
    throw new AssistantError(ErrorCode.Internal, `OCR could not start: ${String(error)}`);
  }

  return {
    get alive() {
      return alive;
    },
    async read(image, readSignal) {
      if (!alive) throw new AssistantError(ErrorCode.Internal, 'The OCR engine was stopped.');
      if (readSignal?.aborted) throw cancelledError();
      let onAbort: (() => void) | null = null;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          void kill();
          reject(cancelledError());
        };
        readSignal?.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const result = await Promise.race([worker.recognize(toPgm(image), {}, { text: true }), aborted]);
        return { text: result.data.text ?? '', confidence: Math.max(0, Math.min(100, result.data.confidence ?? 0)) };
      } catch (error) {
        // A failed read may leave Tesseract in any state: stop it, and the next read starts a fresh engine.
        await kill();
        if (error instanceof AssistantError) throw error;
        throw new AssistantError(ErrorCode.DocumentInvalid, `OCR failed on this page (${String(error)})`);
      } finally {
        if (onAbort) readSignal?.removeEventListener('abort', onAbort);
      }
    },
    dispose: kill,
  };
}
