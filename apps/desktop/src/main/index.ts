// The Electron main process: a thin shell (windows, menu, permissions, egress guard) around the
// AssistantHost of @assistant/core, which does the work. Built to apps/desktop/out/main/index.js (ESM).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AssistantHost, type LogLevel, createSecretStore, createStderrLogger, outsideChangesIntervalMs, resolveAppPaths } from '@assistant/core/node';
import { createDocumentLibrary } from '@assistant/rag/library';
import { createVoiceLibrary } from '@assistant/voice/library';
import { ingestHeapLimit } from '../node/workerEntries.js';
import { BrowserWindow, app, dialog, session } from 'electron';
import { serveWebContents } from './ipcTransport.js';
import { installApplicationMenu } from './menu.js';
import { registerOpenDocument } from './openDocument.js';
import { safeStorageFallback } from './SafeStorageSecretStore.js';
import { appOrigin, guardAllWebContents, guardPermissions, guardRendererRequests } from './security.js';
import { UtilityProcessLauncher } from './UtilityProcessLauncher.js';
import { registerVoiceHotkey } from './voiceHotkey.js';
import { createMainWindow, focusWindow, sendShortcut } from './window.js';

// This file is out/main/index.js; its siblings are the worker entries, preload and renderer next door.
const mainDir = import.meta.dirname;
const logger = createStderrLogger((process.env.ASSISTANT_LOG_LEVEL as LogLevel | undefined) ?? 'info', 'main');

// An explicit ASSISTANT_HOME (tests, portable setups) also holds Chromium's profile, so such a run is
// isolated from the user's installed app, including its single-instance lock.
const explicitHome = process.env.ASSISTANT_HOME;
if (explicitHome) app.setPath('userData', join(explicitHome, 'electron'));
const paths = resolveAppPaths({ home: explicitHome ?? join(app.getPath('appData'), 'local-voice-assistant') });

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const origin = appOrigin(devServerUrl ?? pathToFileURL(join(mainDir, '..', 'renderer', 'index.html')).href);
// ASSISTANT_MODEL_MANIFEST points at an organisation's mirror; otherwise the packaged copy
// (electron-builder's extraResources) or, from the repository, resources/ at its root.
const manifestFile =
  process.env.ASSISTANT_MODEL_MANIFEST ??
  (app.isPackaged ? join(process.resourcesPath, 'models', 'manifest.json') : join(mainDir, '..', '..', '..', '..', 'resources', 'models', 'manifest.json'));

app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another instance owns this profile: it gets focus (second-instance below) and this one leaves.
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  guardAllWebContents(origin, logger);
  await app.whenReady();
  guardPermissions(session.defaultSession, origin, logger);
  let started: AssistantHost | null = null;
  guardRendererRequests(session.defaultSession, origin, devServerUrl, logger, (host) => started?.network.record(host, 'renderer request', false));

  // Quit waits for the host: workers stop, pending replies are saved, the database closes. Then exit.
  const starting = startHost();
  let stopping = false;
  app.on('before-quit', (event) => {
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    void starting
      .then((running) => running?.dispose())
      .catch((error: unknown) => logger.error('host did not stop cleanly', { error: String(error) }))
      .finally(() => app.exit(0));
  });
  const host = await starting;
  if (!host || stopping) return;
  started = host;

  // Citations in the renderer open their document (PDF at the page) through the preload's openDocument.
  registerOpenDocument({ logger, isAppUrl: (url) => origin.isAppUrl(url) });

  const openWindow = () =>
    createMainWindow({
      preload: join(mainDir, '..', 'preload', 'index.cjs'),
      entryUrl: origin.entryUrl,
      // The renderer's public folder is copied into out/renderer (also its favicon for the browser).
      icon: join(mainDir, '..', 'renderer', 'icon.png'),
      logger,
      attach: (window) => serveWebContents(window.webContents, (transport) => host.connect(transport)),
    });
  let mainWindow = openWindow();

  installApplicationMenu({
    dataFolder: paths.home,
    newConversation: () => {
      const target = BrowserWindow.getFocusedWindow();
      if (target) sendShortcut(target, 'n');
    },
  });
  // Push-to-talk from anywhere; the OS releases the shortcut when the process exits.
  registerVoiceHotkey({ settings: host.settings, target: () => BrowserWindow.getFocusedWindow() ?? (mainWindow.isDestroyed() ? null : mainWindow), logger });
  app.setAboutPanelOptions({ applicationName: 'Local Voice Assistant', applicationVersion: app.getVersion() });

  app.on('second-instance', () => {
    if (mainWindow.isDestroyed()) mainWindow = openWindow();
    focusWindow(mainWindow);
  });
  app.on('activate', () => {
    // macOS: clicking the dock icon with no window open.
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

/** Opens the database and starts the worker preload; on failure, says why in a plain sentence and quits. */
async function startHost(): Promise<AssistantHost | null> {
  try {
    return await AssistantHost.create({
      paths,
      launcher: new UtilityProcessLauncher({ entries: { inference: join(mainDir, 'inferenceWorker.js'), ingest: join(mainDir, 'ingestWorker.js'), voice: join(mainDir, 'voiceWorker.js') }, execArgv: { ingest: [ingestHeapLimit] }, logger }),
      logger,
      manifest: manifestFile,
      version: app.getVersion(),
      preload: true,
      documents: createDocumentLibrary,
      voice: createVoiceLibrary,
      // keytar first; safeStorage (after app ready, which startHost runs after) only where keytar cannot serve.
      secrets: () => createSecretStore({ home: paths.home, fallback: safeStorageFallback(paths.home), logger }),
      // Long-running: picks up what the CLI changes beside it.
      watchIntervalMs: outsideChangesIntervalMs,
    });
  } catch (error) {
    logger.error('host failed to start', { error: String(error) });
    dialog.showErrorBox('Local Voice Assistant could not start', `${error instanceof Error ? error.message : String(error)}\n\nData folder: ${paths.home}`);
    app.exit(1);
    return null;
  }
}
