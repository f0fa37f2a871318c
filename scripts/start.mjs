#!/usr/bin/env node
// `npm start`: build, then launch the Electron app; where the Electron binary is not installed, serve the
// same UI to the browser instead (browser mode), saying so in one sentence.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status === 0;

if (!fs.existsSync(path.join(root, 'node_modules'))) {
  if (!run(process.execPath, [path.join(root, 'scripts', 'setup.mjs')])) process.exit(1);
}
if (!run(bin('electron-vite'), ['build', '--config', 'apps/desktop/electron.vite.config.ts'])) process.exit(1);

function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when the download never happened.
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
const electron = electronBinary();
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
let child;
if (electron && !headless) {
  child = spawn(electron, [path.join(root, 'apps', 'desktop'), ...args], { cwd: root, stdio: 'inherit' });
} else {
  console.log(
    electron
      ? 'There is no display here, so the app is served to your browser instead of opening a window.'
      : 'The Electron binary is not installed (it could not be downloaded), so the app is served to your browser instead.',
  );
  child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps', 'desktop', 'src', 'cli', 'main.ts'), 'serve', ...args], { cwd: root, stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
