import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * A long conversation list in the browser (serve mode, a real host): 60 conversations with long titles,
 * readable (full title on hover, a date, grouped by day) in a wider sidebar that can be resized and
 * collapsed (both remembered); a search box over titles and message text (SQLite FTS5 on the host),
 * with the match highlighted as text; deleting asks inline, never with the browser's confirm().
 */

const modelsDir = process.env.ASSISTANT_MODELS_DIR;
const tinyModel = modelsDir ? path.join(modelsDir, 'stories260k', 'stories260K.gguf') : '';
const hasTinyModel = tinyModel !== '' && fs.existsSync(tinyModel);

const longTitle = (n: number) => `Conversation number ${n} about the irrigation schedule for the vegetable garden this summer`;

let app: ServedApp;

test.beforeAll(async () => {
  app = await serveApp();
  for (let n = 1; n <= 60; n++) await app.client.call('conversations.create', { title: longTitle(n) });
});
test.afterAll(async () => {
  await app?.stop();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
const sidebar = (page: Page) => page.locator('#sidebar');
const width = async (page: Page) => (await sidebar(page).boundingBox())!.width;

test.describe('at 1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('60 long titles: full title on hover, a date on each row, grouped under Today', async ({ page }) => {
    await page.goto(app.url);
    const today = nav(page).getByRole('region', { name: 'Today' });
    await expect(today.getByRole('listitem')).toHaveCount(60);
    const newest = today.getByRole('button', { name: longTitle(60), exact: true });
    // Cut to the sidebar's width, the whole title is still there on hover and for screen readers.
    await expect(newest).toHaveAttribute('title', longTitle(60));
    await expect(newest.locator('time')).toHaveText(/^\d{1,2}:\d{2}/);
    await expect(newest).toHaveAccessibleDescription(/\d{4}/);
    // Wider than the 260 px that cut every title to "Conversation numbe…".
    expect(await width(page)).toBeGreaterThanOrEqual(320);
    await page.screenshot({ path: test.info().outputPath('sixty-conversations-1920.png') });
  });

  test('the sidebar is resized by dragging or with the keyboard, and keeps its width after a reload', async ({ page }) => {
    await page.goto(app.url);
    const handle = page.getByRole('separator', { name: 'Resize the conversation list' });
    const before = await width(page);
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + 200, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => width(page)).toBe(before + 120);
    await handle.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => width(page)).toBe(before + 104);
    await expect(handle).toHaveAttribute('aria-valuenow', String(before + 104));
    await page.reload();
    await expect(nav(page).getByRole('listitem').first()).toBeVisible();
    expect(await width(page)).toBe(before + 104);
    // Double-click: back to the default.
    await page.getByRole('separator', { name: 'Resize the conversation list' }).dblclick();
    await expect.poll(() => width(page)).toBe(before);
  });
});

test.describe('at 800x600', () => {
  test.use({ viewport: { width: 800, height: 600 } });

  test('the sidebar collapses to a rail and stays collapsed after a reload', async ({ page }) => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Hide conversations' }).click();
    await expect(nav(page)).toHaveCount(0);
    expect(await width(page)).toBeLessThan(80);
    await expect(page.getByRole('button', { name: 'Show conversations' })).toBeFocused();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Show conversations' })).toBeVisible();
    await expect(nav(page)).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath('collapsed-800.png') });
    await page.getByRole('button', { name: 'Show conversations' }).click();
    await expect(nav(page).getByRole('listitem')).toHaveCount(60);
    await expect(page.getByRole('button', { name: 'Hide conversations' })).toBeFocused();
  });

  test('deleting a conversation asks inline (never the browser confirm), Escape keeps it', async ({ page }) => {
    page.on('dialog', (dialog) => {
      throw new Error(`A browser dialog was opened: ${dialog.message()}`);
    });
    const { id } = await app.client.call('conversations.create', { title: 'Delete me please' });
    await page.goto(app.url);
    const row = nav(page).getByRole('listitem').filter({ hasText: 'Delete me please' });
    await row.getByRole('button', { name: 'Delete "Delete me please"' }).click();
    const confirm = row.getByRole('group', { name: 'Delete "Delete me please"?' });
    await expect(confirm.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
    await page.screenshot({ path: test.info().outputPath('inline-delete-800.png') });
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(row.getByRole('button', { name: 'Delete "Delete me please"' })).toBeFocused();
    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(row).toHaveCount(0);
    await expect(app.client.call('conversations.get', { id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

test.describe('search at 800x600', () => {
  test.use({ viewport: { width: 800, height: 600 } });
  test.skip(!hasTinyModel, 'e2e/conversationList.spec.ts search needs stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR');

  test('finds conversations by message text and by title, marks the match as text, and takes any input', async ({ page }) => {
    await app.client.call('settings.update', { maxTokens: 4 });
    const said = 'The <b>purple</b> elephant "quietly" crossed the bridge at NEAR(midnight)';
    await app.client.stream('chat.send', { text: said }, { onItem: () => {} });
    const renamed = await app.client.stream('chat.send', { text: 'Soup recipes for a cold evening' }, { onItem: () => {} });
    await app.client.call('conversations.rename', { id: renamed.message.conversationId, title: 'Winter kitchen notebook' });

    await page.goto(app.url);
    const box = page.getByRole('searchbox', { name: 'Search conversations' });
    const results = nav(page).getByRole('region', { name: 'Search results' });

    // Message text, by the start of a word.
    await box.fill('eleph');
    await expect(results.getByRole('listitem')).toHaveCount(1);
    const hit = results.getByRole('listitem').first();
    await expect(hit.getByRole('button', { name: /^The <b>purple<\/b> elephant/ })).toBeVisible();
    await expect(hit.locator('mark')).toHaveText(['elephant']);
    // The message's markup is shown as text, never as HTML.
    await expect(hit.locator('.conversation-snippet')).toContainText('<b>purple</b>');
    await expect(hit.locator('.conversation-snippet b')).toHaveCount(0);
    await expect(page.locator('#conversation-search-status')).toHaveText('1 conversation found');
    await page.screenshot({ path: test.info().outputPath('search-800.png') });

    // A title that no message contains.
    await box.fill('winter notebook');
    await expect(results.getByRole('button', { name: 'Winter kitchen notebook', exact: true })).toBeVisible();
    // The 60 titles, found by two words of them.
    await box.fill('vegetable irrigation');
    await expect(results.getByRole('listitem')).toHaveCount(60);

    // Query syntax is just text: quotes, NEAR(, stars, a lone quote, markup. The status is blank while a
    // search is on its way, so its count is this query's answer; an error would show instead of the count.
    const status = page.locator('#conversation-search-status');
    const odd: [string, number][] = [['"quietly"', 1], ['NEAR(midnight', 1], ['purple*', 1], ['"', 0], ['<img src=x onerror=alert(1)>', 0], ['AND OR NOT', 0]];
    for (const [query, found] of odd) {
      await box.fill(query);
      await expect(status).toHaveText(found === 1 ? '1 conversation found' : `${found} conversations found`);
      const note = results.locator('.sidebar-empty');
      if (found === 0) await expect(note).toHaveText(`No conversation mentions “${query}”.`);
      else await expect(note).toHaveCount(0);
    }
    await box.fill('"quietly" NEAR(midnight');
    await expect(results.getByRole('listitem')).toHaveCount(1);
    await box.fill('nothing-like-this-anywhere');
    await expect(results).toContainText('No conversation mentions “nothing-like-this-anywhere”.');

    // Escape clears the search and brings back the whole list; Enter opens the first result.
    await box.press('Escape');
    await expect(results).toHaveCount(0);
    await expect(nav(page).getByRole('region', { name: 'Today' })).toBeVisible();
    // Enter while the next search is on its way opens nothing: the hits shown are the previous query's.
    await box.fill('elephant');
    await expect(status).toHaveText('1 conversation found');
    await box.fill('winter notebook');
    await box.press('Enter');
    await expect(results.getByRole('button', { name: 'Winter kitchen notebook', exact: true })).toBeVisible();
    await box.press('Escape');
    await expect(nav(page).getByRole('region', { name: 'Today' })).toBeVisible();
    await expect(nav(page).locator('[aria-current="true"]')).toHaveCount(0);
    await box.fill('elephant');
    await expect(results.getByRole('button', { name: /^The <b>purple<\/b> elephant/ })).toBeVisible();
    await box.press('Enter');
    await expect(page.getByRole('log')).toContainText('crossed the bridge');
  });
});
