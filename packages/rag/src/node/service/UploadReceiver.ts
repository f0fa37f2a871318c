import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type AddDocumentsResult, AssistantError, ErrorCode, type UploadSliceResult, type uploadSliceSchema } from '@assistant/core';
import type { Logger } from '@assistant/core/node';
import type { z } from 'zod';
import { sizeLimitReason } from '../loaders/sizeLimit.js';

type UploadSlice = z.output<typeof uploadSliceSchema>;

export interface UploadReceiverOptions {
  /** Where uploaded copies are kept: `<folder>/<key>/<name>`, partial ones in `<folder>/.partial`. */
  folder: string;
  maxBytes(): number;
  /** Adds a completed copy like a dropped file. */
  add(filePath: string, signal?: AbortSignal): Promise<AddDocumentsResult>;
  /** Whether any document still refers to this stored copy. */
  isReferenced(filePath: string): boolean;
  logger: Logger;
}

interface Partial {
  file: string;
  name: string;
  totalBytes: number;
  received: number;
  /** A slice is being written: slices of one upload arrive one after another, never together. */
  busy: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/** A partial upload nobody continues is deleted after this long. */
const abandonedAfterMs = 10 * 60_000;

/**
 * Browser mode's way in for files: slices in order, appended to a partial file, then moved to a stable place
 * keyed by the name the user dropped (so a changed file with the same name replaces the old version, as a
 * changed file on disk does) and added. Copies no document refers to are deleted.
 */
export class UploadReceiver {
  private readonly partials = new Map<string, Partial>();

  constructor(private readonly options: UploadReceiverOptions) {}

  /** Leftovers of uploads a crash interrupted. */
  async cleanUp(): Promise<void> {
    await fs.rm(this.partialFolder, { recursive: true, force: true });
  }

  async receive(slice: UploadSlice, signal?: AbortSignal): Promise<UploadSliceResult> {
    const name = safeFileName(slice.name);
    let partial = this.partials.get(slice.uploadId);
    if (!partial) {
      if (slice.offset !== 0) throw new AssistantError(ErrorCode.InvalidInput, `offset: the upload ${slice.uploadId} of ${name} is unknown (it may have expired); start again from offset 0.`);
      const maxBytes = this.options.maxBytes();
      if (slice.totalBytes > maxBytes) return { receivedBytes: 0, result: { queued: [], skipped: [{ path: name, reason: sizeLimitReason(name, slice.totalBytes, maxBytes), documentId: null }] } };
      await fs.mkdir(this.partialFolder, { recursive: true });
      partial = { file: path.join(this.partialFolder, slice.uploadId), name: slice.name, totalBytes: slice.totalBytes, received: 0, busy: false, timer: this.expiry(slice.uploadId) };
      await fs.writeFile(partial.file, new Uint8Array());
      this.partials.set(slice.uploadId, partial);
    } else {
      clearTimeout(partial.timer);
      partial.timer = this.expiry(slice.uploadId);
    }
    if (partial.busy || slice.offset !== partial.received || slice.totalBytes !== partial.totalBytes || slice.name !== partial.name) {
      await this.drop(slice.uploadId);
      throw new AssistantError(ErrorCode.InvalidInput, `offset: slice of ${name} at byte ${slice.offset} does not continue the upload (at byte ${partial.received} of ${partial.totalBytes}); start again.`);
    }
    const bytes = Buffer.from(slice.dataBase64, 'base64');
    if (partial.received + bytes.length > partial.totalBytes) {
      await this.drop(slice.uploadId);
      throw new AssistantError(ErrorCode.InvalidInput, `dataBase64: ${name} sent more than its totalBytes (${partial.totalBytes}).`);
    }
    partial.busy = true;
    try {
      signal?.throwIfAborted();
      await fs.appendFile(partial.file, bytes);
    } catch (error) {
      await this.drop(slice.uploadId);
      throw error;
    }
    partial.busy = false;
    partial.received += bytes.length;
    if (partial.received < partial.totalBytes) return { receivedBytes: partial.received, result: null };

    clearTimeout(partial.timer);
    this.partials.delete(slice.uploadId);
    const target = this.storedPath(slice.name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(partial.file, target);
    const result = await this.options.add(target, signal);
    // Same bytes as a document under another name: nothing refers to this copy.
    if (!this.options.isReferenced(target)) await this.forget(target);
    return { receivedBytes: partial.received, result };
  }

  /** Deletes a stored copy (and its folder) once no document refers to it; other paths are left alone. */
  async forget(filePath: string): Promise<void> {
    const folder = path.dirname(filePath);
    if (path.dirname(folder) !== this.options.folder || this.options.isReferenced(filePath)) return;
    await fs.rm(folder, { recursive: true, force: true }).catch((error) => this.options.logger.warn('upload copy not deleted', { file: filePath, error: String(error) }));
  }

  async dispose(): Promise<void> {
    for (const id of [...this.partials.keys()]) await this.drop(id);
  }

  private get partialFolder(): string {
    return path.join(this.options.folder, '.partial');
  }

  /** One folder per dropped name (its path inside a dropped folder), holding the file under its own name. */
  private storedPath(name: string): string {
    const key = createHash('sha256').update(name).digest('hex').slice(0, 16);
    return path.join(this.options.folder, key, safeFileName(name));
  }

  private expiry(uploadId: string): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => void this.drop(uploadId), abandonedAfterMs);
    timer.unref?.();
    return timer;
  }

  private async drop(uploadId: string): Promise<void> {
    const partial = this.partials.get(uploadId);
    if (!partial) return;
    clearTimeout(partial.timer);
    this.partials.delete(uploadId);
    await fs.rm(partial.file, { force: true });
  }
}

/** A browser-supplied name made safe as a file name on every OS: no folders, reserved or control characters. */
export function safeFileName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/'));
  const cleaned = [...base].map((char) => (char.charCodeAt(0) < 32 || '/:*?"<>|'.includes(char) ? '_' : char)).join('');
  return cleaned.replace(/^\.+/, '').slice(0, 200) || 'document';
}
