import type { Page } from '@playwright/test';

/**
 * Screenshots at the two sizes every screen is checked at (800x600 and 1920x1080), into UI_SHOTS_DIR when
 * it is set (to look at them); nothing otherwise.
 */
export async function screenshotBothSizes(page: Page, name: string): Promise<void> {
  const folder = process.env.UI_SHOTS_DIR;
  if (!folder) return;
  // The test goes on after the shots: at the size it chose, or it would behave differently with shots on.
  const size = page.viewportSize();
  try {
    for (const [width, height] of [[800, 600], [1920, 1080]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `${folder}/${name}-${width}.png` });
    }
  } finally {
    if (size) await page.setViewportSize(size);
  }
}
