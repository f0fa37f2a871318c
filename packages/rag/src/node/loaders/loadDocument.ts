import fs from 'node:fs/promises';
import path from 'node:path';
import { isBinaryFile } from 'isbinaryfile';
import { type DocumentFormat, ErrorCode } from '@assistant/core';
import { asDocumentError, displayName, documentError, reasonOf, throwIfAborted } from './DocumentError.js';
import { detectFormat } from './detectFormat.js';
import { sizeLimitReason } from './sizeLimit.js';
import { loadDocx } from './docxLoader.js';
import { loadEpub } from './epubLoader.js';
import { loadHtml } from './htmlLoader.js';
import { loadImage } from './imageLoader.js';
import { loadMarkdown } from './markdownLoader.js';
import { loadPdf } from './pdfLoader.js';
import { loadCode, loadText } from './textLoader.js';
import type { ExtractedDocument, Loader, LoadDocumentOptions } from './types.js';
import { createOcrReader } from '../ocr/OcrReader.js';

export type { ExtractedDocument, ExtractedSection, LoadDocumentOptions } from './types.js';

const loaders: Readonly<Record<DocumentFormat, Loader>> = {
  pdf: loadPdf,
  docx: loadDocx,
  epub: loadEpub,
  html: loadHtml,
  markdown: loadMarkdown,
  text: loadText,
  code: loadCode,
  image: loadImage,
};
const textual = new Set<DocumentFormat>(['html', 'markdown', 'text', 'code']);
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

/**
 * Reads a document and extracts its text as sections (see each loader for its format). Refuses, with an
 * AssistantError whose message names the file: unsupported extensions, missing or unreadable paths,
 * folders, empty files, files over `maxBytes` (checked before reading), binary files with a text
 * extension, damaged, encrypted and text-less documents. Honours `signal` between steps (Cancelled). With
 * `ocr`, scanned pages and pictures are read by OCR.
 */
export async function loadDocument(filePath: string, options: LoadDocumentOptions): Promise<ExtractedDocument> {
  const { signal, maxBytes } = options;
  const { name, format } = await checkFile(filePath, options);

  let bytes: Buffer;
  try {
    bytes = await fs.readFile(filePath, { signal });
  } catch (error) {
    throw unreadable(error, name, signal);
  }
  if (bytes.length === 0) throw documentError(ErrorCode.DocumentNoText, `${name} is empty.`);
  if (bytes.length > maxBytes) throw tooLarge(name, bytes.length, maxBytes);
  throwIfAborted(signal);

  if (textual.has(format) && (await isBinaryFile(bytes, bytes.length))) {
    throw documentError(ErrorCode.DocumentInvalid, `${name} is a binary file, not text.`);
  }

  let document: ExtractedDocument;
  try {
    const ocr = options.ocr ? createOcrReader(name, options.ocr) : undefined;
    document = await loaders[format]({ bytes, name, filePath, signal, ocr });
  } catch (error) {
    throw asDocumentError(error, name, kinds[format], signal);
  }
  throwIfAborted(signal);
  const sections = document.sections.filter((section) => section.text.trim().length > 0);
  if (sections.length === 0) throw documentError(ErrorCode.DocumentNoText, `${name} has no text.`);
  return { ...document, sections };
}

/**
 * The checks before any reading: a supported extension, a file that exists and is neither empty nor over
 * `maxBytes`. Throws an AssistantError naming the file.
 */
export async function checkFile(filePath: string, options: LoadDocumentOptions): Promise<{ name: string; format: DocumentFormat; size: number }> {
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

function tooLarge(name: string, size: number, maxBytes: number) {
  return documentError(ErrorCode.DocumentTooLarge, sizeLimitReason(name, size, maxBytes));
}

/** A read that failed, as the reason a person understands (missing, permission denied, a folder). */
export function unreadable(error: unknown, name: string, signal?: AbortSignal) {
  const abortedOrOurs = asDocumentError(error, name, 'file', signal);
  if (abortedOrOurs.code !== ErrorCode.DocumentInvalid) return abortedOrOurs;
  const code = (error as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT' ? 'it does not exist'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a folder'
    : reasonOf(error);
  return documentError(ErrorCode.DocumentUnreadable, `${name} could not be read: ${why}.`, error);
}
