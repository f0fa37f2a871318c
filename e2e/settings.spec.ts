import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * The settings panel in the browser (serve mode, a real host): opened from the keyboard, a change that
 * persists, an out-of-range value refused inline, export and import with a refused field, and the
 * outbound connections count (zero: nothing left the machine).
 */

let app: ServedApp;

test.beforeAll(async () => {
  app = await serveApp();
});

test.afterAll(async () => {
  await app?.stop();
});

function settingsDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Settings' });
}

async function openGeneration(page: Page) {
  await page.keyboard.press('Control+Comma');
  const dialog = settingsDialog(page);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Generation' }).click();
  return dialog;
}

test('settings: keyboard, persisted change, inline refusal, export/import, zero connections', async ({ page }, testInfo) => {
  await page.goto(app.url);
  // The privacy promise, visible before anything else: no outbound connection this session.
  await expect(page.getByRole('button', { name: /Outbound connections this session: 0/ })).toHaveText('0 connections');

  await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
  let dialog = await openGeneration(page);
  const temperature = dialog.getByRole('textbox', { name: 'Temperature' });
  await temperature.fill('0.3');
  await temperature.press('Enter');
  await expect.poll(async () => (await app.client.call('settings.get', {})).temperature).toBe(0.3);

  // Out of range: refused under the field, naming it; the stored value stays.
  await temperature.fill('5');
  await temperature.press('Enter');
  // Named by its label, not its internal key.
  await expect(dialog.getByRole('alert')).toHaveText('Temperature must be at most 2.');
  await expect(temperature).toHaveAttribute('aria-invalid', 'true');
  expect((await app.client.call('settings.get', {})).temperature).toBe(0.3);
  await page.screenshot({ path: testInfo.outputPath('settings-panel.png') });

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // Back where Ctrl+, was pressed: the message box, which has focus from the start.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();

  // Persisted: a reload reads it back from the host.
  await page.reload();
  dialog = await openGeneration(page);
  await expect(dialog.getByRole('textbox', { name: 'Temperature' })).toHaveValue('0.3');

  // Export downloads the settings JSON.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export' }).click()]);
  const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as Record<string, unknown>;
  expect(exported).toMatchObject({ temperature: 0.3, maxTokens: 1024 });

  // Import a file with one bad field: the rest applies, the refusal is shown with its reason.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'settings-e2e-')), 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ ...exported, maxTokens: 256, retrievalTopK: 99 }, null, 2));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), dialog.getByRole('button', { name: 'Import…' }).click()]);
  await chooser.setFiles(file);
  const report = dialog.getByRole('status', { name: 'Import result' });
  await expect(report).toContainText('except one setting');
  await expect(report).toContainText('Passages per question must be at most 20');
  await expect(dialog.getByRole('textbox', { name: 'Longest reply (tokens)' })).toHaveValue('256');
  await dialog.getByRole('button', { name: 'Documents' }).click();
  // The refused field keeps its value, shown in red, with why the file's value was refused.
  const topK = dialog.getByRole('textbox', { name: 'Passages per question' });
  await expect(topK).toHaveValue('5');
  await expect(topK).toHaveAttribute('aria-invalid', 'true');
  await expect(topK).toHaveAccessibleDescription(/Not imported: 99 from settings\.json \(Passages per question must be at most 20\)\. It keeps 5\./);
  expect(await topK.evaluate((element) => getComputedStyle(element).color)).toBe(await dialog.locator('.setting-error').first().evaluate((element) => getComputedStyle(element).color));
  await page.screenshot({ path: testInfo.outputPath('settings-import-refused.png') });
  expect((await app.client.call('settings.get', {})).retrievalTopK).toBe(5);

  // The network section lists the (zero) connections and holds the offline lock.
  await dialog.getByRole('button', { name: 'Network' }).click();
  await expect(dialog.getByText('No outbound connections this session')).toBeVisible();
  await expect(dialog.getByRole('switch', { name: 'Offline lock' })).toHaveAttribute('aria-checked', 'false');
  await page.screenshot({ path: testInfo.outputPath('settings-network.png') });

  // Secrets: names and state only, the password field never pre-filled.
  await dialog.getByRole('button', { name: 'Secrets' }).click();
  await expect(dialog.getByLabel('Remote server API key')).toHaveValue('');
  await page.screenshot({ path: testInfo.outputPath('settings-secrets.png') });
  await dialog.getByRole('button', { name: 'Audit log' }).click();
  await expect(dialog.getByRole('button', { name: 'Verify' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('settings-audit.png') });
});
