import fs from 'node:fs';
import { isBinaryFile } from 'isbinaryfile';
import { ErrorCode } from '@assistant/core';
import { documentError, throwIfAborted, unreadable } from './DocumentError.js';
import { bomEncoding, type TextEncoding, TextNormalizer, type TextKind } from './normalizeText.js';

/** Blocks read from a text file at a time: memory is a few of these, whatever the file's size. */
const BLOCK_BYTES = 256 * 1024;

/**
 * The one reader of plain text and source code: yields the file's normalized text block by block (a 200 MB
 * log is never in memory at once). Refuses a binary file; the encoding is a UTF-8/UTF-16 BOM, else strict
 * UTF-8 over the whole file, else Windows-1252. Errors are AssistantErrors naming the file.
 */
export async function* readTextFile(filePath: string, name: string, kind: TextKind, signal: AbortSignal | undefined): AsyncGenerator<string> {
  let binary: boolean;
  try {
    binary = await isBinaryFile(filePath);
  } catch (error) {
    throw unreadable(error, name, signal);
  }
  if (binary) throw documentError(ErrorCode.DocumentInvalid, `${name} is a binary file, not text.`);
  const encoding = await detectEncoding(filePath, name, signal);
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  const normalizer = new TextNormalizer(kind);
  // The UTF-16 BOM is skipped by position, as decodeText does; TextDecoder drops a UTF-8 one by itself.
  const start = encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 0;
  for await (const block of read(filePath, name, signal, start)) yield normalizer.push(decoder.decode(block, { stream: true }));
  yield normalizer.push(decoder.decode());
  normalizer.end();
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
