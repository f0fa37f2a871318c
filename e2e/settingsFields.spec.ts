import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { runCli } from '../test/support/runCli.js';
import { screenshotBothSizes } from './support/screenshots.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * Issue 13's setup and settings, in the browser with a real host: a model imported from a terminal is
 * noticed without a button, settings changed from the command line show up in the open app, model fields
 * offer the installed models, help text shows code, and a remote server needs its URL.
 */

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyFolder = modelsDir ? path.join(modelsDir, 'stories260k') : '';
const hasTinyModel = tinyFolder !== '' && fs.existsSync(path.join(tinyFolder, 'stories260K.gguf'));

async function openSettings(page: Page, section: string) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: section }).click();
  return dialog;
}

test.describe('a model installed from a terminal', () => {
  test.skip(!hasTinyModel, 'e2e/settingsFields.spec.ts needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;
  let emptyModels: string;
  test.beforeAll(async () => {
    // The models folder does not exist yet, as on a first run.
    emptyModels = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'first-run-')), 'models');
    app = await serveApp({ modelsDir: emptyModels });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('is noticed by the open setup screen without pressing anything, and the app says so', async ({ page }) => {
    await page.goto(app.url);
    const setup = page.getByRole('heading', { name: 'Set up a chat model' });
    await expect(setup).toBeVisible();
    await screenshotBothSizes(page, 'setup-before-import');
    expect(runCli(['models', 'import', tinyFolder], { ASSISTANT_HOME: app.home, ASSISTANT_MODELS_DIR: emptyModels })).toMatchObject({ code: 0 });
    await expect(setup).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByRole('status', { name: 'Changed outside this window' })).toContainText('model installed: stories260k/stories260K');
    await expect(page.getByRole('status').first()).toContainText('stories260k/stories260K');
    await screenshotBothSizes(page, 'setup-after-import');
  });
});

test.describe('settings fields', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('model fields offer the installed models of their kind; help shows code', async ({ page }) => {
    test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
    await page.goto(app.url);
    const dialog = await openSettings(page, 'Models');
    const chat = dialog.getByRole('combobox', { name: 'Chat model' });
    await expect(chat.locator('option')).toHaveText(['Automatic: the default or only installed chat model', 'stories260k/stories260K']);
    await expect(dialog.getByRole('combobox', { name: 'Speech-to-text model' }).locator('option')).toHaveText(['Automatic: the default speech-to-text model if installed']);
    // `models list` in the help is code, not raw backticks.
    await expect(dialog.locator('.setting-help code').filter({ hasText: 'models list' }).first()).toBeVisible();
    await expect(dialog.getByText('`models list`')).toHaveCount(0);
    await chat.selectOption('stories260k/stories260K');
    await expect.poll(async () => (await app.client.call('settings.get', {})).chatModel).toBe('stories260k/stories260K');
    await screenshotBothSizes(page, 'settings-models');
    await chat.selectOption('');
    await expect.poll(async () => (await app.client.call('settings.get', {})).chatModel).toBeNull();
  });

  test('a remote server cannot be switched on without its URL; errors name the field by its label', async ({ page }) => {
    await page.goto(app.url);
    const dialog = await openSettings(page, 'Remote backend');
    const url = dialog.getByRole('textbox', { name: 'Server URL' });
    // No promise of a default that does not exist.
    await expect(url).toHaveAttribute('placeholder', 'None: no remote server is used');
    const use = dialog.getByRole('combobox', { name: 'Use a remote server for' });
    await use.selectOption('chat');
    await expect(dialog.getByRole('alert')).toHaveText(/^Use a remote server for needs a Server URL first/);
    expect((await app.client.call('settings.get', {})).remoteUse).toBe('off');
    await expect(use).toHaveValue('off');
    await expect(dialog.getByRole('status').filter({ hasText: 'No remote server is used' })).toBeVisible();
    await screenshotBothSizes(page, 'settings-remote-refused');

    await url.fill('http://127.0.0.1:9/v1');
    await url.press('Enter');
    await expect.poll(async () => (await app.client.call('settings.get', {})).remoteBaseUrl).toBe('http://127.0.0.1:9/v1');
    await use.selectOption('chat');
    await expect.poll(async () => (await app.client.call('settings.get', {})).remoteUse).toBe('chat');
    await expect(dialog.getByRole('alert')).toHaveCount(0);
    await use.selectOption('off');
    await expect.poll(async () => (await app.client.call('settings.get', {})).remoteUse).toBe('off');

    await dialog.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: 'Local API' }).click();
    const port = dialog.getByRole('textbox', { name: 'Port' });
    await port.fill('80');
    await port.press('Enter');
    await expect(dialog.getByRole('alert')).toHaveText('Port must be at least 1024.');
  });

  test('a setting changed from the command line shows up in the open panel, with a notice', async ({ page }) => {
    await page.goto(app.url);
    const dialog = await openSettings(page, 'Documents');
    const topK = dialog.getByRole('textbox', { name: 'Passages per question' });
    await expect(topK).toHaveValue('5');
    expect(runCli(['settings', 'set', 'retrievalTopK', '3'], { ASSISTANT_HOME: app.home, ASSISTANT_MODELS_DIR: modelsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'no-models-')) })).toMatchObject({ code: 0 });
    await expect(topK).toHaveValue('3', { timeout: 20_000 });
    await expect(dialog.getByRole('status', { name: 'Changed outside this window' })).toContainText('Passages per question is now 3');
    await screenshotBothSizes(page, 'settings-changed-outside');
    await page.keyboard.press('Escape');
    // Closed, the notice is on the page; the message box has focus back.
    await expect(page.getByRole('status', { name: 'Changed outside this window' })).toContainText('Passages per question is now 3');
    await screenshotBothSizes(page, 'page-changed-outside');
  });
});
