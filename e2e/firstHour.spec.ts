import { expect, test } from '@playwright/test';
import { screenshotBothSizes } from './support/screenshots.js';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * Issue 13's first hour, in the browser: where focus starts and goes, and a refused access token (a wrong
 * link, or a tab kept open across a restart) said plainly instead of retried for ever.
 */


test.describe('focus', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serveApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('the message box has focus on load and after deleting a conversation; Tab goes sidebar, header, conversation, composer', async ({ page }) => {
    await app.client.call('conversations.create', { title: 'Old notes' });
    await page.goto(app.url);
    const message = page.getByRole('textbox', { name: 'Message' });
    await expect(page.getByRole('button', { name: 'Old notes', exact: true })).toBeVisible();
    await expect(message).toBeFocused();

    // Typing goes into the message box at once.
    await page.keyboard.type('hello');
    await expect(message).toHaveValue('hello');

    // Tab order from the top of the page: the sidebar, then the header, then the conversation, then the composer.
    const regions: string[] = [];
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const region = await page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) return 'none';
        if (element.closest('.sidebar')) return 'sidebar';
        if (element.closest('header')) return 'header';
        if (element.closest('.composer')) return 'composer';
        if (element.closest('main')) return 'conversation';
        return 'other';
      });
      if (regions.at(-1) !== region) regions.push(region);
      if (region === 'composer') break;
    }
    const order = regions.filter((region) => region !== 'conversation' || regions.includes('header'));
    expect(order.indexOf('sidebar')).toBe(0);
    expect(order.indexOf('header')).toBeGreaterThan(order.indexOf('sidebar'));
    expect(order.at(-1)).toBe('composer');
    expect(order.indexOf('composer')).toBeGreaterThan(order.indexOf('header'));

    // Deleting a conversation: its row is gone, focus goes back to the message box, not the page.
    await page.getByRole('button', { name: 'Delete "Old notes"' }).click();
    await page.getByRole('group', { name: 'Delete "Old notes"?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Old notes', exact: true })).toHaveCount(0);
    await expect(message).toBeFocused();
    await screenshotBothSizes(page, 'focus-after-delete');
  });
});

test.describe('a refused access token', () => {
  test('a wrong token says what happened and what to do, and is not retried', async ({ page }) => {
    const app = await serveApp();
    try {
      // Counted in the page, and time run forward on the page's clock: no waiting on the wall clock.
      await page.addInitScript(() => {
        const counted = window as unknown as { socketCount: number };
        counted.socketCount = 0;
        const Native = window.WebSocket;
        window.WebSocket = class extends Native {
          constructor(...args: ConstructorParameters<typeof WebSocket>) {
            super(...args);
            counted.socketCount++;
          }
        };
      });
      await page.clock.install();
      const sockets = () => page.evaluate(() => (window as unknown as { socketCount: number }).socketCount);
      const url = new URL(app.url);
      url.searchParams.set('token', 'not-the-token');
      await page.goto(url.toString());
      const alert = page.getByRole('alert');
      await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
      await expect(alert).toContainText('Open the link it printed in its terminal');
      await expect(page.getByText('Retrying automatically')).toHaveCount(0);
      await screenshotBothSizes(page, 'token-refused');
      const attempts = await sockets();
      expect(attempts).toBeGreaterThan(0);
      // Longer than the first retry delays (1 s, 2 s): a refused token is not tried again.
      await page.clock.runFor(3_500);
      expect(await sockets()).toBe(attempts);
    } finally {
      await app.stop();
    }
  });

  test('a tab kept open across a restart (new token) says to open the new link', async ({ page }) => {
    const first = await serveApp();
    const port = Number(new URL(first.url).port);
    let firstRunning = true;
    let second: ServedApp | undefined;
    try {
      await page.goto(first.url);
      await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
      await expect(page.getByRole('status').first()).toContainText('Model');
      await first.stop();
      firstRunning = false;
      // Meanwhile a search says nothing can answer it, rather than "Searching…" for ever.
      await page.getByRole('searchbox', { name: 'Search conversations' }).fill('notes');
      const results = page.getByRole('region', { name: 'Search results' });
      await expect(results).toContainText('Not connected.');
      await expect(results.getByRole('heading')).not.toHaveText('Searching…');
      await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
      second = await serveApp({ port, home: first.home });
      const banner = page.getByRole('alert').filter({ hasText: 'no longer accepts' });
      await expect(banner).toContainText('it was restarted', { timeout: 30_000 });
      await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
      await screenshotBothSizes(page, 'token-refused-after-restart');
    } finally {
      if (firstRunning) await first.stop();
      await second?.stop();
    }
  });
});
