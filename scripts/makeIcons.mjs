#!/usr/bin/env node
// Renders the app icon from its one source, apps/desktop/src/renderer/public/favicon.svg, into the files
// that need pixels: the window icon (public/icon.png, 256 px), the installers' icon (build/icon.png,
// 512 px: electron-builder makes the .icns and .ico from it) and public/favicon.ico (16, 32 and 48 px
// PNGs in an ICO container, for browsers that ask for /favicon.ico). Run after changing the SVG:
// `node scripts/makeIcons.mjs` (uses the Chromium the e2e tests use).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const publicDir = path.join(root, 'apps/desktop/src/renderer/public');
const svg = fs.readFileSync(path.join(publicDir, 'favicon.svg'), 'utf8');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
async function render(size) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;overflow:hidden;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  const png = await page.screenshot({ omitBackground: true });
  await page.close();
  return png;
}

/** An ICO file whose images are PNGs (understood by every browser and Windows since Vista). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, index) => {
    const entry = 6 + 16 * index;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

try {
  fs.writeFileSync(path.join(publicDir, 'icon.png'), await render(256));
  fs.writeFileSync(path.join(root, 'build/icon.png'), await render(512));
  const small = await Promise.all([16, 32, 48].map(async (size) => ({ size, png: await render(size) })));
  fs.writeFileSync(path.join(publicDir, 'favicon.ico'), ico(small));
} finally {
  await browser.close();
}
