import { type Page, expect, test } from '@playwright/test';
import { type ServedApp, serveApp } from './support/serveApp.js';

/**
 * The layout in a small window (800x600) and a large one: a two-line header, a voice banner that can be
 * dismissed until what it says changes, and a documents drawer that leaves the header's buttons usable.
 */

let app: ServedApp;
test.beforeAll(async () => {
  app = await serveApp();
});
test.afterAll(async () => {
  await app?.stop();
});

const banner = (page: Page) => page.locator('.voice-banner');

/** The status row is one line: no taller than its tallest item. */
async function statusLines(page: Page): Promise<number> {
  return page.locator('.status-row').evaluate((row) => {
    const items = Array.from(row.children).filter((item) => item.getBoundingClientRect().height > 0);
    const line = Math.max(...items.map((item) => item.getBoundingClientRect().height));
    return Math.round(row.getBoundingClientRect().height / line);
  });
}

for (const [width, height] of [
  [800, 600],
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`the header is two lines at ${width}x${height}: the title row and one status row`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(app.url);
    await expect(page.getByRole('status').first()).toContainText(/Model|No chat model/);
    await expect(page.locator('.status-row')).toBeVisible();
    expect(await statusLines(page)).toBe(1);
    const title = (await page.locator('.main-header-row').boundingBox())!;
    const settings = (await page.getByRole('button', { name: 'Settings' }).boundingBox())!;
    expect(settings.height).toBeGreaterThan(title.height / 2);
    await page.screenshot({ path: test.info().outputPath(`header-${width}.png`) });
  });
}

test.describe('at 800x600', () => {
  test.use({ viewport: { width: 800, height: 600 } });

  test('the voice banner can be dismissed, stays dismissed after a reload, and comes back when voice changes', async ({ page }) => {
    await page.goto(app.url);
    await expect(banner(page)).toHaveAttribute('data-tier', /TTS_ONLY|TEXT_ONLY/, { timeout: 60_000 });
    await banner(page).getByRole('button', { name: 'Dismiss the voice notice' }).click();
    await expect(banner(page)).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
    // Once the voice state has arrived (Hands-free gives its reason, no longer "starting"), it is the
    // same as before, so the banner stays away.
    const handsFree = page.locator('label.voice-toggle', { hasText: 'Hands-free' });
    await expect(handsFree).toHaveAttribute('title', /./);
    await expect(handsFree).not.toHaveAttribute('title', /^(Voice is starting…|Not connected to the assistant\.)$/, { timeout: 60_000 });
    await expect(banner(page)).toHaveCount(0);
    // What it says changes: it is back.
    await app.client.call('voice.microphone', { status: 'denied', detail: 'blocked in the test' });
    await expect(banner(page)).toContainText('microphone access was denied');
    await app.client.call('voice.microphone', { status: 'unknown' });
  });

  test('the documents drawer leaves Settings and Documents usable', async ({ page }) => {
    await page.goto(app.url);
    await page.getByRole('button', { name: /^Documents/ }).click();
    const drawer = page.getByRole('complementary', { name: 'Documents' });
    await expect(drawer).toBeVisible();
    await expect(drawer.getByRole('heading', { name: 'Documents' })).toBeInViewport();
    await page.screenshot({ path: test.info().outputPath('documents-drawer-800.png') });
    // Nothing covers the header's buttons: a click reaches them.
    await page.getByRole('button', { name: 'Settings' }).click({ timeout: 5_000 });
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /^Documents/ }).click({ timeout: 5_000 });
    await expect(drawer).toHaveCount(0);
  });
});
