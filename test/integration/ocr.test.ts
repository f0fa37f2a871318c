import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentInfo } from '@assistant/core';
import type { DocumentService } from '@assistant/rag/library';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { blankPage, corruptJpeg, grayPixels, hugeBlankPng, makePdf, multiFrameTiff, scannedPage, textPage } from '../support/ocrFixtures.js';
import { runCli } from '../support/runCli.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { makeTempDir } from '../support/tempDir.js';

/**
 * OCR through the real host and the real ingest worker process (Tesseract in its worker thread): scans and
 * photos become searchable documents with page citations; bad pictures fail with their reasons while the
 * batch goes on; OCR progress, cancel and resume; nothing tries to reach the network.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
  delete process.env.NODE_OPTIONS;
  delete process.env.NETWORK_TRIPWIRE_LOG;
});

const terminal = new Set<DocumentInfo['status']>(['ready', 'failed', 'cancelled']);
const slow = { timeout: 600_000 };

function writeFiles(files: Record<string, Buffer>): string {
  const dir = makeTempDir('ocr-docs-');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

async function settle(h: Harness, timeoutMs = 540_000): Promise<DocumentInfo[]> {
  let documents: DocumentInfo[] = [];
  await waitFor(async () => {
    documents = await h.client.call('documents.list', {});
    return documents.length > 0 && documents.every((doc) => terminal.has(doc.status));
  }, timeoutMs, 'documents to settle');
  return documents;
}

const byName = (documents: DocumentInfo[], name: string) => documents.find((doc) => doc.name === name)!;

/** Every OCR progress event of one document, in order. */
function recordProgress(h: Harness, name: string): { index: number; total: number; page: number }[] {
  const seen: { index: number; total: number; page: number }[] = [];
  h.client.on('documents.changed', ({ document }) => {
    const progress = document?.name === name ? document.ocr?.progress : null;
    if (progress && (seen.at(-1)?.index !== progress.index || seen.at(-1)?.total !== progress.total)) seen.push(progress);
  });
  return seen;
}

/** Reads /proc: the resident memory of a process, in MB (Linux). */
function residentMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** A scan of `pages` pages, each a few lines naming its page. */
async function letterScan(pages: number): Promise<Buffer> {
  const scans = [];
  for (let n = 1; n <= pages; n++) scans.push(await scannedPage([`Harbour letter, sheet ${n}.`, `The keeper counted ${n * 7} gulls on sheet ${n}.`]));
  return makePdf(scans);
}

const sharedScans = sharedDataDir() ? path.join(sharedDataDir()!, 'scanned') : null;

describe('OCR of the shared scans, offline', () => {
  it.skipIf(!sharedScans)(`every file is ingested, a phrase of its true text is found, and the Moon question cites its page; nothing reaches for the network (${needsSharedData})`, slow, async () => {
    const log = path.join(makeTempDir('tripwire-'), 'network.log');
    process.env.NETWORK_TRIPWIRE_LOG = log;
    process.env.NODE_OPTIONS = `--require ${path.resolve(import.meta.dirname, '../support/networkTripwire.cjs')}`;
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    await harness.client.call('settings.update', { offlineLock: true, retrievalTopK: 10 });
    const added = await harness.client.call('documents.add', { paths: [sharedScans!] });
    const files = fs.readdirSync(sharedScans!).filter((name) => !name.startsWith('.'));
    expect(added.queued.map((doc) => doc.name).sort()).toEqual(files.sort());
    const documents = await settle(harness);
    expect(documents.filter((doc) => doc.status !== 'ready').map((doc) => `${doc.name}: ${doc.error?.message}`)).toEqual([]);

    const scans = files.filter((name) => /\.(pdf|png|jpe?g)$/.test(name));
    expect(scans.length).toBeGreaterThanOrEqual(3);
    for (const name of scans) {
      const doc = byName(documents, name);
      expect(doc.ocr?.pages, name).toBe(doc.pages);
      expect(doc.ocr?.lowQualityPages, name).toEqual([]);
      // A phrase from the middle of the true text: six words on one line.
      const truth = fs.readFileSync(path.join(sharedScans!, name.replace(/\.[a-z]+$/, '.txt')), 'utf8').split('\n').filter((line) => line.split(' ').length >= 8);
      const phrase = truth[Math.floor(truth.length / 2)]!.split(' ').slice(1, 7).join(' ');
      const { hits } = await harness.client.call('documents.search', { query: phrase, k: 10, mode: 'bm25' });
      expect(hits.map((hit) => hit.documentName), `"${phrase}"`).toContain(name);
    }

    const answer = await send(harness.client, 'Where was the Moon buried in the bog?');
    expect(answer.result.stats.stopReason).toBe('retrievalOnly');
    const cited = answer.result.message.citations.filter((citation) => citation.documentName === 'pdkids-scan.pdf');
    expect(cited.length).toBeGreaterThan(0);
    const buried = cited.find((citation) => /buried/i.test(citation.text));
    expect(buried?.page).toBe(2);
    expect(buried?.ocrConfidence).toBeGreaterThan(80);
    const passage = await harness.client.call('documents.passage', { chunkId: buried!.chunkId });
    expect(passage.ocrConfidence).toBe(buried!.ocrConfidence);

    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.filter((line) => line.startsWith('blocked'))).toEqual([]);
    // The tripwire was armed in the ingest worker and in Tesseract's thread there (thread ids above 0).
    const pid = (harness.host.documents as unknown as DocumentService).ingestPid ?? 0;
    expect(lines).toContain(`armed pid=${pid} thread=0`);
    expect(lines.some((line) => line.startsWith(`armed pid=${pid} thread=`) && !line.endsWith('thread=0'))).toBe(true);
  });
});

describe('the network tripwire the OCR test relies on', () => {
  it('catches a fetch made from a worker thread (where Tesseract runs)', () => {
    const log = path.join(makeTempDir('tripwire-'), 'network.log');
    const script = "new (require('node:worker_threads').Worker)(\"fetch('https://cdn.jsdelivr.net/npm/@tesseract.js-data/eng').catch(() => {})\", { eval: true })";
    const run = spawnSync(process.execPath, ['--require', path.resolve(import.meta.dirname, '../support/networkTripwire.cjs'), '-e', script], { env: { ...process.env, NETWORK_TRIPWIRE_LOG: log }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/^blocked fetch https:\/\/cdn\.jsdelivr\.net\/npm\/@tesseract\.js-data\/eng pid=\d+ thread=1$/m);
  });
});

describe('OCR: bad pictures and scans', () => {
  it('each bad file gets its own reason and the rest of the batch goes on', slow, async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    await harness.client.call('settings.update', { ocrMaxPages: 25 });
    const first = await grayPixels(await textPage(['Frame one of the stack'], { width: 600 }));
    const dir = writeFiles({
      'poster.png': hugeBlankPng(),
      'cut.jpg': await corruptJpeg(),
      'stack.tif': multiFrameTiff(first, 500),
      'blank.png': await blankPage(),
      'sideways.jpg': await textPage(['The sideways receipt lists oysters'], { rotate: 90, format: 'jpeg' }),
      'locked.pdf': makePdf([await scannedPage(['Secret minutes'])], { password: true }),
      'good.webp': await textPage(['The good page mentions a lighthouse'], { format: 'webp' }),
    });
    await harness.client.call('documents.add', { paths: [dir] });
    const documents = await settle(harness);
    const reason = (name: string) => byName(documents, name).error?.message;
    expect(reason('poster.png')).toMatch(/^poster\.png is 20,000 × 20,000 pixels \(400 megapixels\); pictures over 100 megapixels are not read\./);
    expect(reason('cut.jpg')).toMatch(/^cut\.jpg is damaged or not a valid picture \(.+\)\.$/);
    expect(reason('blank.png')).toBe('blank.png: no text found (OCR read the picture and found no words).');
    expect(reason('locked.pdf')).toMatch(/^locked\.pdf is password-protected\./);
    for (const name of ['stack.tif', 'sideways.jpg', 'good.webp']) expect(byName(documents, name).status, name).toBe('ready');
    expect(byName(documents, 'stack.tif')).toMatchObject({ format: 'image', pages: 500, ocr: { pages: 25, skippedPages: 475 } });
    expect((await harness.client.call('documents.search', { query: 'oysters receipt', k: 3, mode: 'bm25' })).hits[0]?.documentName).toBe('sideways.jpg');
    expect((await harness.client.call('documents.search', { query: 'lighthouse', k: 3, mode: 'bm25' })).hits[0]).toMatchObject({ documentName: 'good.webp', page: 1 });

    // "No text found" is final: the picture is not tried again and again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await harness.client.call('documents.list', {})).find((doc) => doc.name === 'blank.png')?.status).toBe('failed');
  });

  it('pages under the confidence threshold are reported as low-quality OCR', slow, async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const dir = writeFiles({ 'memo.png': await textPage(['A short memo about the ferry timetable']) });
    await harness.client.call('documents.add', { paths: [dir] });
    const [memo] = await settle(harness);
    expect(memo!.ocr).toMatchObject({ pages: 1, lowQualityPages: [], skippedPages: 0, progress: null });
    // The threshold is read live: raise it above the page's confidence.
    await harness.client.call('settings.update', { ocrMinConfidence: 100 });
    const [again] = await harness.client.call('documents.list', {});
    expect(again!.ocr?.lowQualityPages).toEqual([1]);
  });
});

describe('OCR progress, cancel and resume', () => {
  it('a 300-page scan shows page-by-page progress in bounded memory, and Cancel stops it', slow, async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const page = await scannedPage(['One page of a very long scanned ledger']);
    const dir = writeFiles({ 'ledger.pdf': makePdf(Array.from({ length: 300 }, () => page)) });
    const progress = recordProgress(harness, 'ledger.pdf');
    const [doc] = (await harness.client.call('documents.add', { paths: [dir] })).queued;
    await waitFor(() => progress.length >= 3, 300_000, 'three pages read');
    expect(progress.slice(0, 3)).toEqual([1, 2, 3].map((n) => ({ index: n, total: 300, page: n })));
    const pid = (harness.host.documents as unknown as DocumentService).ingestPid!;
    // pdf.js, the rendered page, Tesseract's WebAssembly heap: bounded by one page, not by 300.
    expect(residentMb(pid)).toBeLessThan(900);
    expect(await harness.client.call('documents.cancel', { id: doc!.id })).toEqual({ cancelled: true });
    const [cancelled] = await settle(harness, 60_000);
    expect(cancelled!.status).toBe('cancelled');
    const stoppedAt = progress.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(progress.length).toBe(stoppedAt);
  });

  it('after a cancel, and after a restart, OCR resumes at the page where it stopped', slow, async () => {
    const home = makeTempDir('ocr-home-');
    const models = makeTempDir('no-models-');
    harness = await startHost({ home, modelsDir: models });
    const dir = writeFiles({ 'letter.pdf': await letterScan(6) });
    let progress = recordProgress(harness, 'letter.pdf');
    const [doc] = (await harness.client.call('documents.add', { paths: [dir] })).queued;
    const id = doc!.id;
    await waitFor(() => progress.length >= 3, 300_000, 'page 3 started');
    await harness.client.call('documents.cancel', { id });
    const [cancelled] = await settle(harness, 60_000);
    const readBeforeCancel = cancelled!.ocr!.pages;
    expect(readBeforeCancel).toBeGreaterThanOrEqual(2);

    // Re-index (the panel's button on a cancelled document): the first page read is the next one.
    progress.length = 0;
    await harness.client.call('documents.reindex', { id });
    await waitFor(() => progress.length >= 1 && progress.at(-1)!.index >= readBeforeCancel + 2, 300_000, 'two more pages started');
    expect(progress[0]!.index).toBe(readBeforeCancel + 1);

    // Quit mid-document; the next start resumes from the stored pages.
    await harness.close();
    harness = await startHost({ home, modelsDir: models });
    const beforeRestart = (await harness.client.call('documents.list', {}))[0]!.ocr!.pages;
    expect(beforeRestart).toBeGreaterThan(readBeforeCancel);
    progress = recordProgress(harness, 'letter.pdf');
    const [done] = await settle(harness);
    expect(done!.status).toBe('ready');
    expect(done!.ocr).toMatchObject({ pages: 6, skippedPages: 0 });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.index).toBe(beforeRestart + 1);
    for (const sheet of [1, 4, 6]) {
      const [hit] = (await harness.client.call('documents.search', { query: `gulls sheet ${sheet * 7}`, k: 1, mode: 'bm25' })).hits;
      expect(hit, `sheet ${sheet}`).toMatchObject({ documentName: 'letter.pdf', page: sheet });
    }
  });
});

describe('OCR in the command line', () => {
  it('`ingest` prints "OCR page N of M" and says which pages are low-quality', slow, () => {
    const home = makeTempDir('cli-ocr-');
    const env = { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: makeTempDir('no-models-') };
    expect(runCli(['settings', 'set', 'ocrMinConfidence', '100'], env).code).toBe(0);
    const dir = makeTempDir('cli-scan-');
    return letterScan(2).then((pdf) => {
      fs.writeFileSync(path.join(dir, 'two sheets.pdf'), pdf);
      const run = runCli(['ingest', dir], env, 300_000);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('OCR page 1 of 2: two sheets.pdf\nOCR page 2 of 2: two sheets.pdf\n');
      expect(run.stdout).toContain('  ingested  two sheets.pdf (2 pages, 2 passages; OCR: 2 pages, low-quality OCR on pages 1, 2)');
    });
  });
});
