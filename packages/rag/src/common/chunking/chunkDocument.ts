import type { ChunkDraft, DocumentFormat } from '@assistant/core';
import { DocumentChunker, type DocumentChunkerOptions, SECTION_SEPARATOR } from './DocumentChunker.js';

export { DocumentChunker, type DocumentChunkerOptions, NoWordBreaksError, SECTION_SEPARATOR } from './DocumentChunker.js';

/** A stretch of a document's text that shares one page and one heading. */
export interface ExtractedSection {
  text: string;
  /** 1-based page number for paged formats (PDF), otherwise null. */
  page: number | null;
  /** The heading the text sits under (a path such as "Installation › Linux"), or null. */
  heading: string | null;
}

/** What a loader extracts from a file. */
export interface ExtractedDocument {
  format: DocumentFormat;
  title: string | null;
  /** Page count for PDF, otherwise null. */
  pages: number | null;
  sections: ExtractedSection[];
  /** Pages read by OCR (page numbers) and pages left unread over the OCR page limit; absent: no OCR. */
  ocr?: { pages: number[]; skippedPages: number };
}

export type ChunkOptions = DocumentChunkerOptions;

export interface ChunkedDocument {
  chunks: ChunkDraft[];
  /**
   * The document's extracted text: the texts of its non-blank sections, in order, joined by
   * {@link SECTION_SEPARATOR}. Every chunk satisfies `text.slice(chunk.start, chunk.end) === chunk.text`.
   */
  text: string;
}

/**
 * Splits a document into chunks, structure first:
 *
 * - A chunk never spans two sections with a different page or heading, so its `page` and `heading` are
 *   exact. Consecutive sections that share both are treated as one run.
 * - A run that fits in `chunkSize` is one chunk (small paragraphs are merged, not chunked one by one).
 *   A longer run is cut greedily at the last paragraph break before `chunkSize`, else the last sentence
 *   end, else the last line break, else the last space, else (one giant word) at `chunkSize` itself.
 * - Consecutive chunks of one run overlap by about `chunkOverlap` characters; the overlap starts at a
 *   sentence start when there is one in that window, else at a word start. The overlap is capped at half
 *   the chunk size so every step makes progress.
 * - Chunks carry no leading or trailing whitespace.
 *
 * Pure and deterministic: the same sections and options always give the same chunks, which resuming an
 * interrupted ingestion relies on. Linear in the text length. {@link DocumentChunker} makes the same chunks
 * from text that arrives piece by piece.
 */
export function chunkDocument(sections: readonly ExtractedSection[], options: ChunkOptions): ChunkedDocument {
  const chunks: ChunkDraft[] = [];
  const chunker = new DocumentChunker(options, (chunk) => chunks.push(chunk));
  // The chunker alone decides which sections are blank (and dropped): the text is the sections it kept.
  const kept: string[] = [];
  for (const section of sections) {
    const before = chunker.characters;
    chunker.startSection(section.page, section.heading);
    chunker.write(section.text);
    if (chunker.characters > before) kept.push(section.text);
  }
  chunker.end();
  return { chunks, text: kept.join(SECTION_SEPARATOR) };
}
