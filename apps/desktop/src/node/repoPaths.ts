import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root when running from source or from apps/desktop/out (walks up to the workspace root). */
export function findRepoRoot(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, 'resources', 'models', 'manifest.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the repository root above ${start}.`);
    dir = parent;
  }
}

/** The model manifest: ASSISTANT_MODEL_MANIFEST (an organisation's mirror), else the repository's. */
export const manifestPath = (root?: string): string => process.env.ASSISTANT_MODEL_MANIFEST ?? path.join(root ?? findRepoRoot(), 'resources', 'models', 'manifest.json');
export const rendererDir = (root = findRepoRoot()): string => path.join(root, 'apps', 'desktop', 'out', 'renderer');

export function appVersion(root = findRepoRoot()): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'apps', 'desktop', 'package.json'), 'utf8')) as { version: string }).version;
}
