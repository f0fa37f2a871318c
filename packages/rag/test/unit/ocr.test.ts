import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, type OcrPage } from '@assistant/core';
import { loadDocument } from '../../src/node/index.js';
import sharp from 'sharp';
import { createOcrEngine } from '../../src/node/ocr/OcrEngine.js';
import { createOcrReader, disposeOcr, type OcrReaderOptions } from '../../src/node/ocr/OcrReader.js';
import type { GrayImage } from '../../src/node/ocr/grayImage.js';
import { resolveLanguageData } from '../../src/node/ocr/languageData.js';
import { blankPage, corruptJpeg, grayPixels, hugeBlankPng, makePdf, multiFrameTiff, scannedPage, textPage } from '../../../../test/support/ocrFixtures.js';
import { failure } from '../../../../test/support/failure.js';
import { makeTempDir } from '../../../../test/support/tempDir.js';

// Real Tesseract (tesseract.js in a worker thread) on small pictures: a few seconds per page here.
const maxBytes = 200 * 1024 * 1024;
const tmp = makeTempDir('rag-ocr-');
afterAll(async () => {
  await disposeOcr();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const write = (name: string, content: Buffer) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
};

function ocrOptions(extra: Partial<OcrReaderOptions> = {}): OcrReaderOptions & { progress: number[]; read: OcrPage[] } {
  const progress: number[] = [];
  const read: OcrPage[] = [];
  return { languages: ['eng'], modelsDir: null, maxPages: 500, donePages: [], onProgress: (p) => progress.push(p.page), onPage: (p) => read.push(p), progress, read, ...extra };
}


const words = (text: string) => text.toLowerCase().replace(/[^a-z ]+/g, ' ').split(/\s+/).filter(Boolean);

describe('OCR of pictures', () => {
  it('reads a PNG page into page 1 of an image document, with its confidence', { timeout: 120_000 }, async () => {
    const file = write('note.png', await textPage(['Meet me at the lighthouse', 'at seven in the evening']));
    const options = ocrOptions();
    const document = await loadDocument(file, { maxBytes, ocr: options });
    expect(document.format).toBe('image');
    expect(document.pages).toBe(1);
    expect(document.sections).toHaveLength(1);
    expect(document.sections[0]!.page).toBe(1);
    expect(words(document.sections[0]!.text)).toEqual(expect.arrayContaining(['lighthouse', 'seven', 'evening']));
    expect(document.ocr).toEqual({ pages: [1], skippedPages: 0 });
    expect(options.progress).toEqual([1]);
    expect(options.read[0]!.confidence).toBeGreaterThan(60);
  });

  // 90°: Tesseract's layout analysis already finds vertical lines; 180° needs orientation detection (OSD,
  // osd.traineddata with the legacy engine's classifier): without AUTO_OSD the upside-down page is noise.
  it.each([90, 180] as const)('turns a page scanned at %i° upright before reading it', { timeout: 120_000 }, async (rotate) => {
    const lines = ['Orientation detection turns this page', 'before the words are read by Tesseract', 'so sideways scans are still searchable'];
    const file = write(`turned-${rotate}.jpg`, await textPage(lines, { rotate, format: 'jpeg' }));
    const document = await loadDocument(file, { maxBytes, ocr: ocrOptions() });
    expect(words(document.sections[0]!.text)).toEqual(expect.arrayContaining(['orientation', 'sideways', 'searchable']));
  });

  it('reads WebP too, and resumes: pages handed in as done are not read again', { timeout: 120_000 }, async () => {
    const file = write('resume.webp', await textPage(['Never read twice']));
    const options = ocrOptions({ donePages: [{ page: 1, text: 'Stored before the restart', confidence: 88 }] });
    const document = await loadDocument(file, { maxBytes, ocr: options });
    expect(document.sections[0]!.text).toBe('Stored before the restart');
    expect(options.progress).toEqual([]);
    expect(options.read).toEqual([]);
  });

  it('a picture without text is "no text found", not an error loop', async () => {
    const file = write('blank.png', await blankPage());
    const error = await failure(loadDocument(file, { maxBytes, ocr: ocrOptions() }));
    expect(error.code).toBe(ErrorCode.DocumentNoText);
    expect(error.message).toBe('blank.png: no text found (OCR read the picture and found no words).');
  });

  it('refuses a 20,000 × 20,000 PNG from its header, before decoding it', async () => {
    const file = write('poster.png', hugeBlankPng());
    const before = process.memoryUsage().rss;
    const error = await failure(loadDocument(file, { maxBytes, ocr: ocrOptions() }));
    expect(error.code).toBe(ErrorCode.DocumentTooLarge);
    expect(error.message).toMatch(/^poster\.png is 20,000 × 20,000 pixels \(400 megapixels\); pictures over 100 megapixels are not read\./);
    // Decoded, it would take 400 MB at least.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('a corrupt JPEG fails with a reason naming the file', async () => {
    const file = write('cut.jpg', await corruptJpeg());
    const error = await failure(loadDocument(file, { maxBytes, ocr: ocrOptions() }));
    expect(error.code).toBe(ErrorCode.DocumentInvalid);
    expect(error.message).toMatch(/^cut\.jpg is damaged or not a valid picture \(.+\)\.$/);
  });

  it('a TIFF of 500 frames: one page per frame, up to the page limit, the rest counted', { timeout: 120_000 }, async () => {
    const first = await grayPixels(await textPage(['The first frame has words'], { width: 600 }));
    const file = write('stack.tiff', multiFrameTiff(first, 500));
    const options = ocrOptions({ maxPages: 40 });
    const document = await loadDocument(file, { maxBytes, ocr: options });
    expect(document.pages).toBe(500);
    expect(document.ocr).toEqual({ pages: Array.from({ length: 40 }, (_, i) => i + 1), skippedPages: 460 });
    expect(document.sections.map((section) => section.page)).toEqual([1]);
    expect(words(document.sections[0]!.text)).toEqual(expect.arrayContaining(['first', 'frame', 'words']));
    expect(options.progress).toHaveLength(40);
  });

  it('with OCR off, a picture says so', async () => {
    const file = write('off.png', await textPage(['Hello']));
    const error = await failure(loadDocument(file, { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentNoText);
    expect(error.message).toBe('off.png is a picture and OCR is turned off in Settings, so it has no text to add.');
  });
});

describe('OCR of PDFs', () => {
  it('a mixed PDF keeps its text pages and reads the scanned one, with page numbers', { timeout: 120_000 }, async () => {
    const file = write('mixed.pdf', makePdf([{ text: 'Chapter one is typed text with a real text layer for sure.' }, await scannedPage(['Chapter two was scanned from paper'])]));
    const options = ocrOptions();
    const document = await loadDocument(file, { maxBytes, ocr: options });
    expect(document.pages).toBe(2);
    expect(document.sections.map((section) => section.page)).toEqual([1, 2]);
    expect(document.sections[0]!.text).toBe('Chapter one is typed text with a real text layer for sure.');
    expect(words(document.sections[1]!.text)).toEqual(expect.arrayContaining(['chapter', 'two', 'scanned', 'paper']));
    expect(document.ocr).toEqual({ pages: [2], skippedPages: 0 });
    expect(options.progress).toEqual([2]);
  });

  it('a password-protected scan is refused with its reason', async () => {
    const file = write('locked.pdf', makePdf([await scannedPage(['Secret'])], { password: true }));
    const error = await failure(loadDocument(file, { maxBytes, ocr: ocrOptions() }));
    expect(error.code).toBe(ErrorCode.DocumentEncrypted);
    expect(error.message).toMatch(/^locked\.pdf is password-protected\./);
  });

  it('a scan with OCR off says OCR is off', async () => {
    const file = write('scan-off.pdf', makePdf([await scannedPage(['Words'])]));
    const error = await failure(loadDocument(file, { maxBytes }));
    expect(error.message).toBe('scan-off.pdf has no text layer: it is a scan, and OCR is turned off in Settings.');
  });

  it('cancel stops within a page: the Tesseract thread is ended, nothing more is reported', { timeout: 120_000 }, async () => {
    const pages = await Promise.all([1, 2, 3].map((n) => scannedPage([`Page ${n} of a long letter about the harbour`, 'with several lines on each page', 'to keep Tesseract busy for a while'])));
    const file = write('long.pdf', makePdf(pages));
    const controller = new AbortController();
    const options = ocrOptions({ onProgress: () => setTimeout(() => controller.abort(), 50) });
    const error = await failure(loadDocument(file, { maxBytes, signal: controller.signal, ocr: options }));
    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(options.read).toEqual([]);
    // The next document starts a new engine.
    const again = await loadDocument(write('after.png', await textPage(['Still working afterwards'])), { maxBytes, ocr: ocrOptions() });
    expect(words(again.sections[0]!.text)).toEqual(expect.arrayContaining(['still', 'working', 'afterwards']));
  });
});

describe('OCR failures', () => {
  // A PGM cut short: Leptonica cannot read it, so the read fails without any abort. Dark, so not skipped as blank.
  const unreadable: GrayImage = { width: 100, height: 100, data: new Uint8Array(200) };

  it('an engine whose read failed is stopped, not reused', { timeout: 120_000 }, async () => {
    const engine = await createOcrEngine({ languages: ['eng'], data: resolveLanguageData(['eng'], null) });
    try {
      expect((await failure(engine.read(unreadable))).code).toBe(ErrorCode.DocumentInvalid);
      expect(engine.alive).toBe(false);
    } finally {
      await engine.dispose();
    }
  });

  it('when a page fails, the next page being rendered ahead is finished before the failure is passed on', { timeout: 120_000 }, async () => {
    const good = await sharp(await textPage(['A page that reads fine'])).grayscale().raw().toBuffer({ resolveWithObject: true });
    const first: GrayImage = { width: good.info.width, height: good.info.height, data: new Uint8Array(good.data) };
    let rendering = false;
    const render = async (page: number): Promise<GrayImage> => {
      if (page === 1) return first;
      if (page === 2) return unreadable;
      rendering = true;
      // Long enough that, without waiting, the failure of page 2 arrives first.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      rendering = false;
      return first;
    };
    const options = ocrOptions();
    const error = await failure(createOcrReader('pages.pdf', options).readPages([1, 2, 3], render));
    expect(error.message).toMatch(/^pages\.pdf, page 2: OCR failed on this page/);
    expect(options.read.map((page) => page.page)).toEqual([1]);
    expect(rendering).toBe(false);
  });
});

describe('OCR languages', () => {
  it('English ships in the npm package; another language is looked up in the models folder, with a clear message when missing', () => {
    const english = resolveLanguageData(['eng'], null);
    expect(fs.existsSync(path.join(english.packagedDir, 'eng.traineddata.gz'))).toBe(true);
    expect(fs.existsSync(english.osdFile)).toBe(true);
    expect(english.userDir).toBeNull();

    const models = makeTempDir('ocr-models-');
    expect(() => resolveLanguageData(['eng', 'deu'], models)).toThrow(`OCR language data missing: deu.traineddata is not in the models folder (${models}). Put the file in a folder and import it (models import FOLDER), or change the OCR languages in Settings.`);
    fs.mkdirSync(path.join(models, 'tessdata'));
    fs.writeFileSync(path.join(models, 'tessdata', 'deu.traineddata'), 'x');
    expect(resolveLanguageData(['eng', 'deu'], models).userDir).toBe(path.join(models, 'tessdata'));
  });

  it('reads with a language imported into the models folder (here English data under another code)', { timeout: 120_000 }, async () => {
    const models = makeTempDir('ocr-models-');
    fs.mkdirSync(path.join(models, 'tessdata-extra'));
    const english = resolveLanguageData(['eng'], null);
    fs.writeFileSync(path.join(models, 'tessdata-extra', 'zzz.traineddata'), zlib.gunzipSync(fs.readFileSync(path.join(english.packagedDir, 'eng.traineddata.gz'))));
    const file = write('imported.png', await textPage(['Imported languages are read from the models folder']));
    const document = await loadDocument(file, { maxBytes, ocr: ocrOptions({ languages: ['zzz'], modelsDir: models }) });
    expect(words(document.sections[0]!.text)).toEqual(expect.arrayContaining(['imported', 'languages', 'models', 'folder']));
  });

  it('a document needing a missing language fails naming the file and the language', async () => {
    const file = write('brief.png', await textPage(['Guten Tag']));
    const error = await failure(loadDocument(file, { maxBytes, ocr: ocrOptions({ languages: ['eng', 'deu'], modelsDir: makeTempDir('ocr-empty-') }) }));
    expect(error.code).toBe(ErrorCode.ModelNotFound);
    expect(error.message).toMatch(/^brief\.png was not read by OCR: OCR language data missing: deu\.traineddata is not in the models folder/);
  });
});
