import { stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@assistant/core/node';
import { BrowserWindow, type IpcMainInvokeEvent, type Session, ipcMain, session, shell } from 'electron';
import { type OpenDocumentResult, openDocumentChannel } from '../shared/bridge.js';

/**
 * "Open the document at this citation" for the Electron renderer. The page is untrusted and main cannot
 * ask the host which paths it told the page about, so a request is honoured only for an existing regular
 * file with a document extension the loaders accept (packages/rag detectFormat). What happens then:
 * - PDFs open in a viewer window of our own (Chromium's PDF viewer at `#page=N`): plugins on for that
 *   window only, sandboxed, no Node, in a separate in-memory session that may load that file and nothing
 *   from the network;
 * - formats the system opens in a reader or editor go to `shell.openPath`;
 * - source files the system might *run* when "opened" (scripts: .js on Windows, .sh, .bat, .py…) are only
 *   shown in their folder.
 */

/** Handed to the system's default application: documents and text that are read, never executed. */
const systemExtensions = new Set([
  '.docx', '.epub', '.html', '.htm', '.xhtml', '.md', '.markdown', '.mdown', '.mkd',
  '.txt', '.text', '.log', '.csv', '.tsv', '.rst', '.adoc', '.org', '.tex', '.srt', '.vtt',
  '.ts', '.tsx', '.mts', '.cts', '.rs', '.go', '.java', '.kt', '.scala', '.c', '.h', '.cc', '.cpp', '.cxx', '.hh', '.hpp', '.hxx',
  '.m', '.mm', '.cs', '.fs', '.swift', '.dart', '.hs', '.ml', '.ex', '.erl', '.clj', '.zig', '.nim',
  '.json', '.jsonc', '.yaml', '.yml', '.toml', '.ini', '.cfg', '.conf', '.xml', '.sql', '.graphql', '.proto',
  '.css', '.scss', '.less', '.vue', '.svelte', '.gradle', '.cmake', '.tf',
]);
/** Supported as documents, but a file association may execute them: shown in the file manager instead. */
const revealExtensions = new Set([
  '.js', '.jsx', '.mjs', '.cjs', '.py', '.pyi', '.rb', '.php', '.pl', '.pm', '.r', '.jl', '.lua', '.vb', '.exs', '.kts',
  '.sh', '.bash', '.zsh', '.fish', '.ps1', '.bat', '.cmd',
]);

export type OpenAction = 'viewer' | 'system' | 'folder';
export type DocumentCheck = { ok: true; path: string; page: number | null; action: OpenAction } | { ok: false; message: string };

const maxPathLength = 4096;
const maxPage = 1_000_000;

/** Validates an open request from the page: shape, an absolute clean path, a supported extension, a regular file. */
export async function checkOpenRequest(request: unknown, statFile: typeof stat = stat): Promise<DocumentCheck> {
  const refuse = (message: string): DocumentCheck => ({ ok: false, message });
  if (typeof request !== 'object' || request === null) return refuse('The request to open a document was malformed.');
  const { path, page } = request as { path?: unknown; page?: unknown };
  if (typeof path !== 'string' || path.length === 0 || path.length > maxPathLength || path.includes('\0')) return refuse('The document path is not valid.');
  if (!isAbsolute(path)) return refuse('The document path is not absolute.');
  // A path the host stored is already normal; `..` segments or doubled separators mean someone made it up.
  if (normalize(path) !== path || path.split(/[\\/]/).includes('..')) return refuse('The document path is not valid.');
  const extension = extname(path).toLowerCase();
  const action: OpenAction | null = extension === '.pdf' ? 'viewer' : systemExtensions.has(extension) ? 'system' : revealExtensions.has(extension) ? 'folder' : null;
  if (!action) return refuse(`"${basename(path)}" is not a document type the assistant opens.`);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await statFile(path);
  } catch {
    return refuse(`"${basename(path)}" is no longer there. It may have been moved or deleted.`);
  }
  if (!info.isFile()) return refuse(`"${basename(path)}" is not a file.`);
  const validPage = typeof page === 'number' && Number.isInteger(page) && page >= 1 && page <= maxPage ? page : null;
  return { ok: true, path, page: validPage, action };
}

/** The file URL a PDF viewer window loads, with Chromium's viewer fragment for the page. */
export function viewerUrl(path: string, page: number | null): string {
  return `${pathToFileURL(path).href}${page ? `#page=${page}` : ''}`;
}

export interface OpenDocumentOptions {
  logger: Logger;
  /** True for the app's own page (see security.ts); other senders are refused. */
  isAppUrl(url: string): boolean;
}

/** Answers the preload's openDocument calls. Returns the unregister function. */
export function registerOpenDocument(options: OpenDocumentOptions): () => void {
  const viewers = new PdfViewers(options.logger);
  ipcMain.handle(openDocumentChannel, (event: IpcMainInvokeEvent, request: unknown) => handleOpenDocument(event, request, options, viewers));
  return () => ipcMain.removeHandler(openDocumentChannel);
}

export async function handleOpenDocument(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  request: unknown,
  options: OpenDocumentOptions,
  viewers: { open(path: string, page: number | null): void },
): Promise<OpenDocumentResult> {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !options.isAppUrl(frame.url)) {
    options.logger.warn('open document refused: not the app page', { url: frame?.url ?? null });
    return { ok: false, message: 'Only the assistant window can open documents.' };
  }
  const check = await checkOpenRequest(request);
  if (!check.ok) {
    options.logger.info('open document refused', { reason: check.message });
    return check;
  }
  try {
    if (check.action === 'viewer') {
      viewers.open(check.path, check.page);
    } else if (check.action === 'system') {
      const failure = await shell.openPath(check.path);
      if (failure) return { ok: false, message: `The system could not open "${basename(check.path)}": ${failure}` };
    } else {
      shell.showItemInFolder(check.path);
    }
    return { ok: true, how: check.action };
  } catch (error) {
    options.logger.error('open document failed', { error: String(error) });
    return { ok: false, message: `"${basename(check.path)}" could not be opened.` };
  }
}

/** One viewer window per PDF; opening another page of an open PDF moves that window there. */
class PdfViewers {
  private readonly windows = new Map<string, BrowserWindow>();
  /** file: URLs (without fragment) the viewer session may load: the PDFs opened so far. */
  private readonly allowed = new Set<string>();
  private viewerSession: Session | null = null;

  constructor(private readonly logger: Logger) {}

  open(path: string, page: number | null): void {
    const url = viewerUrl(path, page);
    this.allowed.add(url.split('#')[0]!);
    const existing = this.windows.get(path);
    if (existing && !existing.isDestroyed()) {
      void existing.loadURL(url).catch(() => {});
      if (existing.isMinimized()) existing.restore();
      existing.focus();
      return;
    }
    const window = new BrowserWindow({
      width: 900,
      height: 1000,
      title: basename(path),
      autoHideMenuBar: true,
      webPreferences: {
        session: this.session(),
        // Chromium's PDF viewer is a plugin: on for this window only, never for the app's window.
        plugins: true,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
      },
    });
    this.windows.set(path, window);
    window.on('closed', () => {
      if (this.windows.get(path) === window) this.windows.delete(path);
    });
    void window.loadURL(url).catch((error: unknown) => this.logger.warn('pdf viewer failed to load', { error: String(error) }));
  }

  /** In memory, separate from the app's session: no permissions, no network, only the opened files. */
  private session(): Session {
    if (this.viewerSession) return this.viewerSession;
    const viewer = session.fromPartition('assistant-pdf-viewer');
    viewer.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    viewer.setPermissionCheckHandler(() => false);
    viewer.setDevicePermissionHandler(() => false);
    const internal = new Set(['chrome-extension:', 'chrome:', 'data:', 'blob:', 'devtools:']);
    viewer.webRequest.onBeforeRequest((details, callback) => {
      let allowed = false;
      try {
        const url = new URL(details.url);
        allowed = internal.has(url.protocol) || (url.protocol === 'file:' && this.allowed.has(`${url.protocol}//${url.host}${url.pathname}`));
      } catch {
        allowed = false;
      }
      if (!allowed) this.logger.warn('pdf viewer request blocked', { url: details.url.slice(0, 200) });
      callback({ cancel: !allowed });
    });
    this.viewerSession = viewer;
    return viewer;
  }
}
