import { ErrorCode } from '@assistant/core';
import { NoWordBreaksError } from '../../common/chunking/DocumentChunker.js';
import { hasText } from '../../common/chunking/whitespace.js';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';
import { checkFile, isStreamed, kinds, parseDocument } from './parseDocument.js';
import { readTextFile } from './readTextFile.js';
import type { ExtractedDocument, LoadDocumentOptions } from './types.js';

/** Where a document's sections go as they are read: a DocumentChunker, or a collector (loadDocument). */
export interface DocumentSink {
  /** Starts a section: text written from now on shares this page and heading. */
  startSection(page: number | null, heading: string | null): void;
  write(text: string): void;
  /** Called after each block of text: passes what was written on (and waits while the reader is behind). */
  flush?(): Promise<void>;
}

export type StreamedDocument = Omit<ExtractedDocument, 'sections'>;

/**
 * Reads a document into `sink`. Plain text and source code stream block by block (decoded, normalised and
 * written as they are read, see readTextFile); the other formats are parsed whole by their loader and their
 * sections written in turn. Refuses, with an AssistantError whose message names the file: unsupported
 * extensions, missing or unreadable paths, folders, empty files, files over `maxBytes` (checked before
 * reading), binary files with a text extension, damaged, encrypted and text-less documents, and text without
 * word breaks (when the sink is a chunker with a word limit). Honours `signal` (Cancelled). With `ocr`,
 * scanned pages and pictures are read by OCR.
 */
export async function streamDocument(filePath: string, options: LoadDocumentOptions, sink: DocumentSink): Promise<StreamedDocument> {
  const file = await checkFile(filePath, options);
  const { name, format } = file;
  const { signal } = options;
  let empty = true;
  const write = (text: string) => {
    if (empty && hasText(text)) empty = false;
    sink.write(text);
  };
  try {
    let document: StreamedDocument;
    if (isStreamed(format)) {
      sink.startSection(null, format === 'code' ? name : null);
      for await (const text of readTextFile(filePath, name, format === 'code' ? 'code' : 'prose', signal)) {
        write(text);
        await sink.flush?.();
      }
      document = { format, title: null, pages: null };
    } else {
      const { sections, ...rest } = await parseDocument(filePath, { ...file, format }, options);
      for (const section of sections) {
        throwIfAborted(signal);
        sink.startSection(section.page, section.heading);
        write(section.text);
        await sink.flush?.();
      }
      document = rest;
    }
    if (empty) throw documentError(ErrorCode.DocumentNoText, `${name} has no text.`);
    return document;
  } catch (error) {
    if (error instanceof NoWordBreaksError) {
      throw documentError(ErrorCode.DocumentInvalid, `${name} has no word breaks (${error.message}), so it cannot be split into passages.`, error);
    }
    throw asDocumentError(error, name, kinds[format], signal);
  }
}
