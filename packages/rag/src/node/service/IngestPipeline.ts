import path from 'node:path';
import { AssistantError, ErrorCode, type ContractClient, type DocumentInfo, type IngestContract, toErrorPayload } from '@assistant/core';
import type { EmbeddingModelService, Logger, SettingsStore, WorkerSupervisor } from '@assistant/core/node';
import type { DocumentStore } from '../store/DocumentStore.js';
import type { IndexHolder } from './IndexHolder.js';

export interface IngestPipelineOptions {
  store: DocumentStore;
  settings: SettingsStore;
  embeddings: EmbeddingModelService;
  ingest: WorkerSupervisor<IngestContract>;
  index: IndexHolder;
  logger: Logger;
  /** Where imported models live: OCR languages other than English are found there. */
  modelsDir: string | null;
  /** After every stored step (status, chunks, an OCR page, a batch of embeddings); `force` skips throttling. */
  onProgress(document: DocumentInfo, force?: boolean): void;
  /** The older version of a file was deleted because its replacement became ready. */
  onReplaced(oldId: string): void;
  /** Texts per embedding call: large enough to amortise IPC, small enough for snappy progress and cancel. */
  embedBatchSize?: number;
  /** How long parsing may go without progress before the worker is killed: this much, plus `parseTimeoutPerMbMs` per MB. */
  parseTimeoutMs?: number;
  parseTimeoutPerMbMs?: number;
}

/**
 * Parsing gets this long (plus per MB) without a sign of progress before the ingest worker is killed: a
 * hostile file must not hang the queue. Each OCR page counts as progress, so a 300-page scan may take as
 * long as it needs while one page that hangs Tesseract cannot.
 */
const parseTimeoutMs = 120_000;
const parseTimeoutPerMbMs = 2_000;

/**
 * One document's way from file to searchable: parse and chunk in the ingest worker, store the chunks,
 * embed them in batches in the inference worker, store the vectors and add them to the index, then mark
 * the document ready (replacing the older version of the same file in the same transaction). Every step
 * is stored as it completes, so a restart continues from the last stored batch.
 */
export class IngestPipeline {
  constructor(private readonly options: IngestPipelineOptions) {}

  /** Stage 1 (ingest worker). Leaves the document in `embedding` with all its chunks stored. */
  async parse(id: string, signal: AbortSignal): Promise<void> {
    const { store, settings, ingest } = this.options;
    const source = store.source(id);
    if (!source) return;
    store.deleteChunks(id);
    const { chunkSize, chunkOverlap, maxFileSizeMb, ocr: ocrOn, ocrLanguages, ocrMaxPages } = settings.get();
    // OCR results are stored per page under the file's hash and the languages, as each page is read.
    const ocrConfig = ocrOn ? ocrLanguages : null;
    this.progress(store.update(id, { status: 'parsing', error: null, chunkCount: 0, ocrConfig, ocrSkippedPages: 0 }));
    const name = path.basename(source.path);
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      signal.addEventListener('abort', abort, { once: true });
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const timeoutMs = (this.options.parseTimeoutMs ?? parseTimeoutMs) + (source.sizeBytes / 1_048_576) * (this.options.parseTimeoutPerMbMs ?? parseTimeoutPerMbMs);
      const armTimeout = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          // A parser stuck in native code or a tight loop ignores cancellation: end its process.
          const pid = ingest.pid;
          if (pid) process.kill(pid, 'SIGKILL');
        }, timeoutMs);
      };
      armTimeout();
      try {
        let stored = 0;
        const ocr = ocrConfig
          ? { languages: ocrConfig.split('+'), modelsDir: this.options.modelsDir, maxPages: ocrMaxPages, donePages: store.ocrPages(source.contentHash, ocrConfig) }
          : null;
        const result = await ingest.run((client: ContractClient<IngestContract>) =>
          client.stream(
            'ingest.parse',
            { path: source.path, maxBytes: Math.round(maxFileSizeMb * 1_048_576), chunkSize, chunkOverlap: Math.min(chunkOverlap, Math.floor(chunkSize / 2)), batchSize: 64, ocr },
            {
              signal: controller.signal,
              onItem: ({ chunks, ocrPage, ocrProgress }) => {
                armTimeout();
                if (ocrProgress) {
                  store.setOcrProgress(id, ocrProgress);
                  this.progress(store.get(id)!, true);
                }
                if (ocrPage && ocrConfig) {
                  store.saveOcrPage(source.contentHash, ocrConfig, ocrPage);
                  this.progress(store.get(id)!);
                }
                if (!chunks) return;
                stored += chunks.length;
                store.insertChunks(id, chunks);
                this.progress(store.update(id, { chunkCount: stored }));
              },
            },
          ),
        );
        store.setOcrProgress(id, null);
        this.progress(
          store.update(id, {
            status: 'embedding',
            format: result.format,
            title: result.title,
            pages: result.pages,
            chunkCount: result.chunks,
            ocrConfig: result.ocr ? ocrConfig : null,
            ocrSkippedPages: result.ocr?.skippedPages ?? 0,
          }),
        );
        return;
      } catch (error) {
        if (signal.aborted) throw new AssistantError(ErrorCode.Cancelled, 'Cancelled.');
        const payload = toErrorPayload(error);
        const crashed = payload.code === ErrorCode.WorkerCrashed || payload.code === ErrorCode.TransportClosed;
        // Neither is evidence of damage (a parser can hang or run out of memory on a sound file): say what happened.
        if (timedOut) throw new AssistantError(ErrorCode.DocumentInvalid, `${name} was stopped: the parser made no progress for ${Math.round(timeoutMs / 1000)} s.`);
        if (crashed && attempt < 2) {
          this.options.logger.warn('ingest worker died while parsing; retrying once', { document: id, error: payload.message });
          store.deleteChunks(id);
          continue;
        }
        if (crashed) throw new AssistantError(ErrorCode.DocumentInvalid, `${name} crashed the document parser twice${crashReason(ingest.state.lastError)}, so it was not added.`);
        throw error;
      } finally {
        clearTimeout(timer);
        store.setOcrProgress(id, null);
        signal.removeEventListener('abort', abort);
      }
    }
  }

  /**
   * Stage 2 (inference worker). Embeds what is not embedded yet with the current model, then marks ready.
   * A document that is already ready (added before this embedding model) only gets the missing vectors.
   */
  async embed(id: string, signal: AbortSignal): Promise<void> {
    const { store, embeddings, index } = this.options;
    const batch = this.options.embedBatchSize ?? 32;
    const wasReady = store.get(id)?.status === 'ready';
    if (embeddings.available) {
      const info = await embeddings.ensureLoaded(signal);
      const vectors = await index.forModel(info, signal);
      for (;;) {
        signal.throwIfAborted();
        const rows = store.chunksToEmbed(id, info.key, batch);
        if (rows.length === 0) break;
        // Backfill waits behind the user's turns and local API requests in the worker.
        const embedded = await embeddings.embed(
          rows.map((row) => row.text),
          signal,
          { priority: 'background' },
        );
        // Cancelled or removed meanwhile: nothing of it may reach the store or the index.
        signal.throwIfAborted();
        const stored = store.storeEmbeddings(info.key, rows.map((row, i) => ({ chunkId: row.id, vector: embedded[i]! })));
        vectors.add(stored);
        index.changed();
        const current = store.get(id);
        if (current) this.progress(current);
      }
    }
    if (wasReady) return;
    const replaced = store.source(id)?.replacesId ?? null;
    if (replaced) index.current()?.remove(store.chunkIds(replaced));
    this.progress(store.finish(id));
    index.changed();
    if (replaced) this.options.onReplaced(replaced);
  }

  private progress(document: DocumentInfo, force = false): void {
    this.options.onProgress(document, force);
  }
}

/** Why the worker died, for the reason shown: V8 aborts the process (SIGABRT) when its heap is exhausted. */
function crashReason(lastError: string | null): string {
  if (!lastError) return '';
  return lastError === 'killed by SIGABRT' ? ' (it aborted, most likely out of memory)' : ` (${lastError})`;
}
