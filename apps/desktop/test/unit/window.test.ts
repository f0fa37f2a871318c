import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@assistant/core/node';
import { describe, expect, it, vi } from 'vitest';
import { createMainWindow } from '../../src/main/window.js';

// The BrowserWindow's constructor options are what the test reads; Electron itself is not available here.
const fake = vi.hoisted(() => ({ options: [] as Record<string, unknown>[] }));
vi.mock('electron', () => ({
  BrowserWindow: class {
    webContents = { on: () => {} };
    constructor(options: Record<string, unknown>) {
      fake.options.push(options);
    }
    once() {}
    loadURL() {
      return Promise.resolve();
    }
  },
}));

const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const publicDir = path.resolve(import.meta.dirname, '../../src/renderer/public');

describe('the app icon', () => {
  it('is the window icon, and ships as the favicon and the installers’ icon', () => {
    const icon = path.join(publicDir, 'icon.png');
    createMainWindow({ preload: '/p/index.cjs', entryUrl: 'file:///r/index.html', icon, logger, attach: () => {} });
    expect(fake.options[0]).toMatchObject({ icon });
    const png = (file: string) => fs.readFileSync(file).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png(icon)).toBe(true);
    // electron-builder takes build/icon.png (at least 512 px) for the AppImage, deb, dmg and nsis icons.
    const buildIcon = fs.readFileSync(path.resolve(import.meta.dirname, '../../../../build/icon.png'));
    expect(buildIcon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    // An ICO with at least one image: browsers ask for /favicon.ico on their own.
    const ico = fs.readFileSync(path.join(publicDir, 'favicon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4) > 0]).toEqual([0, 1, true]);
  });
});
