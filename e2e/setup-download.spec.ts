import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type ModelServer, startModelServer } from './support/modelServer.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);

const id = 'tiny-stories';
const title = 'Tiny Stories';

test.describe('downloading a model from the setup screen', () => {
  test.skip(!hasTinyModel, 'e2e/setup-download.spec.ts needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let server: ModelServer;
  let manifest: string;
  let app: ServedApp;

  test.beforeAll(async () => {
    server = await startModelServer(tinyModel);
    manifest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'setup-download-')), 'manifest.json');
    const file = { path: 'stories260K.gguf', url: server.url, sizeBytes: 1_185_376, sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d' };
    const model = { id, kind: 'chat', default: true, title, description: 'A 260K-parameter story model, served from loopback.', files: [file] };
    fs.writeFileSync(manifest, JSON.stringify({ version: 1, models: [model] }));
  });
  test.afterAll(async () => {
    await server?.close();
  });

  // Each test starts from an empty models folder, as on a first run.
  test.beforeEach(async () => {
    server.mode = 'fast';
    server.requests.length = 0;
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-models-')), env: { ASSISTANT_MODEL_MANIFEST: manifest } });
  });
  test.afterEach(async () => {
    await app?.stop();
  });

  const isInstalled = async () => (await app.client.call('models.list', {})).catalog.find((model) => model.id === id)?.installed;

  test('shows progress, pauses on Cancel, resumes where it stopped, and the model then answers', async ({ page }) => {
    server.mode = 'slow';
    await page.goto(app.url);
    const setup = page.getByRole('heading', { name: 'Set up a chat model' });
    await expect(setup).toBeVisible();
    await page.getByRole('button', { name: `Download ${title}` }).click();

    const bar = page.getByRole('progressbar', { name: `Downloading ${title}` });
    await expect(bar).toHaveAttribute('aria-valuenow', /^[1-9]\d*$/);
    await expect(bar).toHaveAttribute('aria-valuemin', '0');
    await expect(bar).toHaveAttribute('aria-valuemax', '100');
    await expect(page.getByText(/ of 1\.2 MB · \d+%$/)).toBeVisible();
    const screenshot = process.env.SETUP_DOWNLOAD_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot });

    await page.getByRole('button', { name: `Cancel download of ${title}` }).click();
    await expect(page.getByText('Paused. The download resumes where it stopped.')).toBeVisible();
    const pausedAt = Number(await page.getByRole('progressbar', { name: `Paused download of ${title}` }).getAttribute('aria-valuenow'));
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(100);
    expect(await isInstalled()).toBe(false);

    server.mode = 'fast';
    await page.getByRole('button', { name: `Resume download of ${title}` }).click();
    // The host verifies the file and publishes the new state: the setup panel goes away by itself.
    await expect(setup).toHaveCount(0, { timeout: 30_000 });
    expect(await isInstalled()).toBe(true);
    expect(server.requests[0]).toEqual({ range: undefined, status: 200 });
    expect(server.requests.at(-1)?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(server.requests.at(-1)?.status).toBe(206);

    // The downloaded model really works.
    await app.client.call('settings.update', { maxTokens: 20 });
    await page.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.getByRole('log').locator('.message-assistant').last();
    await expect(reply.locator('.message-text')).not.toBeEmpty({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
    await expect(reply.locator('.message-error')).toHaveCount(0);
  });

  test('a failing server shows the error inline, and Try again installs the model once it is back', async ({ page }) => {
    server.mode = 'fail';
    await page.goto(app.url);
    await page.getByRole('button', { name: `Download ${title}` }).click();

    const item = page.getByRole('list', { name: 'Models' }).getByRole('listitem').filter({ hasText: title });
    await expect(item.getByRole('alert')).toContainText('503');
    await expect(item.getByRole('progressbar')).toHaveCount(0);

    server.mode = 'fast';
    await item.getByRole('button', { name: `Try again: download ${title}` }).click();
    await expect(page.getByRole('heading', { name: 'Set up a chat model' })).toHaveCount(0, { timeout: 30_000 });
    expect(await isInstalled()).toBe(true);
  });
});
