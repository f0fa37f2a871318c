import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * Small things a new user trips over: the page's icon, plurals, Markdown backticks in an error, a very
 * long message, the audit viewer's rows and kind filter, secret boxes that cannot be used, and a tab
 * closed in the middle of an answer.
 */

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);

test.describe('with the tiny model', () => {
  test.skip(!hasTinyModel, 'e2e/smallThings.spec.ts needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');
  let app: ServedApp;
  test.beforeAll(async () => {
    // No keychain (a D-Bus address that leads nowhere): the secret boxes are disabled.
    app = await serveApp({ env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('loads without a failed request (the icon is served), and says "1 thread"', async ({ page }) => {
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') failed.push(message.text());
    });
    await page.goto(app.url);
    await expect(page.getByRole('status').first()).toContainText('Ready');
    await expect(page.getByRole('status').first()).toContainText(/\b1 thread\b(?!s)/);
    const icon = await page.request.get(new URL('/favicon.ico', app.url).href);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\//);
    expect((await page.request.get(new URL('/favicon.svg', app.url).href)).status()).toBe(200);
    expect(failed).toEqual([]);
  });

  test('a 36,000-character message is shown collapsed, with Show more and Show less', async ({ page }) => {
    await page.goto(app.url);
    const long = `${'All work and no play makes Jack a dull boy. '.repeat(818)}The end.`;
    expect(long.length).toBeGreaterThanOrEqual(36_000);
    await page.getByRole('textbox', { name: 'Message' }).fill(long);
    await page.getByRole('button', { name: 'Send' }).click();
    const message = page.getByRole('log').locator('.message-user').last();
    const text = message.locator('.message-text');
    const more = message.getByRole('button', { name: 'Show more' });
    await expect(more).toBeVisible({ timeout: 30_000 });
    expect((await text.textContent())!.length).toBeLessThan(1_500);
    await expect(text).not.toContainText('The end.');
    await page.screenshot({ path: test.info().outputPath('long-message-collapsed.png') });
    await more.click();
    await expect(text).toContainText('The end.');
    expect((await text.textContent())!.length).toBe(long.length);
    await message.getByRole('button', { name: 'Show less' }).click();
    await expect(text).not.toContainText('The end.');
  });

  test('audit rows open to show their details, and the kind filter takes plain clicks', async ({ page }) => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Audit log' }).click();
    const table = dialog.getByRole('table');
    await expect(table.getByRole('row').nth(1)).toBeVisible();

    // The viewer follows the log live: new rows may arrive above, so the entry is found by its number.
    const name = await table.getByRole('button', { name: /^Details of entry \d+$/ }).last().getAttribute('aria-label');
    const first = table.getByRole('button', { name: name!, exact: true });
    await first.click();
    await expect(first).toHaveAttribute('aria-expanded', 'true');
    const details = table.locator('.audit-details').first();
    await expect(details).toContainText('hash');
    await expect(details).toContainText(/[0-9a-f]{64}/);
    // At 800x600 an open row (its 64-character hash) wraps inside the dialog instead of widening the table.
    await page.setViewportSize({ width: 800, height: 600 });
    await expect.poll(() => table.evaluate((element) => element.scrollWidth - element.parentElement!.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: test.info().outputPath('audit-row-open.png') });
    await first.click();
    await expect(table.locator('.audit-details')).toHaveCount(0);

    // Two kinds by two plain clicks, then Filter: only those kinds are listed.
    await dialog.getByRole('checkbox', { name: 'app.start' }).click();
    await dialog.getByRole('checkbox', { name: 'settings.changed' }).click();
    await dialog.getByRole('button', { name: 'Filter' }).click();
    await expect(table.locator('tbody tr td:nth-child(3)').first()).toBeVisible();
    // The unfiltered list has app.start too: poll until every row is one of the two kinds.
    const kinds = async () => new Set(await table.locator('tbody tr td:nth-child(3)').allTextContents());
    await expect.poll(async () => {
      const shown = await kinds();
      return shown.has('app.start') && [...shown].every((kind) => kind === 'app.start' || kind === 'settings.changed');
    }).toBe(true);
  });

  test('secret boxes that cannot be used look disabled', async ({ page }) => {
    const secrets = await app.client.call('secrets.getState', {});
    test.skip(secrets.backend !== 'unavailable', 'the keychain answered despite the broken D-Bus address');
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Secrets' }).click();
    const box = dialog.locator('.secret-row input').first();
    await expect(box).toBeDisabled();
    const style = await box.evaluate((input) => {
      const computed = getComputedStyle(input);
      return { cursor: computed.cursor, border: computed.borderStyle, background: computed.backgroundColor, page: getComputedStyle(document.body).backgroundColor };
    });
    expect(style.cursor).toBe('not-allowed');
    expect(style.border).toBe('dashed');
    expect(style.background).not.toBe(style.page);
    await page.screenshot({ path: test.info().outputPath('secrets-disabled.png') });
  });

  test('closing the tab before the answer starts leaves no empty "Stopped" reply', async ({ browser }) => {
    await app.client.call('settings.update', { maxTokens: 4000 });
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByRole('textbox', { name: 'Message' }).fill('Closed at once');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.close();
    const stored = async () => {
      const conversation = (await app.client.call('conversations.list', {})).find((c) => c.title === 'Closed at once');
      return conversation ? (await app.client.call('conversations.get', { id: conversation.id })).messages : [];
    };
    // The turn has ended once no reply is streaming.
    await expect.poll(async () => (await stored()).some((m) => m.status === 'streaming') || (await stored()).length === 0, { timeout: 30_000 }).toBe(false);
    const replies = (await stored()).filter((m) => m.role === 'assistant');
    // Either the partial text, or no reply at all: never an empty one.
    for (const reply of replies) expect(reply.text.length).toBeGreaterThan(0);
    await app.client.call('settings.update', { maxTokens: 256 });
  });
});

test.describe('without a model', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp({ modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-models-')) });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('an error bubble shows `backticks` as code', async ({ page }) => {
    await page.goto(app.url);
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    const bubble = page.getByRole('log').locator('.message-error');
    await expect(bubble).toContainText('No chat model is installed');
    await expect(bubble.locator('code')).toHaveText('npm run assistant -- models pull qwen2.5-1.5b-instruct-q4_k_m');
    await expect(bubble).not.toContainText('`');
  });
});

