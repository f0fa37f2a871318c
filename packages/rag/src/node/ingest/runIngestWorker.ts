import { type ChunkDraft, cancelledError, ingestContract, type RpcTransport, serveRpc } from '@assistant/core';
import { connectParentTransport } from '@assistant/core/worker';
import { DocumentChunker } from '../../common/chunking/DocumentChunker.js';
import { streamDocument } from '../loaders/streamDocument.js';

/** A run of characters without whitespace longer than this is not text (a base64 blob, one repeated letter). */
const MAX_WORD_LENGTH = 1_000_000;

/**
 * The ingest worker's body: parses one document per `ingest.parse` call and streams its chunks back in
 * order, `batchSize` at a time, as they are made, then the summary. Plain text is read, chunked and sent
 * block by block, and the next block waits until the host has taken the chunks already sent, so memory stays
 * bounded whatever the file's size. Hostile files are parsed here so that a hang, a crash or a memory
 * blow-up takes down only this process; the host's cancel message aborts the call's signal, which the
 * loaders honour (pdf.js's loading task is destroyed, the OCR thread is terminated mid-page). OCR reports
 * each page before reading it and each page's text as soon as it is read.
 */
export function runIngestWorker(transport: RpcTransport = connectParentTransport()): void {
  // Let a cancel message in between batches; where the transport can tell, also wait until they are sent.
  const drained = () => transport.drained?.() ?? new Promise<void>((resolve) => setImmediate(resolve));
  const server = serveRpc(ingestContract, transport, {
    'ingest.parse': async (input, { signal, emit }) => {
      const ocr = input.ocr ? { ...input.ocr, onProgress: (ocrProgress: { index: number; total: number; page: number }) => emit({ ocrProgress }), onPage: (ocrPage: { page: number; text: string; confidence: number }) => emit({ ocrPage }) } : undefined;
      const batchSize = Math.max(1, input.batchSize);
      const pending: ChunkDraft[] = [];
      const chunker = new DocumentChunker({ chunkSize: input.chunkSize, chunkOverlap: input.chunkOverlap, maxWordLength: MAX_WORD_LENGTH }, (chunk) => pending.push(chunk));
      const send = async (all: boolean) => {
        while (pending.length >= batchSize || (all && pending.length > 0)) {
          if (signal.aborted) throw cancelledError();
          emit({ chunks: pending.splice(0, batchSize) });
          await drained();
        }
      };
      const sink = { startSection: chunker.startSection.bind(chunker), write: chunker.write.bind(chunker), flush: () => send(false) };
      const document = await streamDocument(input.path, { maxBytes: input.maxBytes, signal, ocr }, sink);
      const { chunks, characters } = chunker.end();
      await send(true);
      if (signal.aborted) throw cancelledError();
      return { format: document.format, title: document.title, pages: document.pages, chunks, characters, ocr: document.ocr ?? null };
    },
  });
  server.publish('worker.ready', { pid: process.pid });
}
