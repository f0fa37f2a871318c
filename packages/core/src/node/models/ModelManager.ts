import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CatalogModel, InstalledModel, ModelKind, PullProgress } from '../../common/contract/schemas.js';
import { findInstalledModel, modelPathType } from '../../common/findInstalledModel.js';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import type { NetworkGate } from '../network/NetworkGate.js';
import { type Manifest, type ManifestFile, type ManifestModel, expectedSize } from './manifest.js';


export interface ModelManagerOptions {
  modelsDir: string;
  manifest: Manifest;
  network: NetworkGate;
}

export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
}

const partialSuffix = '.partial';
const ggufExtension = '.gguf';

/**
 * Finds installed models, pulls manifest models (progress, resume, verification) and imports local
 * folders for offline machines. Layout: `<modelsDir>/<model id>/<files>`; any other GGUF under the
 * folder is listed by its relative path.
 */
export class ModelManager {
  constructor(private readonly options: ModelManagerOptions) {}

  get modelsDir(): string {
    return this.options.modelsDir;
  }

  catalog(): CatalogModel[] {
    return this.options.manifest.models.map((model) => ({
      id: model.id,
      kind: model.kind,
      title: model.title,
      description: model.description,
      sizeBytes: model.files.reduce((sum, file) => sum + expectedSize(file), 0),
      installed: this.isInstalled(model),
    }));
  }

  /** Installed models: complete manifest models, then every other GGUF found (depth 3). */
  async installed(): Promise<InstalledModel[]> {
    const found: InstalledModel[] = [];
    const claimed = new Set<string>();
    for (const model of this.options.manifest.models) {
      if (!this.isInstalled(model)) continue;
      const folder = this.folderOf(model);
      claimed.add(folder);
      const main = model.files.find((file) => !file.archive) ?? model.files[0]!;
      const mainPath = main.archive ? folder : path.join(folder, main.path);
      found.push({ name: model.id, kinds: [model.kind], path: mainPath, sizeBytes: await sizeOf(mainPath), fromManifest: true });
    }
    for (const file of await findFiles(this.modelsDir, isGguf, 3)) {
      if ([...claimed].some((folder) => file.startsWith(folder + path.sep))) continue;
      const relative = path.relative(this.modelsDir, file);
      found.push({
        name: relative.slice(0, -ggufExtension.length).split(path.sep).join('/'),
        // A GGUF of unknown purpose can serve both; node-llama-cpp loads either way.
        kinds: ['chat', 'embedding'],
        path: file,
        sizeBytes: (await fsp.stat(file)).size,
        fromManifest: false,
      });
    }
    return found;
  }

  /**
   * A fingerprint of what `installed()` reads: which manifest models are complete (their files or archive
   * markers) and every other GGUF with its size and time, so the host notices models copied in by another
   * process. Only the GGUF files are stat'ed, not every file of an unpacked voice model, since this runs
   * every few seconds.
   */
  async fingerprint(): Promise<string> {
    const parts = this.options.manifest.models.map((model) => `${model.id}:${this.isInstalled(model)}`);
    for (const file of await findFiles(this.modelsDir, isGguf, 3)) {
      const stat = await fsp.stat(file).catch(() => null);
      parts.push(`${file}:${stat?.size ?? '?'}:${stat?.mtimeMs ?? '?'}`);
    }
    return parts.join('\n');
  }

  /**
   * The chat model to use: `requested` as a path or a name, else the manifest's default chat model if
   * installed, else the only (or first) installed chat model. Null when none is installed.
   */
  resolveChatModel(requested: string | null | undefined): Promise<InstalledModel | null> {
    return this.resolveModel('chat', requested);
  }

  /**
   * The embedding model: `requested` as a path or a name, else the manifest's default embedding model if
   * installed. Never an arbitrary GGUF: a chat model gives poor embeddings, so keyword search is better.
   */
  resolveEmbeddingModel(requested: string | null | undefined): Promise<InstalledModel | null> {
    return this.resolveModel('embedding', requested);
  }

  /** The manifest's default reranker when it is installed: a cross-encoder that orders passages by relevance. */
  async resolveRerankerModel(): Promise<InstalledModel | null> {
    return this.resolveModel('reranker', null);
  }

  private async resolveModel(kind: 'chat' | 'embedding' | 'reranker', requested: string | null | undefined): Promise<InstalledModel | null> {
    const installed = await this.installed();
    const usable = installed.filter((model) => model.kinds.includes(kind));
    if (requested) {
      const byName = findInstalledModel(installed, kind, requested);
      if (byName) return byName;
      const asPath = path.resolve(requested);
      const stat = await statModelPath(kind, asPath);
      if (stat) return { name: path.basename(asPath).replace(/\.gguf$/i, ''), kinds: [kind], path: asPath, sizeBytes: stat.size, fromManifest: false };
      const names = usable.map((model) => model.name).join(', ') || 'none';
      throw new AssistantError(ErrorCode.ModelNotFound, `No ${kind} model "${requested}": it is neither an installed model nor an existing file. Installed ${kind} models: ${names}.`);
    }
    const preferred = this.options.manifest.models.find((model) => model.kind === kind && model.default);
    const chosen = usable.find((model) => model.name === preferred?.id);
    return chosen ?? (kind === 'chat' ? (usable[0] ?? null) : null);
  }

  async pull(id: string, options: PullOptions = {}): Promise<InstalledModel> {
    const model = this.options.manifest.models.find((candidate) => candidate.id === id);
    if (!model) {
      const ids = this.options.manifest.models.map((candidate) => candidate.id).join(', ');
      throw new AssistantError(ErrorCode.ModelNotFound, `No model "${id}" in the manifest. Known models: ${ids}.`);
    }
    const folder = this.folderOf(model);
    await fsp.mkdir(folder, { recursive: true });
    try {
      for (const file of model.files) {
        if (file.archive && fs.existsSync(archiveMarker(folder, file))) continue;
        if (!file.archive && fs.existsSync(path.join(folder, file.path))) continue;
        const target = file.archive ? path.join(folder, '.downloads', file.path) : path.join(folder, file.path);
        await this.download(model, file, target, options);
        if (file.archive) {
          await extractArchive(target, folder, options.signal);
          await fsp.rm(path.dirname(target), { recursive: true, force: true });
          await fsp.writeFile(archiveMarker(folder, file), new Date().toISOString());
        }
      }
    } catch (error) {
      // A partial file stays to resume from; a folder that received nothing does not stay to look installed.
      await removeIfEmpty(path.join(folder, '.downloads'));
      await removeIfEmpty(folder);
      throw error;
    }
    const installed = (await this.installed()).find((candidate) => candidate.name === id);
    if (!installed) throw new AssistantError(ErrorCode.DownloadFailed, `Downloaded ${id}, but its files are incomplete.`);
    return installed;
  }

  /**
   * Copies model files from a local folder (a USB stick, another machine's models folder). A folder that
   * holds files becomes one model folder; a folder of folders is imported folder by folder. Files of a
   * manifest model are verified against its sizes and hashes.
   */
  async import(source: string, options: { signal?: AbortSignal } = {}): Promise<InstalledModel[]> {
    const stat = await fsp.stat(source).catch(() => null);
    if (!stat?.isDirectory()) throw new AssistantError(ErrorCode.NotFound, `Cannot import ${source}: it is not a folder.`);
    const entries = await fsp.readdir(source, { withFileTypes: true });
    const folders = entries.some((entry) => entry.isFile()) ? [source] : entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(source, entry.name));
    const manifestPaths = new Map(this.options.manifest.models.flatMap((model) => model.files.map((file) => [file.path, { model, file }] as const)));
    for (const folder of folders) {
      if (options.signal?.aborted) throw cancelledError();
      let destination = path.join(this.modelsDir, path.basename(folder));
      const files = await findFiles(folder, () => true, 4);
      for (const file of files) {
        const relative = path.relative(folder, file);
        const known = manifestPaths.get(relative.split(path.sep).join('/'));
        if (known) {
          await verifyFile(file, known.file);
          destination = this.folderOf(known.model);
        }
      }
      await fsp.mkdir(destination, { recursive: true });
      await fsp.cp(folder, destination, { recursive: true, force: true });
    }
    return this.installed();
  }

  private folderOf(model: ManifestModel): string {
    return path.join(this.modelsDir, model.id);
  }

  private isInstalled(model: ManifestModel): boolean {
    const folder = this.folderOf(model);
    return model.files.every((file) => fs.existsSync(file.archive ? archiveMarker(folder, file) : path.join(folder, file.path)));
  }

  private async download(model: ManifestModel, file: ManifestFile, target: string, options: PullOptions): Promise<void> {
    const partial = target + partialSuffix;
    await fsp.mkdir(path.dirname(target), { recursive: true });
    let offset = (await fsp.stat(partial).catch(() => null))?.size ?? 0;
    if (file.sizeBytes !== null && offset > file.sizeBytes) {
      await fsp.rm(partial, { force: true });
      offset = 0;
    }
    const response = await this.options.network.fetch(file.url, {
      purpose: `model download: ${model.id}`,
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      signal: options.signal,
    });
    if (response.status === 416 && file.sizeBytes !== null && offset === file.sizeBytes) {
      // Already complete: only verification and the rename were left.
    } else {
      if (!response.ok || !response.body) {
        throw new AssistantError(ErrorCode.DownloadFailed, `Downloading ${model.id} failed: ${new URL(file.url).host} answered ${response.status} ${response.statusText}.`.replace(/ \.$/, '.'));
      }
      const resumed = response.status === 206;
      if (!resumed) offset = 0;
      const length = Number(response.headers.get('content-length') ?? 0);
      const total = file.sizeBytes ?? (length ? offset + length : expectedSize(file));
      const received = await writeBody(response.body, partial, { append: resumed, offset, signal: options.signal, onWritten: (bytes) => options.onProgress?.({ model: model.id, file: file.path, receivedBytes: bytes, totalBytes: total }) }).catch((error: unknown) => {
        if (options.signal?.aborted) throw cancelledError();
        const { written, cause } = error as BodyWriteError;
        throw new AssistantError(ErrorCode.DownloadFailed, `Downloading ${model.id} was interrupted after ${written} bytes (${(cause as Error).message}); try again to resume where it stopped.`, { cause });
      });
      if (length && received !== offset + length) {
        throw new AssistantError(ErrorCode.DownloadFailed, `Downloading ${model.id} stopped early (${received} of ${offset + length} bytes); try again to resume where it stopped.`);
      }
    }
    try {
      await verifyFile(partial, file);
    } catch (error) {
      await fsp.rm(partial, { force: true });
      throw error;
    }
    await fsp.rename(partial, target);
  }
}

interface BodyWriteError {
  written: number;
  cause: unknown;
}

/**
 * Writes a download to `target` chunk by chunk: each chunk is on disk before progress reports it, and the
 * file is closed before a failure is reported, so whatever progress said arrived is there to resume from.
 * (A write stream in a pipeline drops its buffered chunks when the source fails.) Resolves to the bytes the
 * file holds; rejects with them.
 */
async function writeBody(body: ReadableStream<Uint8Array>, target: string, options: { append: boolean; offset: number; signal?: AbortSignal; onWritten: (bytes: number) => void }): Promise<number> {
  const handle = await fsp.open(target, options.append ? 'a' : 'w');
  const reader = body.getReader();
  let written = options.offset;
  const abort = () => void reader.cancel().catch(() => {});
  options.signal?.addEventListener('abort', abort, { once: true });
  let failure: BodyWriteError | null = null;
  try {
    options.onWritten(written);
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      await handle.write(value);
      written += value.byteLength;
      options.onWritten(written);
    }
    // A cancelled reader ends like a finished one.
    if (options.signal?.aborted) throw options.signal.reason;
  } catch (cause) {
    failure = { written, cause };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await handle.close();
  }
  if (failure) throw failure;
  return written;
}

async function verifyFile(file: string, expected: ManifestFile): Promise<void> {
  const size = (await fsp.stat(file)).size;
  if (expected.sizeBytes !== null && size !== expected.sizeBytes) {
    throw new AssistantError(ErrorCode.ChecksumMismatch, `${path.basename(file)} has ${size} bytes; ${expected.sizeBytes} were expected.`);
  }
  if (expected.sha256 === null) return;
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  const actual = hash.digest('hex');
  if (actual !== expected.sha256) throw new AssistantError(ErrorCode.ChecksumMismatch, `${path.basename(file)} is corrupt: sha256 ${actual} does not match ${expected.sha256}.`);
}

/** The file (GGUF kinds) or folder (voice kinds) at `target`, or null when there is none of that type. */
export async function statModelPath(kind: ModelKind, target: string): Promise<fs.Stats | null> {
  const stat = await fsp.stat(path.resolve(target)).catch(() => null);
  if (!stat) return null;
  return (modelPathType(kind) === 'file' ? stat.isFile() : stat.isDirectory()) ? stat : null;
}

function archiveMarker(folder: string, file: ManifestFile): string {
  return path.join(folder, `.extracted-${path.basename(file.path)}`);
}

/** bzip2 tarballs are unpacked by the system's tar (GNU tar, or bsdtar on macOS and Windows 10+). */
function extractArchive(archive: string, destination: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xjf', archive, '-C', destination, '--strip-components=1'], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new AssistantError(ErrorCode.DownloadFailed, `Cannot unpack ${path.basename(archive)}: ${error.message}.`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new AssistantError(ErrorCode.DownloadFailed, `Cannot unpack ${path.basename(archive)}: ${stderr.trim() || `tar exited with ${code}`}.`))));
  });
}

async function removeIfEmpty(folder: string): Promise<void> {
  await fsp.rmdir(folder).catch(() => {});
}

async function sizeOf(target: string): Promise<number> {
  const stat = await fsp.stat(target);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const file of await findFiles(target, () => true, 4)) total += (await fsp.stat(file)).size;
  return total;
}

const isGguf = (name: string) => name.toLowerCase().endsWith(ggufExtension);

async function findFiles(folder: string, accept: (name: string) => boolean, depth: number): Promise<string[]> {
  const entries = await fsp.readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && depth > 0) files.push(...(await findFiles(full, accept, depth - 1)));
    else if (entry.isFile() && accept(entry.name) && !entry.name.endsWith(partialSuffix)) files.push(full);
  }
  return files.sort();
}
