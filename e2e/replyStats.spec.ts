import fs from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { screenshotBothSizes } from './support/screenshots.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);
const cutOff = 'Cut off at the reply-length limit.';

/** Opens a reply's details (from the keyboard) and returns them. */
async function openDetails(reply: Locator): Promise<Locator> {
  const toggle = reply.getByRole('button', { name: 'Details' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.focus();
  await toggle.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const details = reply.getByRole('list', { name: 'Reply details' });
  await expect(details).toBeVisible();
  return details;
}

/**
 * The figures the details show: first token, prompt tokens evaluated and reused, reply tokens, total, why it
 * ended. Returns the prompt tokens evaluated.
 */
async function expectFigures(details: Locator, ended: RegExp): Promise<number> {
  await expect(details).toContainText(/First token\s*[\d.]+ (ms|s)/);
  await expect(details).toContainText(/Reply\s*[1-9]\d* tokens?/);
  await expect(details).toContainText(/Total\s*[\d.]+ (ms|s)/);
  await expect(details).toContainText(ended);
  const prompt = /Prompt\s*(\d+) tokens? evaluated, \d+ reused from cache/.exec((await details.textContent()) ?? '');
  expect(prompt, 'the prompt tokens line').not.toBeNull();
  return Number(prompt![1]);
}

async function send(page: Page, text: string): Promise<Locator> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.keyboard.press('Enter');
  return page.getByRole('log').locator('.message-assistant').last();
}

test.describe('reply stats and Continue', () => {
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('a reply cut off at the length limit says so, shows its figures, continues in the same bubble, and keeps them after a reload', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 8 });
    await page.goto(app.url);
    await expect(page.getByRole('status').first()).toContainText(/ready/i);
    const reply = await send(page, 'Once upon a time');
    await expect(reply.getByText(cutOff, { exact: true })).toBeVisible({ timeout: 30_000 });
    // The first reply read the whole prompt.
    expect(await expectFigures(await openDetails(reply), /Ended\s*cut off at the reply-length limit/)).toBeGreaterThan(0);
    await screenshotBothSizes(page, 'reply-cut-off-details');

    const text = reply.locator('.message-text');
    const before = (await text.textContent()) ?? '';
    expect(before.length).toBeGreaterThan(0);
    await reply.getByRole('button', { name: 'Continue' }).click();
    // The same bubble grows: still one reply, its text starting with what it said before.
    await expect.poll(async () => ((await text.textContent()) ?? '').length, { timeout: 30_000 }).toBeGreaterThan(before.length);
    expect((await text.textContent()) ?? '').toContain(before.trim());
    await expect(page.getByRole('log').locator('.message-assistant')).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
    // The tiny model never ends on its own within 8 tokens: cut off again, and Continue is offered again.
    await expect(reply.getByText(cutOff, { exact: true })).toBeVisible();
    await expect(reply.getByRole('button', { name: 'Continue' })).toBeEnabled();
    const continued = (await text.textContent()) ?? '';
    // The figures are the continuation's now (details stay open across it).
    const details = reply.getByRole('list', { name: 'Reply details' });
    await expectFigures(details, /Ended\s*cut off at the reply-length limit/);
    const figures = await details.textContent();

    await page.reload();
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Once upon a time', exact: true }).click();
    const stored = page.getByRole('log').locator('.message-assistant').last();
    await expect(stored.locator('.message-text')).toHaveText(continued);
    await expect(stored.getByText(cutOff, { exact: true })).toBeVisible();
    // Stored: the same figures after the reload.
    await expect(await openDetails(stored)).toHaveText(figures!);
    await screenshotBothSizes(page, 'reply-continued-after-reload');
  });

  test('Stop works while a reply continues, and a stopped reply shows its figures', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 8 });
    await page.goto(app.url);
    const reply = await send(page, 'Tell me a very long story');
    await expect(reply.getByText(cutOff, { exact: true })).toBeVisible({ timeout: 30_000 });

    await app.client.call('settings.update', { maxTokens: 30_000 });
    const text = reply.locator('.message-text');
    const before = ((await text.textContent()) ?? '').length;
    await reply.getByRole('button', { name: 'Continue' }).click();
    // While it streams the cut-off note and Continue give way to Stop.
    await expect(reply.getByRole('button', { name: 'Continue' })).toHaveCount(0);
    await expect.poll(async () => ((await text.textContent()) ?? '').length, { timeout: 30_000 }).toBeGreaterThan(before);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(reply.getByText('Stopped', { exact: true })).toBeVisible();
    await expect(reply.getByText(cutOff, { exact: true })).toHaveCount(0);
    await expect(reply.getByRole('button', { name: 'Continue' })).toHaveCount(0);
    await expectFigures(await openDetails(reply), /Ended\s*stopped/);
    await screenshotBothSizes(page, 'reply-stopped-details');
  });
});

test.describe('reply stats without a model', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'empty-models-')) });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('a failed reply shows its figures, as stored', async ({ page }) => {
    await page.goto(app.url);
    const reply = await send(page, 'Hello?');
    await expect(reply).toContainText(/No chat model is installed/);
    const details = await openDetails(reply);
    await expect(details).toContainText(/First token\s*none/);
    await expect(details).toContainText(/Ended\s*failed/);
    await expect(reply.getByRole('button', { name: 'Continue' })).toHaveCount(0);
  });
});
