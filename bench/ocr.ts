import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { type DocumentInfo } from '@assistant/core';
import { openDatabase, silentLogger } from '@assistant/core/node';
import type { DocumentService } from '@assistant/rag/library';
import { renderPdfPage, resolveLanguageData, toPgm } from '@assistant/rag/node';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { median, printReport, round } from './report.js';
import { connectClient } from './connectClient.js';

/** Word error rate: word-level edit distance over the reference's length, on lower-cased words without punctuation. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019]/g, "'").split(/[^\p{L}\p{N}']+/u).map((word) => word.replace(/^'+|'+$/g, '')).filter(Boolean);
  const ref = words(reference);
  const hyp = words(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    previous = current;
  }
  return ref.length === 0 ? 0 : previous[hyp.length]! / ref.length;
}

/** Peak resident memory of a process (VmHWM), in MB. */
function peakMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * OCR through the app (host, ingest worker process, page rendering or picture decoding, Tesseract in its
 * thread, per-page storage, chunking) against bare tesseract.js reading the same page pictures in this
 * process with the same engine settings (legacy core for orientation detection, LSTM English, AUTO_OSD).
 * Interleaved file by file and run by run. Reports the word error rate of both against the true text,
 * pages per second, their ratio, and the ingest worker's peak memory.
 */
export async function benchOcr(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, runs: { type: 'string', default: '2' } } });
  const shared = process.env.ASSISTANT_MODELS_DIR ? path.join(path.dirname(path.resolve(process.env.ASSISTANT_MODELS_DIR)), 'data', 'scanned') : null;
  const dir = values.dir ?? shared;
  if (!dir || !fs.existsSync(dir)) throw new Error(`bench ocr needs the scanned pages: pass --dir DIR or set ASSISTANT_MODELS_DIR next to the shared data (looked for "${dir}").`);
  const files = fs
    .readdirSync(dir)
    .filter((name) => /\.(pdf|png|jpe?g|tiff?|webp)$/i.test(name) && fs.existsSync(path.join(dir, name.replace(/\.[^.]+$/, '.txt'))))
    .sort();
  const runs = Math.max(1, Number(values.runs));

  // The page pictures bare Tesseract reads: the picture files as they are, PDF pages rendered as the app renders them.
  const pictures = new Map<string, Buffer[]>();
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  for (const name of files) {
    const bytes = fs.readFileSync(path.join(dir, name));
    if (!name.toLowerCase().endsWith('.pdf')) {
      pictures.set(name, [bytes]);
      continue;
    }
    const document = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
    const pages: Buffer[] = [];
    for (let n = 1; n <= document.numPages; n++) pages.push(toPgm(await renderPdfPage((await document.getPage(n)) as never, (document as unknown as { canvasFactory: unknown }).canvasFactory)));
    pictures.set(name, pages);
    await document.destroy();
  }

  const data = resolveLanguageData(['eng'], null);
  const bare = await createWorker('eng', OEM.LSTM_ONLY, { langPath: data.packagedDir, cacheMethod: 'none', gzip: true, legacyCore: true, errorHandler: () => {} });
  await bare.FS('writeFile', ['./osd.traineddata', zlib.gunzipSync(fs.readFileSync(data.osdFile))]);
  await bare.setParameters({ tessedit_pageseg_mode: PSM.AUTO_OSD, debug_file: '/dev/null' });

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-'));
  const host = await createNodeHost({ home, modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-models-')), logger: silentLogger });
  const client = connectClient(host);
  const db = openDatabase({ file: path.join(home, 'assistant.db') });
  // Woken by the host's events, not by polling: polling would take CPU from the worker being measured.
  const settled = new Map<string, (document: DocumentInfo) => void>();
  client.on('documents.changed', ({ id, document }) => {
    if (document && (document.status === 'ready' || document.status === 'failed')) settled.get(id)?.(document);
  });
  const appIngest = async (file: string): Promise<{ seconds: number; text: string; pages: number }> => {
    const started = performance.now();
    let resolve: (document: DocumentInfo) => void = () => {};
    const finished = new Promise<DocumentInfo>((r) => (resolve = r));
    const { queued } = await client.call('documents.add', { paths: [file] });
    const id = queued[0]!.id;
    settled.set(id, resolve);
    const current = (await client.call('documents.list', {})).find((doc) => doc.id === id)!;
    const document = current.status === 'ready' || current.status === 'failed' ? current : await finished;
    const seconds = (performance.now() - started) / 1000;
    settled.delete(id);
    if (document.status === 'failed') throw new Error(`${document.name}: ${document.error?.message}`);
    const pages = db.prepare(`SELECT o.text FROM ocr_pages o JOIN documents d ON d.content_hash = o.content_hash AND d.ocr_config = o.config WHERE d.id = ? ORDER BY o.page`).all(id) as { text: string }[];
    // Removing the last copy drops its stored pages too, so the next run reads every page again.
    await client.call('documents.remove', { id });
    return { seconds, text: pages.map((page) => page.text).join('\n'), pages: pages.length };
  };
  const bareRead = async (name: string): Promise<{ seconds: number; text: string; pages: number }> => {
    const started = performance.now();
    const texts: string[] = [];
    for (const picture of pictures.get(name)!) texts.push((await bare.recognize(picture, {}, { text: true })).data.text);
    return { seconds: (performance.now() - started) / 1000, text: texts.join('\n'), pages: texts.length };
  };

  // Steady state: both engines started before the clock runs.
  const warm = path.join(home, 'warm-up.png');
  fs.copyFileSync(path.join(dir, files.find((name) => !name.endsWith('.pdf')) ?? files[0]!), warm);
  await appIngest(warm);
  await bareRead(files[0]!);

  const results = new Map(files.map((name) => [name, { app: [] as { seconds: number; text: string; pages: number }[], bare: [] as { seconds: number; text: string; pages: number }[] }]));
  for (let run = 0; run < runs; run++) {
    for (const name of files) {
      const result = results.get(name)!;
      // Alternate which goes first, so neither always meets a warmer or a busier machine.
      if ((run + files.indexOf(name)) % 2 === 0) {
        result.app.push(await appIngest(path.join(dir, name)));
        result.bare.push(await bareRead(name));
      } else {
        result.bare.push(await bareRead(name));
        result.app.push(await appIngest(path.join(dir, name)));
      }
    }
  }
  const ingestPid = (host.documents as unknown as DocumentService).ingestPid;
  const peak = ingestPid ? peakMb(ingestPid) : 0;
  db.close();
  client.dispose();
  await host.dispose();
  await bare.terminate();
  fs.rmSync(home, { recursive: true, force: true });

  const rows = files.map((name) => {
    const { app, bare: bareRuns } = results.get(name)!;
    const truth = fs.readFileSync(path.join(dir, name.replace(/\.[^.]+$/, '.txt')), 'utf8');
    const pages = app[0]!.pages;
    return {
      file: name,
      pages,
      app_wer: round(wordErrorRate(truth, app[0]!.text), 4),
      bare_wer: round(wordErrorRate(truth, bareRuns[0]!.text), 4),
      app_s: round(median(app.map((r) => r.seconds)), 2),
      bare_s: round(median(bareRuns.map((r) => r.seconds)), 2),
      app_pages_per_s: round(pages / median(app.map((r) => r.seconds)), 3),
      bare_pages_per_s: round(pages / median(bareRuns.map((r) => r.seconds)), 3),
    };
  });
  const totalPages = rows.reduce((sum, row) => sum + row.pages, 0);
  const appSeconds = rows.reduce((sum, row) => sum + row.app_s, 0);
  const bareSeconds = rows.reduce((sum, row) => sum + row.bare_s, 0);
  const degraded = rows.filter((row) => row.file.startsWith('pdkids'));
  const weighted = (pick: (row: (typeof rows)[number]) => number, subset: typeof rows) => {
    const words = subset.map((row) => fs.readFileSync(path.join(dir, row.file.replace(/\.[^.]+$/, '.txt')), 'utf8').split(/\s+/).filter(Boolean).length);
    return subset.reduce((sum, row, i) => sum + pick(row) * words[i]!, 0) / Math.max(1, words.reduce((a, b) => a + b, 0));
  };
  printReport('ocr', rows, {
    files: files.join(','),
    runs,
    pages: totalPages,
    threads: 1,
    app_wer: round(weighted((row) => row.app_wer, rows), 4),
    app_wer_degraded: round(weighted((row) => row.app_wer, degraded), 4),
    bare_wer_degraded: round(weighted((row) => row.bare_wer, degraded), 4),
    app_pages_per_s: round(totalPages / appSeconds, 3),
    bare_pages_per_s: round(totalPages / bareSeconds, 3),
    pages_per_s_ratio: round(bareSeconds / appSeconds, 3),
    ingest_worker_peak_mb: round(peak, 1),
  });
}
