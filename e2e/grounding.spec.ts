import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);
/** Where screenshots go for a person to look at (SHOTS_DIR), if anywhere. */
const shots = process.env.SHOTS_DIR;

const lighthouse =
  '# Lighthouses\n\nThe Fresnel lens concentrates the lamp into a beam visible for twenty nautical miles. Keepers trimmed the wicks every four hours through the night. ' +
  'The first Fresnel lens was installed at the Cordouan lighthouse in 1823. Its beam turned once a minute.\n';

test.describe('answers from documents in the browser', () => {
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-grounding-'));
    fs.writeFileSync(path.join(dir, 'light.md'), lighthouse);
    // A small passage budget: the sentence that answers and little else, so the passage view has context around it.
    await app.client.call('settings.update', { maxTokens: 12, temperature: 0, passageBudget: 80 });
    await app.client.call('documents.add', { paths: [dir] });
    await expect.poll(async () => (await app.client.call('documents.list', {})).every((doc) => doc.status === 'ready'), { timeout: 60_000 }).toBe(true);
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  for (const size of [
    { width: 800, height: 600 },
    { width: 1920, height: 1080 },
  ]) {
    test(`at ${size.width}x${size.height}: a quiet note when no document matches, sources and the span read when one does, keyword search said`, async ({ page }) => {
      await page.setViewportSize(size);
      await page.goto(app.url);
      const message = page.getByRole('textbox', { name: 'Message' });
      const log = page.getByRole('log');

      await message.fill('Tell me a story about a frog');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect(log.locator('.message-assistant').last()).toContainText('No document matched this question.', { timeout: 30_000 });
      await expect(log.locator('.message-assistant').last().locator('.sources')).toHaveCount(0);

      await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
      await message.fill('When was the first Fresnel lens installed?');
      await page.getByRole('button', { name: 'Send' }).click();
      const answer = log.locator('.message-assistant').last();
      await expect(answer.locator('.sources')).toContainText('light.md', { timeout: 30_000 });
      await expect(answer).not.toContainText('No document matched');
      await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
      if (shots) await page.screenshot({ path: path.join(shots, `answer-${size.width}x${size.height}.png`) });

      await answer.locator('.source-open').first().click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.locator('mark.passage-mark').first()).toContainText('1823');
      // The sentence read is highlighted; the rest of the passage is context.
      await expect(dialog.locator('.passage-context').first()).toBeVisible();
      if (shots) await page.screenshot({ path: path.join(shots, `passage-${size.width}x${size.height}.png`) });
      await dialog.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: /documents/i }).first().click();
      await expect(page.locator('.documents-search-note')).toHaveText('Keyword search only: no embedding model is installed.');
      if (shots) await page.screenshot({ path: path.join(shots, `documents-${size.width}x${size.height}.png`) });
    });
  }
});
