import { cancelledError, ingestContract, type RpcTransport, serveRpc } from '@assistant/core';
import { connectParentTransport } from '@assistant/core/worker';
import { chunkDocument } from '../../common/chunking/chunkDocument.js';
import { loadDocument } from '../loaders/loadDocument.js';

/**
 * The ingest worker's body: parses one document per `ingest.parse` call and streams its chunks back in
 * order, `batchSize` at a time, then the summary. Hostile files are parsed here so that a hang, a crash or
 * a memory blow-up takes down only this process; the host's cancel message aborts the call's signal,
 * which the loaders honour (pdf.js's loading task is destroyed, the OCR thread is terminated mid-page).
 * OCR reports each page before reading it and each page's text as soon as it is read.
 */
export function runIngestWorker(transport: RpcTransport = connectParentTransport()): void {
  const server = serveRpc(ingestContract, transport, {
    'ingest.parse': async (input, { signal, emit }) => {
      const ocr = input.ocr ? { ...input.ocr, onProgress: (ocrProgress: { index: number; total: number; page: number }) => emit({ ocrProgress }), onPage: (ocrPage: { page: number; text: string; confidence: number }) => emit({ ocrPage }) } : undefined;
      const document = await loadDocument(input.path, { maxBytes: input.maxBytes, signal, ocr });
      if (signal.aborted) throw cancelledError();
      const { chunks, text } = chunkDocument(document.sections, { chunkSize: input.chunkSize, chunkOverlap: input.chunkOverlap });
      const batchSize = Math.max(1, input.batchSize);
      for (let index = 0; index < chunks.length; index += batchSize) {
        if (signal.aborted) throw cancelledError();
        emit({ chunks: chunks.slice(index, index + batchSize) });
        // Let a cancel message in between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (signal.aborted) throw cancelledError();
      return { format: document.format, title: document.title, pages: document.pages, chunks: chunks.length, characters: text.length, ocr: document.ocr ?? null };
    },
  });
  server.publish('worker.ready', { pid: process.pid });
}
