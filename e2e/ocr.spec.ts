import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';
import { makePdf, scannedPage } from '../test/support/ocrFixtures.js';

/**
 * Scans in the browser (serve mode, a real host, real Tesseract): a scanned PDF added with "Add files…"
 * shows "OCR page N of M" while it is read, then its OCR pages; low-quality pages are marked; an answer's
 * source opens a passage that says it was read by OCR. Screenshots at 800x600 and 1920x1080.
 */

const shots = process.env.OCR_SHOTS_DIR;

function documentsPanel(page: Page) {
  return page.getByRole('complementary', { name: 'Documents' });
}

async function shot(page: Page, name: string, testInfo: { outputPath(name: string): string }) {
  await page.screenshot({ path: testInfo.outputPath(name) });
  if (shots) await page.screenshot({ path: path.join(shots, name) });
}

test.describe('scanned documents in the browser', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'no-models-')) });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  for (const size of [
    { width: 800, height: 600 },
    { width: 1920, height: 1080 },
  ]) {
    test(`OCR progress, low-quality pages and the OCR passage at ${size.width}x${size.height}`, async ({ page }, testInfo) => {
      test.setTimeout(240_000);
      await page.setViewportSize(size);
      const name = `letter-${size.width}.pdf`;
      // Other bytes for each size: the same file again would be skipped as already added.
      const pages = [];
      for (let n = 1; n <= 4; n++) pages.push(await scannedPage([`Harbour letter ${size.width}, sheet ${n}.`, `The keeper counted ${n * 7} gulls on sheet ${n}.`, 'The tide came in slowly over the rocks.']));
      const scan = makePdf(pages);
      await app.client.call('settings.update', { ocrMinConfidence: 60 });
      await page.goto(app.url);
      await page.getByRole('button', { name: /^Documents/ }).click();
      await page.getByTestId('add-files-input').setInputFiles({ name, mimeType: 'application/pdf', buffer: scan });
      const row = documentsPanel(page).getByRole('list', { name: 'Your documents' }).getByRole('listitem').filter({ hasText: name });
      const progress = row.getByRole('progressbar');
      await expect(progress).toHaveAttribute('aria-valuetext', /^OCR page [1-4] of 4$/, { timeout: 120_000 });
      await expect(row).toContainText(/OCR page [1-4] of 4/);
      await shot(page, `ocr-progress-${size.width}x${size.height}.png`, testInfo);
      await expect(row).toContainText('Ready', { timeout: 180_000 });
      await expect(row).toContainText('OCR: 4 pages');
      await expect(row.locator('.document-warning')).toHaveCount(0);

      // Every page under the threshold: the panel says so (after the list is loaded again).
      await app.client.call('settings.update', { ocrMinConfidence: 100 });
      await page.reload();
      await page.getByRole('button', { name: /^Documents/ }).click();
      await expect(row).toContainText('Low-quality OCR on pages 1, 2, 3, 4: its text may be misread, so answers from it may be wrong.');
      await shot(page, `ocr-low-quality-${size.width}x${size.height}.png`, testInfo);

      // No chat model: the answer is the passages themselves, with sources that open in the passage view.
      // (On a small window the panel covers the conversation: close it first, as a person would.)
      await documentsPanel(page).getByRole('button', { name: 'Close documents' }).click();
      await page.getByRole('textbox', { name: 'Message' }).fill('How many gulls did the keeper count on sheet 3?');
      await page.getByRole('button', { name: 'Send' }).click();
      const reply = page.getByRole('log').locator('.message-assistant').last();
      const source = reply.getByRole('list', { name: 'Sources' }).getByRole('button', { name: new RegExp(name.replace(/\./g, '\\.')) }).first();
      await expect(source).toBeVisible({ timeout: 60_000 });
      await source.click();
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText(/Read by OCR from a scanned page \(confidence \d+ of 100\): low-quality OCR, words may be misread\./);
      await shot(page, `ocr-passage-${size.width}x${size.height}.png`, testInfo);
      await page.keyboard.press('Escape');
    });
  }
});
