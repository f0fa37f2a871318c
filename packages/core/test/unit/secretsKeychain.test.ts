import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.js';
import { type SecretStore, createSecretStore, loadKeytar } from '../../src/node/index.js';
import { keychainProblem } from '../../../../test/support/keychain.js';

// Against the real OS keychain (gnome-keyring over D-Bus in CI): a fake one would prove nothing about it.
const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const keytarMissing = 'reason' in loadKeytar() ? (loadKeytar() as { reason: string }).reason : null;

const problem = await keychainProblem();

/** Runs createSecretStore in a fresh process with the given environment and reports what it saw. */
function childStore(command: string[], env: NodeJS.ProcessEnv) {
  const script = path.join(tempDir('secrets-child-'), 'probe.mts');
  fs.writeFileSync(
    script,
    `import { createSecretStore } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'packages/core/src/node/index.ts')).href)};
const store = await createSecretStore({ home: ${JSON.stringify(tempDir('child-home-'))}, probeTimeoutMs: 10_000 });
const setError = await store.set('remoteApiKey', 'sk-child-value').then(() => null, (error) => ({ code: error.code, message: error.message }));
await store.delete('remoteApiKey').catch(() => {});
console.log(JSON.stringify({ backend: store.backend, reason: store.reason, setError }));
`,
  );
  const [program, ...args] = [...command, process.execPath, '--import', 'tsx', script];
  const result = spawnSync(program!, args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the child printed no result (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(line) as { backend: string; reason: string | null; setError: { code: string; message: string } | null };
}

describe('a keychain that is absent', () => {
  it('gives backend unavailable with the reason, and set fails clearly without the value', () => {
    const seen = childStore([], { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(seen.backend).toBe('unavailable');
    expect(seen.reason).toMatch(keytarMissing ? /keytar is not installed or not built/ : /^the system keychain is locked or not running \(.+\)$/);
    expect(seen.setError?.code).toBe(ErrorCode.SecretsUnavailable);
    expect(seen.setError?.message).toContain('secrets cannot be stored on this machine because');
    expect(JSON.stringify(seen)).not.toContain('sk-child-value');
  });
});

// A new D-Bus session whose keyring was never unlocked; with a display it would prompt, so only headless.
const lockedMissing = keytarMissing ?? (!onPath('dbus-run-session') ? 'dbus-run-session is not installed (apt-get install dbus)' : !onPath('gnome-keyring-daemon') ? 'gnome-keyring-daemon is not installed' : process.env.DISPLAY ? 'a display is set: the keyring would prompt' : null);
describe.skipIf(lockedMissing !== null)(`a keychain that is locked${lockedMissing ? ` (skipped: ${lockedMissing})` : ''}`, () => {
  it('refuses to store with a clear reason that never contains the value', () => {
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...env } = process.env;
    // Its own XDG_DATA_HOME: the daemon the bus starts must not find (and never touch) the user's keyrings.
    const seen = childStore(['dbus-run-session', '--'], { ...env, XDG_DATA_HOME: tempDir('locked-keyring-') });
    expect(seen.setError?.code).toBe(ErrorCode.SecretsUnavailable);
    expect(seen.setError?.message).toMatch(/^remoteApiKey was not saved: .*the system keychain is locked or not running \(.+\)/);
    expect(JSON.stringify(seen)).not.toContain('sk-child-value');
  });
});

describe.skipIf(problem !== null)(`the real keychain${problem ? ` (skipped: ${problem})` : ''}`, () => {
  const stores: SecretStore[] = [];
  const open = async () => {
    const store = await createSecretStore({ home: tempDir('keychain-home-') });
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of stores) for (const name of await store.names()) await store.delete(name);
  });

  it('sets, reads, replaces and deletes', async () => {
    const store = await open();
    expect(store.backend).toBe('keychain');
    expect(store.reason).toBeNull();
    expect(await store.get('remoteApiKey')).toBeNull();
    await store.set('remoteApiKey', 'sk-first');
    expect(await store.get('remoteApiKey')).toBe('sk-first');
    await store.set('remoteApiKey', 'sk-second');
    expect(await store.get('remoteApiKey')).toBe('sk-second');
    expect(await store.names()).toEqual(['remoteApiKey']);
    expect(await store.delete('remoteApiKey')).toBe(true);
    expect(await store.delete('remoteApiKey')).toBe(false);
    expect(await store.get('remoteApiKey')).toBeNull();
    expect(await store.names()).toEqual([]);
  });

  it('keeps two profiles apart', async () => {
    const a = await open();
    const b = await open();
    await a.set('remoteApiKey', 'sk-a');
    await a.set('localApiKey', 'local-a');
    await b.set('remoteApiKey', 'sk-b');
    expect(await a.names()).toEqual(['localApiKey', 'remoteApiKey']);
    expect(await b.names()).toEqual(['remoteApiKey']);
    expect(await a.get('remoteApiKey')).toBe('sk-a');
    expect(await b.get('remoteApiKey')).toBe('sk-b');
    await b.delete('remoteApiKey');
    expect(await a.get('remoteApiKey')).toBe('sk-a');
  });

  it('reopens a profile and finds its secrets (they live in the keychain, not in the process)', async () => {
    const home = tempDir('keychain-home-');
    const first = await createSecretStore({ home });
    await first.set('localApiKey', 'local-persisted');
    const second = await createSecretStore({ home });
    stores.push(second);
    expect(await second.get('localApiKey')).toBe('local-persisted');
    expect(fs.readdirSync(home)).toEqual([]);
  });
});
