import path from 'node:path';
import { AssistantError, type DocumentInfo, ErrorCode, escapeForTerminal, type SearchMode, plural, searchModeSchema, terminalJson } from '@assistant/core';
import { citationLabel } from '@assistant/rag';
import cliProgress from 'cli-progress';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

const quiet = () => (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error';

async function withHost<T>(embeddingModel: string | undefined, run: (client: ReturnType<typeof connectInMemory>) => Promise<T>): Promise<T> {
  const host = await createNodeHost({ logLevel: quiet() });
  const client = connectInMemory(host);
  try {
    // A persistent choice, like picking it in Settings: stored vectors belong to one model.
    if (embeddingModel !== undefined) await client.call('settings.update', { embeddingModel: embeddingModel || null });
    if (embeddingModel !== undefined) await host.refreshModels();
    return await run(client);
  } finally {
    client.dispose();
    await host.dispose();
  }
}

const terminal = new Set<DocumentInfo['status']>(['ready', 'failed', 'cancelled']);

/**
 * `ingest PATH...`: adds files and folders, shows progress over all chunks, and ends with a summary of what
 * was ingested, skipped and failed (with reasons). Ctrl+C stops; the rest resumes on the next start.
 */
export async function ingestCommand(paths: string[], options: { json: boolean; embeddingModel?: string }, io: CliIo): Promise<number> {
  if (paths.length === 0) throw new AssistantError(ErrorCode.InvalidInput, 'ingest needs at least one file or folder, e.g. npm run assistant -- ingest ~/Documents/manuals');
  return withHost(options.embeddingModel, async (client) => {
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const documents = new Map<string, DocumentInfo>();
    const showBar = !options.json && (io.stderr as NodeJS.WriteStream).isTTY === true;
    const bar = showBar ? new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {done} of {total} files | {current}', hideCursor: true, stream: io.stderr }, cliProgress.Presets.shades_classic) : null;
    const render = () => {
      if (!bar) return;
      const all = [...documents.values()];
      // Parsing counts as the first 10% of a file's work, embedding as the rest.
      const work = all.reduce((sum, doc) => sum + (terminal.has(doc.status) ? 1 : doc.status === 'embedding' && doc.chunks > 0 ? 0.1 + (0.9 * doc.embeddedChunks) / doc.chunks : 0), 0);
      const current = all.find((doc) => !terminal.has(doc.status));
      bar.update(Math.round(work * 100), { done: all.filter((doc) => terminal.has(doc.status)).length, total: all.length, current: current ? `${ocrPageText(current) ?? current.status} ${escapeForTerminal(current.name)}` : '' });
    };
    // Without a progress bar (a pipe, a log), each OCR page is one line: it is the slow part.
    let lastOcrLine = '';
    const logOcr = (doc: DocumentInfo) => {
      const line = !showBar && !options.json ? ocrPageText(doc) : null;
      if (!line || `${doc.id} ${line}` === lastOcrLine) return;
      lastOcrLine = `${doc.id} ${line}`;
      io.stderr.write(`${line}: ${escapeForTerminal(doc.name)}\n`);
    };
    const subscription = client.on('documents.changed', ({ id, document }) => {
      if (document && documents.has(id)) documents.set(id, document);
      if (document && documents.has(id)) logOcr(document);
      render();
    });
    try {
      const added = await client.call('documents.add', { paths: paths.map((p) => path.resolve(p)) }, { signal: controller.signal });
      for (const doc of added.queued) documents.set(doc.id, doc);
      // Documents a previous run left unfinished resume too; wait for them as well.
      for (const doc of await client.call('documents.list', {})) if (!terminal.has(doc.status)) documents.set(doc.id, doc);
      bar?.start(documents.size * 100, 0, { done: 0, total: documents.size, current: '' });
      while ([...documents.values()].some((doc) => !terminal.has(doc.status))) {
        if (controller.signal.aborted) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const doc of await client.call('documents.list', {})) if (documents.has(doc.id)) documents.set(doc.id, doc);
        render();
      }
      bar?.stop();
      const all = [...documents.values()];
      const ingested = all.filter((doc) => doc.status === 'ready');
      const failed = all.filter((doc) => doc.status === 'failed');
      if (options.json) {
        io.stdout.write(`${terminalJson({ ingested, skipped: added.skipped, failed: failed.map((doc) => ({ path: doc.path, reason: doc.error?.message ?? 'failed', documentId: doc.id })), interrupted: controller.signal.aborted }, 2)}\n`);
      } else {
        for (const doc of ingested) io.stdout.write(`  ingested  ${escapeForTerminal(doc.name)} (${doc.pages !== null ? `${plural(doc.pages, 'page')}, ` : ''}${plural(doc.chunks, 'passage')}${ocrDetail(doc)})\n`);
        for (const skip of added.skipped) io.stdout.write(`  skipped   ${escapeForTerminal(skip.reason)}\n`);
        for (const doc of failed) io.stdout.write(`  failed    ${escapeForTerminal(doc.error?.message ?? doc.name)}\n`);
        io.stdout.write(`\n${ingested.length} ingested, ${added.skipped.length} skipped, ${failed.length} failed.\n`);
        if (controller.signal.aborted) io.stderr.write('Stopped. Unfinished files continue the next time the app or `ingest` runs.\n');
      }
      if (controller.signal.aborted) return 130;
      return failed.length > 0 ? 1 : 0;
    } finally {
      subscription.dispose();
      process.off('SIGINT', onSigint);
    }
  });
}

/** "OCR page 2 of 3" while a document's pages are read by OCR. */
function ocrPageText(doc: DocumentInfo): string | null {
  const progress = doc.status === 'parsing' ? doc.ocr?.progress : null;
  return progress ? `OCR page ${progress.index} of ${progress.total}` : null;
}

/** "; OCR: 3 pages, low-quality OCR on page 2" for a document read (partly) by OCR. */
function ocrDetail(doc: DocumentInfo): string {
  if (!doc.ocr || doc.ocr.pages === 0) return '';
  const low = doc.ocr.lowQualityPages;
  const parts = [`OCR: ${plural(doc.ocr.pages, 'page')}`];
  if (low.length > 0) parts.push(`low-quality OCR on ${low.length === 1 ? 'page' : 'pages'} ${low.join(', ')}`);
  if (doc.ocr.skippedPages > 0) parts.push(`${doc.ocr.skippedPages} over the OCR page limit not read`);
  return `; ${parts.join(', ')}`;
}

export async function searchCommand(query: string, options: { k: number; json: boolean; mode: string }, io: CliIo): Promise<number> {
  const mode = searchModeSchema.safeParse(options.mode);
  if (!mode.success) throw new AssistantError(ErrorCode.InvalidInput, `--mode must be one of ${searchModeSchema.options.join(', ')}, not "${options.mode}".`);
  return withHost(undefined, async (client) => {
    const result = await client.call('documents.search', { query, k: options.k, mode: mode.data as SearchMode });
    if (options.json) {
      io.stdout.write(`${terminalJson(result, 2)}\n`);
      return 0;
    }
    const { hits } = result;
    if (result.reason) io.stderr.write(`Keyword search only: ${result.reason}.\n`);
    if (hits.length === 0) io.stdout.write('No passage matches.\n');
    hits.forEach((hit, i) => {
      const text = hit.text.replace(/\s+/g, ' ').trim();
      io.stdout.write(`[${i + 1}] ${escapeForTerminal(citationLabel(hit))}  (score ${hit.score.toFixed(4)}, bm25 #${hit.bm25Rank ?? '-'}, vector #${hit.vectorRank ?? '-'})\n    ${escapeForTerminal(text.length > 300 ? `${text.slice(0, 300)}…` : text)}\n\n`);
    });
    return 0;
  });
}

export async function docsCommand(args: string[], options: { json: boolean }, io: CliIo): Promise<number> {
  const [action, id] = args;
  return withHost(undefined, async (client) => {
    switch (action) {
      case 'list': {
        const documents = await client.call('documents.list', {});
        if (options.json) {
          io.stdout.write(`${terminalJson(documents, 2)}\n`);
          return 0;
        }
        if (documents.length === 0) io.stdout.write('No documents yet: npm run assistant -- ingest PATH...\n');
        for (const doc of documents) {
          const detail = doc.status === 'failed' ? (doc.error?.message ?? '') : `${plural(doc.chunks, 'passage')}${doc.pages !== null ? `, ${plural(doc.pages, 'page')}` : ''}${ocrDetail(doc)}`;
          io.stdout.write(`${doc.id}  ${doc.status.padEnd(9)} ${escapeForTerminal(doc.name)}  (${escapeForTerminal(detail)})\n`);
        }
        return 0;
      }
      case 'remove': {
        if (!id) throw new AssistantError(ErrorCode.InvalidInput, 'docs remove needs a document id; see `docs list`.');
        const { removed } = await client.call('documents.remove', { id });
        if (!removed) throw new AssistantError(ErrorCode.NotFound, `No document with id ${id}.`);
        io.stdout.write(`Removed ${id}.\n`);
        return 0;
      }
      default:
        throw new AssistantError(ErrorCode.InvalidInput, 'docs needs a subcommand: list or remove ID.');
    }
  });
}
