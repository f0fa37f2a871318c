#!/usr/bin/env node
// Installs dependencies, then fetches the Electron binary as a separate, optional step: Electron's own
// postinstall aborts the whole `npm install` when its download fails (offline machines, CI sandboxes),
// and everything except the Electron shell runs without that binary (browser mode).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// `npm install`, not `npm ci`: it installs the locked versions all the same, and npm 11.19 writes lock
// files without other platforms' optional packages (rollup's) and then refuses them in `npm ci`.
const install = spawnSync(npm, ['install', '--no-audit', '--no-fund'], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
});
if (install.status !== 0) process.exit(install.status ?? 1);

const electronInstaller = path.join(root, 'node_modules', 'electron', 'install.js');
if (existsSync(electronInstaller) && !process.env.ASSISTANT_SKIP_ELECTRON) {
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const fetched = spawnSync(process.execPath, [electronInstaller], { cwd: path.dirname(electronInstaller), env, encoding: 'utf8', timeout: 300_000 });
  if (fetched.status !== 0) {
    console.log('The Electron binary could not be downloaded, so `npm start` will serve the app in your browser instead.');
  }
}
