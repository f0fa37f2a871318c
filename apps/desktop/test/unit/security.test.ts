import type { Logger } from '@assistant/core/node';
import type { Session, WebContents } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appOrigin, guardAllWebContents, guardPermissions, guardRendererRequests } from '../../src/main/security.js';

// Only `app` is used at module level: it announces every new webContents.
const fake = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  return { app: new EventEmitter() };
});

vi.mock('electron', () => ({ app: fake.app }));

type RequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
type CheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;
type BeforeRequest = (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void;

const builtEntry = 'file:///app/out/renderer/index.html';
const devEntry = 'http://localhost:5173/';
const newLogger = (): Logger => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/** A session that keeps the handlers main installs, so a test can play Chromium's side. */
function fakeSession() {
  const handlers: { request?: RequestHandler; check?: CheckHandler; device?: () => boolean; beforeRequest?: BeforeRequest } = {};
  const session = {
    setPermissionRequestHandler: (handler: RequestHandler) => (handlers.request = handler),
    setPermissionCheckHandler: (handler: CheckHandler) => (handlers.check = handler),
    setDevicePermissionHandler: (handler: () => boolean) => (handlers.device = handler),
    webRequest: { onBeforeRequest: (handler: BeforeRequest) => (handlers.beforeRequest = handler) },
  };
  return { session: session as unknown as Session, handlers };
}
const page = (url: string) => ({ getURL: () => url }) as unknown as WebContents;

describe('appOrigin', () => {
  const built = appOrigin(builtEntry);
  const dev = appOrigin(devEntry);

  it.each([
    [builtEntry, true],
    [`${builtEntry}#/settings`, true],
    [`${builtEntry}?view=chat`, true],
    ['file:///app/out/renderer/other.html', false],
    ['file:///app/out/main/index.html', false],
    ['file://evil.example/app/out/renderer/index.html', false], // a UNC share on Windows: the network
    ['http://localhost:5173/', false],
    ['not a url', false],
  ])('built app: isAppUrl(%s) is %s', (url, expected) => {
    expect(built.isAppUrl(url)).toBe(expected);
  });

  it.each([
    ['file:///app/out/renderer/assets/index-abc.js', true],
    ['file:///app/out/renderer/index.html', true],
    ['file:///app/out/renderer-evil/x.js', false], // same prefix, not the same folder
    ['file:///app/out/renderer/../main/index.js', false],
    ['file:///app/out/renderer/%2e%2e/main/index.js', false],
    ['file:///etc/passwd', false],
    ['file://evil.example/app/out/renderer/assets/x.js', false],
    ['https://example.com/app/out/renderer/x.js', false],
    ['', false],
  ])('built app: isAppResource(%s) is %s', (url, expected) => {
    expect(built.isAppResource(url)).toBe(expected);
  });

  it.each([
    ['http://localhost:5173/', true],
    ['http://localhost:5173/settings?x=1', true],
    ['http://localhost:5173/../../etc/passwd', true], // normalised to a dev-server path
    ['http://localhost:5174/', false],
    ['https://localhost:5173/', false],
    ['http://localhost:5173.evil.example/', false],
    ['http://127.0.0.1:5173/', false],
    ['file:///app/out/renderer/index.html', false],
  ])('dev server: isAppUrl and isAppResource(%s) are %s', (url, expected) => {
    expect(dev.isAppUrl(url)).toBe(expected);
    expect(dev.isAppResource(url)).toBe(expected);
  });
});

describe('guardPermissions', () => {
  const app = page(builtEntry);
  function install() {
    const { session, handlers } = fakeSession();
    const logger = newLogger();
    guardPermissions(session, appOrigin(builtEntry), logger);
    const request = (contents: WebContents, permission: Parameters<RequestHandler>[1], details: object) => {
      const callback = vi.fn();
      handlers.request!(contents, permission, callback, details as Parameters<RequestHandler>[3]);
      expect(callback).toHaveBeenCalledTimes(1);
      return callback.mock.calls[0]![0] as boolean;
    };
    const check = (contents: WebContents | null, permission: string, details: object = {}) =>
      handlers.check!(contents, permission as Parameters<CheckHandler>[1], 'file:///', details as Parameters<CheckHandler>[3]);
    return { request, check, handlers, logger };
  }

  it('grants the app the microphone and clipboard writes, nothing else', () => {
    const { request } = install();
    const from = { requestingUrl: builtEntry };
    expect(request(app, 'media', { ...from, mediaTypes: ['audio'] })).toBe(true);
    expect(request(app, 'clipboard-sanitized-write', from)).toBe(true);
    expect(request(app, 'media', { ...from, mediaTypes: ['video'] })).toBe(false);
    expect(request(app, 'media', { ...from, mediaTypes: ['audio', 'video'] })).toBe(false);
    for (const permission of ['clipboard-read', 'notifications', 'geolocation', 'display-capture', 'openExternal'] as const) {
      expect(request(app, permission, from)).toBe(false);
    }
  });

  it('denies other origins, even inside an app window, and logs the denial', () => {
    const { request, logger } = install();
    const audio = { mediaTypes: ['audio'] };
    expect(request(app, 'media', { ...audio, requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(request(page('https://evil.example/'), 'media', { ...audio, requestingUrl: builtEntry })).toBe(false);
    expect(request(page('https://evil.example/'), 'clipboard-sanitized-write', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(logger.info).toHaveBeenCalledWith('permission denied', { permission: 'media', url: 'https://evil.example/' });
  });

  it('answers permission checks by the same rule', () => {
    const { check } = install();
    expect(check(app, 'media', { mediaType: 'audio' })).toBe(true);
    expect(check(app, 'media', { mediaType: 'video' })).toBe(false);
    expect(check(app, 'clipboard-sanitized-write')).toBe(true);
    expect(check(app, 'clipboard-read')).toBe(false);
    expect(check(app, 'notifications')).toBe(false);
    expect(check(page('https://evil.example/'), 'media', { mediaType: 'audio' })).toBe(false);
    expect(check(page('https://evil.example/'), 'clipboard-sanitized-write')).toBe(false);
    expect(check(null, 'media', { mediaType: 'audio' })).toBe(false);
    expect(check(null, 'clipboard-sanitized-write')).toBe(false);
  });

  it('denies every device (HID, serial, USB)', () => {
    const { handlers } = install();
    expect(handlers.device!()).toBe(false);
  });
});

describe('guardRendererRequests', () => {
  function install(origin: string, devServerUrl?: string, onBlocked?: (host: string) => void) {
    const { session, handlers } = fakeSession();
    const logger = newLogger();
    guardRendererRequests(session, appOrigin(origin), devServerUrl, logger, onBlocked);
    const allowed = (url: string) => {
      const callback = vi.fn();
      handlers.beforeRequest!({ url }, callback);
      expect(callback).toHaveBeenCalledTimes(1);
      return callback.mock.calls[0]![0].cancel === false;
    };
    return { allowed, logger };
  }

  it('lets the built app load its own files and in-memory URLs, never the network', () => {
    const { allowed, logger } = install(builtEntry);
    expect(allowed('file:///app/out/renderer/assets/index.js')).toBe(true);
    expect(allowed('data:image/png;base64,AAAA')).toBe(true);
    expect(allowed('blob:file:///2b1f7c8e')).toBe(true);
    expect(allowed('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(allowed('file:///app/out/main/index.js')).toBe(false);
    expect(allowed('file:///home/user/.ssh/id_rsa')).toBe(false);
    expect(allowed('https://example.com/model.gguf?token=secret')).toBe(false);
    expect(allowed('http://localhost:5173/')).toBe(false); // no dev server in a built app
    expect(allowed('ws://localhost:5173/')).toBe(false);
    expect(allowed('not a url')).toBe(false);
    // The log names where the request went, without its query (which may carry secrets).
    expect(logger.warn).toHaveBeenCalledWith('renderer request blocked', { url: 'https://example.com/model.gguf' });
  });

  it('reports each blocked request to the network gate, with its host', () => {
    const blocked: string[] = [];
    const { allowed } = install(builtEntry, undefined, (host) => blocked.push(host));
    expect(allowed('file:///app/out/renderer/assets/index.js')).toBe(true);
    expect(allowed('https://tracker.example.com/pixel.gif')).toBe(false);
    expect(allowed('wss://cdn.example.org/socket')).toBe(false);
    expect(blocked).toEqual(['tracker.example.com', 'cdn.example.org']);
  });

  it('blocks a file URL with a host, which Windows would open as a UNC share over SMB', () => {
    const renderer = 'file:///C:/Program%20Files/Local%20Voice%20Assistant/resources/app.asar/out/renderer';
    const { allowed } = install(`${renderer}/index.html`);
    expect(allowed(`${renderer}/assets/logo.png`)).toBe(true);
    expect(allowed(`${renderer.replace('file:///', 'file://attacker.example/')}/assets/logo.png`)).toBe(false);
  });

  it('in development, lets the page reach the dev server (HTTP and the hot-reload WebSocket) only', () => {
    const { allowed } = install(devEntry, devEntry);
    expect(allowed('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(allowed('ws://localhost:5173/?token=abc')).toBe(true);
    expect(allowed('http://localhost:5174/')).toBe(false);
    expect(allowed('ws://localhost:5174/')).toBe(false);
    expect(allowed('ftp://localhost:5173/')).toBe(false);
    expect(allowed('https://example.com/')).toBe(false);
    expect(allowed('file:///app/out/renderer/index.html')).toBe(false);
  });
});

describe('guardAllWebContents', () => {
  // Electron's event objects for will-navigate / will-redirect / will-attach-webview.
  const navigation = (url: string, isMainFrame = true) => ({ url, isMainFrame, preventDefault: vi.fn() });

  let contents: InstanceType<typeof import('node:events').EventEmitter> & { setWindowOpenHandler: ReturnType<typeof vi.fn> };
  let logger: Logger;
  beforeEach(async () => {
    const { EventEmitter } = await import('node:events');
    logger = newLogger();
    guardAllWebContents(appOrigin(builtEntry), logger);
    contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.app.emit('web-contents-created', {}, contents);
  });
  afterEach(() => fake.app.removeAllListeners());

  it('denies every window.open, even to the app itself', () => {
    const handler = contents.setWindowOpenHandler.mock.calls[0]![0] as (details: { url: string }) => unknown;
    expect(handler({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(handler({ url: builtEntry })).toEqual({ action: 'deny' });
    expect(logger.info).toHaveBeenCalledWith('window.open denied', { url: 'https://example.com/' });
  });

  it('prevents navigation away from the app', () => {
    const away = navigation('https://example.com/');
    const otherFile = navigation('file:///app/out/renderer/other.html');
    const reload = navigation(`${builtEntry}#/settings`);
    for (const event of [away, otherFile, reload]) contents.emit('will-navigate', event);
    expect(away.preventDefault).toHaveBeenCalled();
    expect(otherFile.preventDefault).toHaveBeenCalled();
    expect(reload.preventDefault).not.toHaveBeenCalled();
  });

  it('prevents top-level redirects away from the app', () => {
    const away = navigation('https://example.com/');
    const home = navigation(builtEntry);
    const subframe = navigation('https://example.com/', false); // subframe loads are the request guard's job
    for (const event of [away, home, subframe]) contents.emit('will-redirect', event);
    expect(away.preventDefault).toHaveBeenCalled();
    expect(home.preventDefault).not.toHaveBeenCalled();
    expect(subframe.preventDefault).not.toHaveBeenCalled();
  });

  it('prevents attaching a <webview>', () => {
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledTimes(1);
  });
});
