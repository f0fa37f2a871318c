// Zip inspection before extraction (DOCX, EPUB). The central directory is read first and the archive is
// refused when what it claims would expand too far; entries are then read through yauzl, which also checks
// that no entry inflates past the size it declared, so a lying directory cannot smuggle a bomb through.
import yauzl from 'yauzl';
import { ErrorCode } from '@assistant/core';
import { asDocumentError, documentError, throwIfAborted } from './DocumentError.js';

export interface ZipLimits {
  /** Refuse when the entries together expand past this many bytes. */
  maxTotalBytes: number;
  /** Refuse archives with more entries than this. */
  maxEntries: number;
  /** Refuse any entry bigger than `ratioMinBytes` whose compression ratio exceeds this. */
  maxRatio: number;
  ratioMinBytes: number;
}

const MB = 1024 * 1024;
export const defaultZipLimits: Readonly<ZipLimits> = Object.freeze({ maxTotalBytes: 512 * MB, maxEntries: 10_000, maxRatio: 200, ratioMinBytes: 10 * MB });

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

export interface ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntryInfo>;
  /** The entry's bytes, or null when there is no such entry. */
  read(name: string): Promise<Buffer | null>;
  /** Inflates every entry once, discarding the bytes: proves the sizes the directory claims are true. */
  verifyAll(): Promise<void>;
  close(): void;
}

export interface OpenZipOptions {
  limits?: Partial<ZipLimits>;
  signal?: AbortSignal;
}

const mb = (bytes: number) => Math.max(1, Math.round(bytes / MB));

/** Opens a zip held in memory after checking its central directory against the zip-bomb limits. */
export async function openZip(bytes: Buffer, name: string, kind: string, options: OpenZipOptions = {}): Promise<ZipArchive> {
  const limits = { ...defaultZipLimits, ...options.limits };
  const { signal } = options;
  throwIfAborted(signal);
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false }, (error, zipFile) =>
        error || !zipFile ? reject(error ?? new Error('no zip file')) : resolve(zipFile),
      ),
    );
  } catch (error) {
    throw asDocumentError(error, name, kind, signal);
  }

  const entries = new Map<string, yauzl.Entry>();
  const infos = new Map<string, ZipEntryInfo>();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw documentError(ErrorCode.DocumentInvalid, `${name} looks like a zip bomb (${zip.entryCount} files inside, more than ${limits.maxEntries}).`);
    }
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          throwIfAborted(signal);
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes) {
            throw documentError(ErrorCode.DocumentInvalid, `${name} looks like a zip bomb (expands to ${mb(total)} MB or more, over ${mb(limits.maxTotalBytes)} MB).`);
          }
          if (entry.uncompressedSize > limits.ratioMinBytes && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
            const ratio = Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize));
            throw documentError(ErrorCode.DocumentInvalid, `${name} looks like a zip bomb (expands to ${mb(entry.uncompressedSize)} MB, ${ratio}:1 compression).`);
          }
          if (!entry.fileName.endsWith('/')) {
            entries.set(entry.fileName, entry);
            infos.set(entry.fileName, { name: entry.fileName, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize });
          }
          zip.readEntry();
        } catch (error) {
          reject(error);
        }
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw asDocumentError(error, name, kind, signal);
  }

  const readEntry = (entry: yauzl.Entry, keep: boolean) =>
    new Promise<Buffer>((resolve, reject) => {
      throwIfAborted(signal);
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error(`cannot read ${entry.fileName}`));
        const parts: Buffer[] = [];
        const onAbort = () => stream.destroy(new DOMException('Aborted', 'AbortError'));
        signal?.addEventListener('abort', onAbort, { once: true });
        stream.on('data', (part: Buffer) => keep && parts.push(part));
        stream.on('error', (streamError) => {
          signal?.removeEventListener('abort', onAbort);
          reject(streamError);
        });
        stream.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(keep ? Buffer.concat(parts) : Buffer.alloc(0));
        });
      });
    });

  return {
    entries: infos,
    async read(entryName) {
      const entry = entries.get(entryName);
      if (!entry) return null;
      try {
        return await readEntry(entry, true);
      } catch (error) {
        throw asDocumentError(error, name, kind, signal);
      }
    },
    async verifyAll() {
      try {
        for (const entry of entries.values()) await readEntry(entry, false);
      } catch (error) {
        throw asDocumentError(error, name, kind, signal);
      }
    },
    close: () => zip.close(),
  };
}
