// The standing attack suite at small counts (people run the full counts: npm run soak -- ingest-fuzz / kill),
// and the unreadable-file case, which only means something to a user other than root.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIngestFuzz } from '../../soak/ingestFuzz.js';
import { runKillSoak } from '../../soak/killSoak.js';
import { modelFile, tinyChatModelName } from '../support/models.js';
import { repoRoot } from '../support/runCli.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { makeTempDir } from '../support/tempDir.js';

const data = sharedDataDir();

describe('the attack suite at small counts', () => {
  it.skipIf(!data)(`ingest-fuzz: no host crash, none over 60 s, every file with a reason and none misleading, earlier documents intact (${needsSharedData})`, async () => {
    const summary = await runIngestFuzz({ docs: path.join(data!, 'docs'), count: 30, batch: 15, seed: Date.now() % 100_000 });
    expect(summary.files).toBeGreaterThanOrEqual(30);
    expect({ crashes: summary.crashes, over60s: summary.over60s, noReason: summary.noReason, misleading: summary.misleading, intact: summary.intact, integrity: summary.integrity }).toEqual({
      crashes: 0,
      over60s: [],
      noReason: [],
      misleading: [],
      intact: true,
      integrity: 'ok',
    });
  }, 600_000);

  it('kill: kill -9 of the whole process tree mid-ingestion leaves a sound database, nothing half-ingested searchable, and the same final counts', async () => {
    const summary = await runKillSoak({ kills: 2, files: 12, embeddingModel: modelFile(tinyChatModelName), seed: Date.now() % 100_000 });
    expect(summary).toMatchObject({ kills: 2, corrupt: 0, halfIngestedSearchable: 0, sameCounts: true });
    // The second kill waits for a random number of ready documents: at least one kill lands mid-ingestion.
    expect(summary.midIngestion).toBeGreaterThanOrEqual(1);
    expect(summary.final.ready).toBe(12);
  }, 600_000);
});

/** Runs the CLI as a user other than root (`nobody`) when this is root, as itself otherwise. */
function runCliAsUser(args: string[], env: Record<string, string>) {
  const command = [process.execPath, '--import', 'tsx', path.join(repoRoot, 'apps/desktop/src/cli/main.ts'), ...args];
  const asRoot = process.getuid?.() === 0;
  const [file, ...rest] = asRoot ? ['runuser', '-u', 'nobody', '--', ...command] : command;
  return spawnSync(file!, rest, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
}

/** Why `nobody` cannot run the CLI from this checkout (a parent folder closed to others), or null. */
function nobodyCannotRun(): string | null {
  if (process.getuid?.() !== 0) return null;
  const probe = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(path.join(repoRoot, 'node_modules/tsx/package.json'))})`], { encoding: 'utf8' });
  if (probe.error) return `runuser is not available (${probe.error.message})`;
  return probe.status === 0 ? null : `the user nobody cannot read ${repoRoot} (a parent folder is closed to others)`;
}
const cannotRun = process.platform === 'win32' ? 'needs a POSIX system' : nobodyCannotRun();

describe.skipIf(cannotRun !== null)(`an unreadable file (chmod 000), as a user other than root${cannotRun ? ` (skipped: ${cannotRun})` : ''}`, () => {
  it('is refused with "permission denied", and the readable one beside it is ingested', () => {
    const home = makeTempDir('unreadable-home-');
    const docs = makeTempDir('unreadable-docs-');
    fs.writeFileSync(path.join(docs, 'open.md'), '# Open\n\nAnyone may read this file.\n');
    fs.writeFileSync(path.join(docs, 'locked.md'), '# Locked\n\nNobody but root may read this file.\n');
    fs.chmodSync(path.join(docs, 'locked.md'), 0o000);
    fs.chmodSync(docs, 0o755);
    if (process.getuid?.() === 0) fs.chownSync(home, 65534, 65534);
    const result = runCliAsUser(['ingest', docs, '--json'], { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: makeTempDir('no-models-'), HOME: home });
    fs.chmodSync(path.join(docs, 'locked.md'), 0o600);
    expect(result.stderr).not.toMatch(/Error/);
    const summary = JSON.parse(result.stdout) as { ingested: { name: string }[]; skipped: { path: string; reason: string }[]; failed: { path: string; reason: string }[] };
    expect(summary.ingested.map((doc) => doc.name)).toEqual(['open.md']);
    const refused = [...summary.skipped, ...summary.failed].find((entry) => entry.path.endsWith('locked.md'));
    expect(refused?.reason).toMatch(/^locked\.md (could not be read: permission denied|cannot be read \(permission denied\))\.$/);
  }, 150_000);
});
