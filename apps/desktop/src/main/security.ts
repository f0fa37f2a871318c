import type { Logger } from '@assistant/core/node';
import { type Session, type WebContents, app } from 'electron';

/** Where the app's own pages come from: the dev server in development, else the built index.html. */
export interface AppOrigin {
  /** The URL the windows load. */
  entryUrl: string;
  /** True for the app's own documents (any path of the dev server; exactly the built file otherwise). */
  isAppUrl(url: string): boolean;
  /** True for what the app's pages may load: the dev server, or files inside the built renderer folder. */
  isAppResource(url: string): boolean;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function appOrigin(entryUrl: string): AppOrigin {
  const entry = new URL(entryUrl);
  const folder = entry.pathname.slice(0, entry.pathname.lastIndexOf('/') + 1);
  const matches = (url: string, file: (pathname: string) => boolean) => {
    const parsed = parse(url);
    if (!parsed) return false;
    // The host too: on Windows, file://host/… is a UNC path, i.e. an SMB request over the network.
    if (entry.protocol === 'file:') return parsed.protocol === 'file:' && parsed.host === entry.host && file(parsed.pathname);
    return parsed.origin === entry.origin;
  };
  return {
    entryUrl,
    isAppUrl: (url) => matches(url, (pathname) => pathname === entry.pathname),
    isAppResource: (url) => matches(url, (pathname) => pathname.startsWith(folder) && !pathname.includes('/../')),
  };
}

/**
 * Permissions: everything is denied except, for the app's own pages, the microphone ('media', audio
 * only) and writing to the clipboard (the Copy buttons of the setup screen; reading stays denied).
 * Checks (synchronous queries such as enumerateDevices) follow the same rule.
 */
export function guardPermissions(session: Session, origin: AppOrigin, logger: Logger): void {
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const audioOnly = 'mediaTypes' in details ? (details.mediaTypes ?? []).every((type) => type === 'audio') : true;
    const allowedPermission = (permission === 'media' && audioOnly) || permission === 'clipboard-sanitized-write';
    const granted = allowedPermission && origin.isAppUrl(details.requestingUrl) && origin.isAppUrl(webContents.getURL());
    if (!granted) logger.info('permission denied', { permission, url: details.requestingUrl });
    callback(granted);
  });
  session.setPermissionCheckHandler((webContents, permission, _requestingOrigin, details) => {
    if (permission === 'clipboard-sanitized-write') return webContents !== null && origin.isAppUrl(webContents.getURL());
    if (permission !== 'media' || details.mediaType === 'video') return false;
    return webContents !== null && origin.isAppUrl(webContents.getURL());
  });
  session.setDevicePermissionHandler(() => false);
}

/**
 * The renderer's egress guard: its requests may reach the app's own files (and the dev server in
 * development), never the network. Remote backends and model downloads run in the host, under its
 * network gate, not in the page; a blocked request is reported to that gate through `onBlocked`.
 */
export function guardRendererRequests(session: Session, origin: AppOrigin, devServerUrl: string | undefined, logger: Logger, onBlocked?: (host: string) => void): void {
  const inMemory = new Set(['data:', 'blob:', 'devtools:']);
  const dev = devServerUrl ? parse(devServerUrl) : null;
  session.webRequest.onBeforeRequest((details, callback) => {
    const url = parse(details.url);
    const allowed =
      url !== null &&
      (inMemory.has(url.protocol) ||
        origin.isAppResource(details.url) ||
        // Vite's client keeps a WebSocket to the dev server for hot reload.
        (dev !== null && url.host === dev.host && /^(https?|wss?):$/.test(url.protocol)));
    if (!allowed) {
      logger.warn('renderer request blocked', { url: url ? `${url.protocol}//${url.host}${url.pathname}` : details.url.slice(0, 200) });
      // Counted with the host's outbound attempts, so the UI's "connections this session" includes it.
      onBlocked?.(url?.host || url?.protocol || 'unknown');
    }
    callback({ cancel: !allowed });
  });
}

/**
 * Every web contents (windows, devtools, anything created later): no new windows, no navigation away
 * from the app, no <webview>. External links are denied, not opened: the page gets no way out.
 */
export function guardAllWebContents(origin: AppOrigin, logger: Logger): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      logger.info('window.open denied', { url });
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      if (origin.isAppUrl(event.url)) return;
      logger.info('navigation denied', { url: event.url });
      event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!event.isMainFrame || origin.isAppUrl(event.url)) return;
      logger.info('redirect denied', { url: event.url });
      event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
