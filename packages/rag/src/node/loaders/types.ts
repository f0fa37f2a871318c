import type { ExtractedDocument } from '../../common/chunking/chunkDocument.js';
import type { OcrReader, OcrReaderOptions } from '../ocr/OcrReader.js';

export type { ExtractedDocument, ExtractedSection } from '../../common/chunking/chunkDocument.js';

export interface LoadDocumentOptions {
  /** Files larger than this are refused before any parsing. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Pages and pictures without text are read by OCR with these; absent: OCR is off. */
  ocr?: OcrReaderOptions;
}

/** What a format loader gets: the file's bytes and the name to use in messages. */
export interface LoaderInput {
  bytes: Buffer;
  name: string;
  filePath: string;
  signal?: AbortSignal;
  /** Reads pages without a text layer; absent when OCR is off. */
  ocr?: OcrReader;
}

export type Loader = (input: LoaderInput) => Promise<ExtractedDocument>;
