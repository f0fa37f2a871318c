/** Turning dropped or picked files into what the host accepts: real paths (Electron) or bytes (browser). */

import { type AddDocumentsResult, type ContractClient, type HostContract, uploadSliceBytes } from '@assistant/core';

/** What the loaders read (mirrors packages/rag detectFormat), so a folder of videos is not uploaded for nothing. */
const supportedExtensions = new Set(
  (
    'pdf docx epub html htm xhtml md markdown mdown mkd txt text log csv tsv rst adoc org tex srt vtt ' +
    'ts tsx mts cts js jsx mjs cjs py pyi rs go java kt kts scala c h cc cpp cxx hh hpp hxx m mm cs fs vb rb php swift dart ' +
    'lua pl pm r jl hs ml ex exs erl clj zig nim sh bash zsh fish ps1 bat cmd json jsonc yaml yml toml ini cfg conf xml sql ' +
    'graphql proto css scss less vue svelte gradle cmake tf png jpg jpeg tif tiff webp'
  ).split(' '),
);

export const supportedFormatsText = 'PDF, DOCX, EPUB, HTML, Markdown, plain text, source code, and scans or photos of pages (PNG, JPEG, TIFF, WebP)';

export function isSupportedName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && supportedExtensions.has(name.slice(dot + 1).toLowerCase());
}

/** The last path segment, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A file to upload and the name it is shown under (its path inside a dropped folder), or why it could not be read. */
export type PickedFile = { file: File; label: string; error?: undefined } | { file: null; label: string; error: string };

/**
 * Base64 of a file's bytes, in slices: `String.fromCharCode(...bytes)` on megabytes would overflow the
 * stack, and slices a multiple of 3 bytes long encode to base64 that can simply be concatenated.
 */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  const slice = 3 * 8192;
  const parts: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += slice) {
    const part = bytes.subarray(offset, offset + slice);
    let binary = '';
    for (let i = 0; i < part.length; i += 4096) binary += String.fromCharCode(...part.subarray(i, i + 4096));
    parts.push(btoa(binary));
  }
  return parts.join('');
}

/**
 * Browser mode: sends a file's bytes slice by slice (each WebSocket message stays small, whatever the file's
 * size) and returns what the host did with it. The host refuses a file over the size limit at the first slice.
 */
export async function uploadFile(client: ContractClient<HostContract>, file: File, label: string): Promise<AddDocumentsResult> {
  const uploadId = crypto.randomUUID();
  const name = label.slice(-1024);
  for (let offset = 0; ; offset += uploadSliceBytes) {
    const dataBase64 = await fileToBase64(file.slice(offset, offset + uploadSliceBytes));
    const { result } = await client.call('documents.upload', { uploadId, name, totalBytes: file.size, offset, dataBase64 });
    if (result) return result;
    if (offset + uploadSliceBytes >= file.size) throw new Error(`${label}: the assistant did not confirm the upload.`);
  }
}

/**
 * What a drop carried, captured synchronously (a DataTransfer is emptied once the drop event returns):
 * directory entries to walk (browser mode), and the plain files.
 */
export interface DropCapture {
  /** Everything dropped as File objects, folders included (Electron resolves each to its path). */
  all: File[];
  /** Plain files, and directory entries to walk (browser mode). */
  files: File[];
  entries: FileSystemEntry[];
}

export function captureDrop(dataTransfer: DataTransfer): DropCapture {
  const all = Array.from(dataTransfer.files ?? []);
  const files: File[] = [];
  const entries: FileSystemEntry[] = [];
  const items = Array.from(dataTransfer.items ?? []).filter((item) => item.kind === 'file');
  if (items.length === 0) return { all, files: all, entries };
  for (const item of items) {
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) files.push(file);
      else if (entry) entries.push(entry);
    }
  }
  return { all, files, entries };
}

/** Every file under the captured entries (folders walked depth-first, hidden files and folders left out). */
export async function filesFromCapture(capture: DropCapture): Promise<PickedFile[]> {
  const picked: PickedFile[] = capture.files.map((file) => ({ file, label: file.webkitRelativePath || file.name }));
  for (const entry of capture.entries) await walk(entry, picked);
  return picked;
}

/** One unreadable file or folder is reported as such; the rest of the drop goes on. */
async function walk(entry: FileSystemEntry, into: PickedFile[]): Promise<void> {
  if (entry.name.startsWith('.')) return;
  const label = entry.fullPath.replace(/^\//, '') || entry.name;
  try {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      into.push({ file, label });
      return;
    }
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries hands out a batch at a time (100 in Chromium) until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, into);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    into.push({ file: null, label, error: `the browser could not read it (${reason || 'permission denied'})` });
  }
}
