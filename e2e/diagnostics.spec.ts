import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { screenshotBothSizes } from './support/screenshots.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);

/**
 * Settings → Diagnostics in the browser (serve mode, a real host and the tiny model): empty before the
 * first answer, a time-to-first-token row after one, and Refresh picks up an answer given meanwhile.
 */
test.describe('diagnostics in settings', () => {
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp();
    await app.client.call('settings.update', { maxTokens: 12 });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  async function openDiagnostics(page: Page) {
    await page.keyboard.press('Control+Comma');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Diagnostics' }).click();
    await expect(dialog.getByRole('heading', { name: 'Diagnostics' })).toBeVisible();
    return dialog;
  }

  test('shows no answers, then the time to first token of a sent message, and refreshes', async ({ page }) => {
    await page.goto(app.url);
    await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
    let dialog = await openDiagnostics(page);
    await expect(dialog.getByText('No answers yet this session.')).toBeVisible();
    await expect(dialog.getByRole('row', { name: /Inference/ })).toContainText('Closed');
    await screenshotBothSizes(page, 'diagnostics-empty');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByRole('textbox', { name: 'Message' }).fill('Once upon a time');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('log').locator('.message-assistant .message-text').last()).not.toBeEmpty({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });

    dialog = await openDiagnostics(page);
    const ttft = dialog.getByRole('row', { name: /Time to first token/ });
    await expect(ttft).toBeVisible();
    // Median and 95th percentile, each a number with its unit, and a count of one answer.
    await expect(ttft.getByRole('cell').nth(0)).toHaveText(/^\d+(\.\d)? (ms|s)$/);
    await expect(ttft.getByRole('cell').nth(1)).toHaveText(/^\d+(\.\d)? (ms|s)$/);
    await expect(ttft.getByRole('cell').nth(2)).toHaveText('1');
    await expect(dialog.getByText('No answers yet this session.')).toHaveCount(0);
    await screenshotBothSizes(page, 'diagnostics-answered');

    // An answer given elsewhere (another tab) while the section is open: Refresh shows it.
    await app.client.stream('chat.send', { text: 'The dog' }, { onItem: () => {} });
    await dialog.getByRole('button', { name: 'Refresh' }).click();
    await expect(ttft.getByRole('cell').nth(2)).toHaveText('2');
  });
});
