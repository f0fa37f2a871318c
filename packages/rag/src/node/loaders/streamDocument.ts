import fs from 'node:fs';
import { isBinaryFile } from 'isbinaryfile';
import { ErrorCode } from '@assistant/core';
import { type DocumentChunker, NoWordBreaksError } from '../../common/chunking/DocumentChunker.js';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';
import { checkFile, kinds, loadDocument, unreadable } from './loadDocument.js';
import { bomEncoding, type TextEncoding, TextNormalizer } from './normalizeText.js';
import type { ExtractedDocument, LoadDocumentOptions } from './types.js';

export interface DocumentSink {
  chunker: DocumentChunker;
  /** Called after each block of text: passes the chunks made so far on (and waits while the reader is behind). */
  flush(): Promise<void>;
}

export type StreamedDocument = Omit<ExtractedDocument, 'sections'>;

/** Blocks read from a text file at a time: memory is a few of these, whatever the file's size. */
const BLOCK_BYTES = 256 * 1024;

/**
 * Reads a document into `sink.chunker`. Plain text and source code stream block by block (a 200 MB log is
 * never in memory at once: decoded, normalised and chunked as it is read); the other formats are parsed
 * whole by {@link loadDocument} and their sections written in turn. Errors are AssistantErrors naming the
 * file, text without word breaks included.
 */
export async function streamDocument(filePath: string, options: LoadDocumentOptions, sink: DocumentSink): Promise<StreamedDocument> {
  const { name, format } = await checkFile(filePath, options);
  try {
    if (format === 'text' || format === 'code') {
      await streamTextFile(filePath, name, format, options.signal, sink);
      if (sink.chunker.characters === 0) throw documentError(ErrorCode.DocumentNoText, `${name} has no text.`);
      return { format, title: null, pages: null };
    }
    const { sections, ...document } = await loadDocument(filePath, options);
    for (const section of sections) {
      throwIfAborted(options.signal);
      sink.chunker.startSection(section.page, section.heading);
      sink.chunker.write(section.text);
      await sink.flush();
    }
    return document;
  } catch (error) {
    if (error instanceof NoWordBreaksError) {
      throw documentError(ErrorCode.DocumentInvalid, `${name} has no word breaks (${error.message}), so it cannot be split into passages.`, error);
    }
    throw asDocumentError(error, name, kinds[format], options.signal);
  }
}

async function streamTextFile(filePath: string, name: string, format: 'text' | 'code', signal: AbortSignal | undefined, sink: DocumentSink): Promise<void> {
  let binary: boolean;
  try {
    binary = await isBinaryFile(filePath);
  } catch (error) {
    throw unreadable(error, name, signal);
  }
  if (binary) throw documentError(ErrorCode.DocumentInvalid, `${name} is a binary file, not text.`);
  const encoding = await detectEncoding(filePath, name, signal);
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  const normalizer = new TextNormalizer(format === 'code' ? 'code' : 'prose');
  const { chunker } = sink;
  chunker.startSection(null, format === 'code' ? name : null);
  // The UTF-16 BOM is skipped by position, as decodeText does; TextDecoder drops a UTF-8 one by itself.
  const start = encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 0;
  for await (const block of read(filePath, name, signal, start)) {
    chunker.write(normalizer.push(decoder.decode(block, { stream: true })));
    await sink.flush();
  }
  chunker.write(normalizer.push(decoder.decode()));
  chunker.write(normalizer.end());
}

/** A UTF-16 BOM wins; otherwise strict UTF-8 over the whole file (read once more, in blocks), else Windows-1252. */
async function detectEncoding(filePath: string, name: string, signal: AbortSignal | undefined): Promise<TextEncoding> {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const block of read(filePath, name, signal, 0)) {
      if (first) {
        const bom = bomEncoding(block);
        if (bom) return bom;
        first = false;
      }
      strict.decode(block, { stream: true });
    }
    strict.decode();
    return 'utf-8';
  } catch (error) {
    if (error instanceof TypeError) return 'windows-1252';
    throw error;
  }
}

async function* read(filePath: string, name: string, signal: AbortSignal | undefined, start: number): AsyncGenerator<Buffer> {
  const stream = fs.createReadStream(filePath, { highWaterMark: BLOCK_BYTES, start, signal });
  try {
    for await (const block of stream) {
      throwIfAborted(signal);
      yield block as Buffer;
    }
  } catch (error) {
    throw unreadable(error, name, signal);
  } finally {
    stream.destroy();
  }
}
