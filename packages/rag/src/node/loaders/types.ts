import type { ExtractedDocument } from '../../common/chunking/chunkDocument.js';

export type { ExtractedDocument, ExtractedSection } from '../../common/chunking/chunkDocument.js';

export interface LoadDocumentOptions {
  /** Files larger than this are refused before any parsing. */
  maxBytes: number;
  signal?: AbortSignal;
}

/** What a format loader gets: the file's bytes and the name to use in messages. */
export interface LoaderInput {
  bytes: Buffer;
  name: string;
  filePath: string;
  signal?: AbortSignal;
}

export type Loader = (input: LoaderInput) => Promise<ExtractedDocument>;
