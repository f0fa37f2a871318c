import type { Logger } from '@assistant/core/node';
import { BrowserWindow } from 'electron';

export interface MainWindowOptions {
  /** out/preload/index.cjs */
  preload: string;
  /** The dev server URL or the file URL of out/renderer/index.html. */
  entryUrl: string;
  /** The window's icon (Linux and Windows title bars and task bars): out/renderer/icon.png. */
  icon?: string;
  logger: Logger;
  /** Called before the page starts loading: where the host session is attached. */
  attach(window: BrowserWindow): void;
}

/**
 * A window of the app. The page is untrusted: isolated from the preload, sandboxed, without Node; it
 * reaches the host only through the frozen bridge the preload exposes.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 420,
    minHeight: 360,
    show: false,
    title: 'Local Voice Assistant',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  });

  // Shown once painted, so the user never sees a blank frame; a page that fails to load is shown anyway.
  window.once('ready-to-show', () => window.show());
  window.webContents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (!isMainFrame) return;
    options.logger.error('window failed to load', { errorCode, errorDescription, url: validatedURL });
    if (!window.isDestroyed() && !window.isVisible()) window.show();
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    options.logger.error('renderer process gone', { reason: details.reason, exitCode: details.exitCode });
  });
  window.webContents.on('preload-error', (_event, preloadPath, error) => {
    options.logger.error('preload failed', { preloadPath, error: String(error) });
  });

  options.attach(window);
  void window.loadURL(options.entryUrl).catch((error: unknown) => {
    // did-fail-load has logged it; the promise rejection itself carries nothing more.
    options.logger.debug('loadURL rejected', { error: String(error) });
  });
  return window;
}

/** Brings the window to the front (a second launch of the app focuses the first one). */
export function focusWindow(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}

/**
 * Replays one of the page's own keyboard shortcuts (Ctrl/Cmd+key), so a menu item and its key run the
 * same code in the renderer without a separate command channel. The window must have focus. `key` is
 * lower case: Electron turns an upper-case key code into Shift+key.
 */
export function sendShortcut(window: BrowserWindow, key: string): void {
  if (window.isDestroyed()) return;
  const modifiers: ('meta' | 'control')[] = [process.platform === 'darwin' ? 'meta' : 'control'];
  window.webContents.sendInputEvent({ type: 'keyDown', keyCode: key, modifiers });
  window.webContents.sendInputEvent({ type: 'keyUp', keyCode: key, modifiers });
}
