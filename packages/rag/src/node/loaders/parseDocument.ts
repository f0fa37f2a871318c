import fs from 'node:fs/promises';
import path from 'node:path';
import { isBinaryFile } from 'isbinaryfile';
import { type DocumentFormat, ErrorCode } from '@assistant/core';
import { displayName, documentError, throwIfAborted, unreadable } from './DocumentError.js';
import { detectFormat } from './detectFormat.js';
import { sizeLimitReason } from './sizeLimit.js';
import { loadDocx } from './docxLoader.js';
import { loadEpub } from './epubLoader.js';
import { loadHtml } from './htmlLoader.js';
import { loadImage } from './imageLoader.js';
import { loadMarkdown } from './markdownLoader.js';
import { loadPdf } from './pdfLoader.js';
import type { ExtractedDocument, Loader, LoadDocumentOptions } from './types.js';
import { createOcrReader } from '../ocr/OcrReader.js';

/** Formats read as a stream of text by readTextFile; the others are parsed whole by a loader. */
export type StreamedFormat = 'text' | 'code';
export type ParsedFormat = Exclude<DocumentFormat, StreamedFormat>;

const loaders: Readonly<Record<ParsedFormat, Loader>> = {
  pdf: loadPdf,
  docx: loadDocx,
  epub: loadEpub,
  html: loadHtml,
  markdown: loadMarkdown,
  image: loadImage,
};
/** Parsed formats that are text underneath, so a binary file with their extension is refused. */
const textual = new Set<DocumentFormat>(['html', 'markdown']);

/** What a file of each format is called in messages. */
export const kinds: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'PDF',
  docx: 'Word document',
  epub: 'EPUB book',
  html: 'HTML page',
  markdown: 'Markdown file',
  text: 'text file',
  code: 'text file',
  image: 'picture',
};

export interface CheckedFile {
  name: string;
  format: DocumentFormat;
  size: number;
}

export function isStreamed(format: DocumentFormat): format is StreamedFormat {
  return format === 'text' || format === 'code';
}

/**
 * The checks before any reading: a supported extension, a file that exists and is neither empty nor over
 * `maxBytes`. Throws an AssistantError naming the file.
 */
export async function checkFile(filePath: string, options: LoadDocumentOptions): Promise<CheckedFile> {
  const { signal, maxBytes } = options;
  const name = displayName(filePath);
  throwIfAborted(signal);
  const format = detectFormat(filePath);
  if (!format) {
    const extension = path.extname(filePath);
    throw documentError(
      ErrorCode.DocumentUnsupported,
      `${name} is not a supported document type (${extension ? `${extension} files` : 'no file extension'}). Supported: PDF, Word (.docx), EPUB, HTML, Markdown, plain text, source code and pictures of pages (PNG, JPEG, TIFF, WebP).`,
    );
  }

  let size: number;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw documentError(ErrorCode.DocumentUnreadable, `${name} is not a file.`);
    size = stat.size;
  } catch (error) {
    throw unreadable(error, name);
  }
  if (size === 0) throw documentError(ErrorCode.DocumentNoText, `${name} is empty.`);
  if (size > maxBytes) throw tooLarge(name, size, maxBytes);
  return { name, format, size };
}

/**
 * Reads a checked file of a parsed format whole and runs its loader (see each loader for its format). What
 * the loader throws is passed on as is: the caller maps it to an AssistantError once.
 */
export async function parseDocument(filePath: string, file: CheckedFile & { format: ParsedFormat }, options: LoadDocumentOptions): Promise<ExtractedDocument> {
  const { signal, maxBytes } = options;
  const { name, format } = file;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(filePath, { signal });
  } catch (error) {
    throw unreadable(error, name, signal);
  }
  // The file may have changed since checkFile.
  if (bytes.length === 0) throw documentError(ErrorCode.DocumentNoText, `${name} is empty.`);
  if (bytes.length > maxBytes) throw tooLarge(name, bytes.length, maxBytes);
  throwIfAborted(signal);
  if (textual.has(format) && (await isBinaryFile(bytes, bytes.length))) {
    throw documentError(ErrorCode.DocumentInvalid, `${name} is a binary file, not text.`);
  }
  const ocr = options.ocr ? createOcrReader(name, options.ocr) : undefined;
  const document = await loaders[format]({ bytes, name, filePath, signal, ocr });
  throwIfAborted(signal);
  return document;
}

function tooLarge(name: string, size: number, maxBytes: number) {
  return documentError(ErrorCode.DocumentTooLarge, sizeLimitReason(name, size, maxBytes));
}
