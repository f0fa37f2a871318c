import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);

test.describe('chat in the browser', () => {
  test.skip(!hasTinyModel, 'needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;

  test.beforeAll(async () => {
    app = await serveApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('sends a message and streams the reply token by token', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 800 });
    await page.goto(app.url);
    await expect(page.getByRole('status').first()).toContainText(/ready/i);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Once upon a time there was a cat');
    await page.getByRole('button', { name: 'Send' }).click();

    const log = page.getByRole('log');
    await expect(log).toContainText('Once upon a time there was a cat');
    const reply = log.locator('.message-assistant .message-text').last();
    await expect(reply).not.toBeEmpty({ timeout: 30_000 });
    // Still streaming when the first text shows: the reply grows after that, and Stop is offered.
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeVisible();
    const early = (await reply.textContent())?.length ?? 0;
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
    const final = (await reply.textContent())?.length ?? 0;
    expect(final).toBeGreaterThan(early);
    // The token left the address bar (it lives in session storage for reloads).
    expect(page.url()).not.toContain('token=');
  });

  test('stops a long answer and keeps what was said', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 30_000 });
    await page.goto(app.url);
    await page.getByRole('textbox', { name: 'Message' }).fill('Tell me a very long story');
    await page.keyboard.press('Enter');
    const reply = page.getByRole('log').locator('.message-assistant').last();
    await expect(reply.locator('.message-text')).not.toBeEmpty();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(reply.getByText('Stopped')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0);
    const kept = await reply.locator('.message-text').textContent();
    expect(kept?.length).toBeGreaterThan(0);
  });

  test('a reload finds the conversation with its full history', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 20 });
    await page.goto(app.url);
    await page.getByRole('textbox', { name: 'Message' }).fill('Remember the red balloon');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
    const replyText = await page.getByRole('log').locator('.message-assistant .message-text').last().textContent();

    await page.reload();
    const conversations = page.getByRole('navigation', { name: 'Conversations' });
    await conversations.getByRole('button', { name: 'Remember the red balloon', exact: true }).click();
    const log = page.getByRole('log');
    await expect(log).toContainText('Remember the red balloon');
    await expect(log).toContainText(replyText ?? '');
  });

  test('works from the keyboard alone: new conversation, send, rename', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 10 });
    await page.goto(app.url);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.focus();
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Stop', exact: true })).toHaveCount(0, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Rename "Keyboard only"' }).focus();
    await page.keyboard.press('Enter');
    const title = page.getByRole('textbox', { name: 'New title for "Keyboard only"' });
    // The title box has the row to itself: no action buttons over the end of the title.
    await expect(page.getByRole('button', { name: 'Delete "Keyboard only"' })).toHaveCount(0);
    await title.fill('Renamed by keyboard');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Renamed by keyboard', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Rename "Renamed by keyboard"' })).toBeFocused();
  });
});

test.describe('first run without a model', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'empty-models-')) });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('shows the setup screen with the commands to get a model, and a turn fails in plain words', async ({ page }) => {
    await page.goto(app.url);
    await expect(page.getByRole('heading', { name: 'Set up a chat model' })).toBeVisible();
    await expect(page.getByText('npm run assistant -- models pull qwen2.5-1.5b-instruct-q4_k_m')).toBeVisible();
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText(/No chat model is installed/);
  });

  test('refuses a message over the size limit with a sentence, before sending it, and stays connected', async ({ page }) => {
    await page.goto(app.url);
    const message = page.getByRole('textbox', { name: 'Message' });
    // 4 MiB + 1 byte: as one WebSocket frame this used to close the connection and end the host.
    await message.fill('a'.repeat(4 * 1024 * 1024 + 1));
    await expect(page.getByRole('alert').filter({ hasText: 'characters long' })).toHaveText(/This message is 4,194,305 characters long; a message can hold 200,000\. Shorten it/);
    await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
    await message.press('Enter');
    await expect(page.getByRole('log').locator('.message')).toHaveCount(0);
    await message.fill('Hello?');
    await expect(page.getByRole('alert').filter({ hasText: 'characters long' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText(/No chat model is installed/);
  });

  test('refuses a connection without the token', async ({ page }) => {
    const { origin } = new URL(app.url);
    await page.goto(origin);
    await expect(page.getByRole('heading', { name: 'Open the assistant from its link' })).toBeVisible();
  });
});
