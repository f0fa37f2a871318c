import fs from 'node:fs/promises';
import path from 'node:path';
import { detectFormat } from '../loaders/detectFormat.js';
import { sizeLimitReason } from '../loaders/sizeLimit.js';

export interface CollectedFile {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

export interface CollectFilesResult {
  files: CollectedFile[];
  skipped: { path: string; reason: string }[];
}

export interface CollectFilesOptions {
  maxBytes: number;
  /** Stops walking folders after this many files. */
  maxFiles?: number;
  signal?: AbortSignal;
}

/** Folders that hold tooling, not documents. */
const ignoredFolders = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'target', 'dist', 'build', '.cache']);

/**
 * Expands dropped paths into the files to ingest. Files given by name get a reason when they are
 * refused; inside folders, files of unsupported types are passed over quietly (a folder of photos with
 * one PDF should not produce a hundred complaints) but counted.
 */
export async function collectFiles(paths: readonly string[], options: CollectFilesOptions): Promise<CollectFilesResult> {
  const result: CollectFilesResult = { files: [], skipped: [] };
  const seen = new Set<string>();
  const maxFiles = options.maxFiles ?? 10_000;
  let unsupportedInFolders = 0;

  const consider = (file: string, sizeBytes: number, mtimeMs: number, explicit: boolean): void => {
    const name = path.basename(file);
    if (!detectFormat(file)) {
      if (explicit) result.skipped.push({ path: file, reason: `${name} is not a supported file type (PDF, DOCX, EPUB, HTML, Markdown, text or source code).` });
      else unsupportedInFolders++;
      return;
    }
    if (sizeBytes === 0) {
      result.skipped.push({ path: file, reason: `${name} is empty.` });
      return;
    }
    if (sizeBytes > options.maxBytes) {
      result.skipped.push({ path: file, reason: sizeLimitReason(name, sizeBytes, options.maxBytes) });
      return;
    }
    result.files.push({ path: file, sizeBytes, mtimeMs });
  };

  const walk = async (folder: string, depth: number): Promise<void> => {
    if (depth > 32 || result.files.length >= maxFiles) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      result.skipped.push({ path: folder, reason: `The folder ${folder} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      if (entry.name.startsWith('.') || result.files.length >= maxFiles) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!ignoredFolders.has(entry.name)) await walk(full, depth + 1);
      } else if (entry.isFile()) {
        const stat = await fs.stat(full).catch(() => null);
        if (stat && !seen.has(full)) {
          seen.add(full);
          consider(full, stat.size, stat.mtimeMs, false);
        }
      }
      // Symbolic links inside folders are not followed: they can loop or leave the folder the user chose.
    }
  };

  for (const given of paths) {
    const absolute = path.resolve(given);
    const stat = await fs.stat(absolute).catch((error: NodeJS.ErrnoException) => error);
    if (stat instanceof Error) {
      const why = stat.code === 'ENOENT' ? 'does not exist' : stat.code === 'EACCES' || stat.code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be read (${stat.code ?? stat.message})`;
      result.skipped.push({ path: absolute, reason: `${absolute} ${why}.` });
      continue;
    }
    if (stat.isDirectory()) await walk(absolute, 0);
    else if (stat.isFile()) {
      if (seen.has(absolute)) continue;
      seen.add(absolute);
      try {
        await fs.access(absolute, fs.constants.R_OK);
      } catch {
        result.skipped.push({ path: absolute, reason: `${path.basename(absolute)} cannot be read (permission denied).` });
        continue;
      }
      consider(absolute, stat.size, stat.mtimeMs, true);
    } else result.skipped.push({ path: absolute, reason: `${absolute} is not a regular file or folder.` });
  }
  if (result.files.length >= maxFiles) result.skipped.push({ path: paths[0] ?? '', reason: `Only the first ${maxFiles} files were added; add the rest in smaller batches.` });
  if (unsupportedInFolders > 0) result.skipped.push({ path: '', reason: `${unsupportedInFolders} file${unsupportedInFolders === 1 ? '' : 's'} of unsupported types in the folders were passed over.` });
  return result;
}

