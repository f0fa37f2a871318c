import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from './tempDir.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repoRoot, 'apps/desktop/src/cli/main.ts');

/** Runs `npm run assistant -- ARGS` as a user would (a fresh profile unless ASSISTANT_HOME is given). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ASSISTANT_HOME: makeTempDir('cli-home-'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
