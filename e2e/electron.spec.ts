// End to end through the real Electron app: main process, preload bridge, renderer, host and the
// inference utility process with a real (tiny) model. Needs `npm run build` first; skips, saying why,
// where the Electron binary or the test model is missing. On a headless Linux box run it under xvfb-run.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { modelsDir, needsTinyModel, tinyChatModel } from '../test/support/models.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const appDir = join(repoRoot, 'apps', 'desktop');
const mainBundle = join(appDir, 'out', 'main', 'index.js');

/**
 * The Electron executable, or null when the npm package is installed without its binary (offline
 * install): `require('electron')` returns the binary's path, and throws when path.txt is missing.
 */
function electronBinary(): string | null {
  try {
    const binary: unknown = createRequire(join(appDir, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const executablePath = electronBinary();

test.describe('desktop app', () => {
  test.skip(
    executablePath === null,
    'Electron binary not installed (offline machine): node_modules/electron/dist is missing; run node node_modules/electron/install.js where the network allows',
  );
  test.skip(!tinyChatModel, needsTinyModel);
  test.skip(
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY,
    'no display: run it under xvfb-run (npm test does when the Electron binary and xvfb-run are installed)',
  );
  test.setTimeout(120_000);

  let home = '';
  test.beforeEach(() => {
    if (!existsSync(mainBundle)) throw new Error(`The app is not built (${mainBundle} is missing). Run \`npm run build\` first.`);
    home = mkdtempSync(join(tmpdir(), 'assistant-e2e-'));
  });
  test.afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('a typed message gets a streamed reply from the local model', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // A dev server URL left in the environment would make the app load it instead of the build.
      if (value !== undefined && key !== 'ELECTRON_RENDERER_URL' && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
    }
    Object.assign(env, { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: modelsDir ?? '', ASSISTANT_LOG_LEVEL: 'warn' });

    const app = await electron.launch({
      executablePath: executablePath ?? undefined,
      // The app folder, not out/main/index.js: Electron then reads apps/desktop/package.json (name,
      // version, "main") as it does for the packaged app.
      // Chromium refuses to run as root with its OS sandbox (CI containers); the renderer keeps
      // Electron's `sandbox: true` either way.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), appDir],
      cwd: repoRoot,
      env,
    });
    try {
      const window = await app.firstWindow();
      const transcript = window.getByRole('log');

      await window.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
      await window.getByRole('button', { name: 'Send' }).click();

      // The user's message, then the assistant's; the log is aria-busy until the reply has finished.
      const messages = transcript.getByRole('article');
      await expect(messages).toHaveCount(2, { timeout: 30_000 });
      await expect(messages.first()).toContainText('Once upon a time');
      await expect(transcript).toHaveAttribute('aria-busy', 'false', { timeout: 90_000 });
      const reply = messages.nth(1);
      await expect(reply).toContainText('Assistant');
      await expect(reply.locator('.message-error')).toHaveCount(0);
      const replyText = ((await reply.innerText()).replace(/^\s*Assistant\s*/, '')).trim();
      expect(replyText.length, 'the assistant replied with some text').toBeGreaterThan(0);
    } finally {
      // Quitting runs the app's before-quit: the host stops its worker and closes the database.
      await app.close();
    }
  });
});
