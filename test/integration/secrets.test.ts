import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type ContractClient, type HostContract, createMemoryTransportPair, createRpcClient, hostContract } from '@assistant/core';
import { type AssistantHost, type Logger, createSecretStore } from '@assistant/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeHost } from '../../apps/desktop/src/node/createNodeHost.js';
import { send, waitFor } from '../support/hostHarness.js';
import { modelsDir, needsTinyModel, tinyChatModel } from '../support/models.js';
import { repoRoot } from '../support/runCli.js';
import { keychainProblem } from '../support/keychain.js';
import { makeTempDir } from '../support/tempDir.js';

// The real OS keychain (gnome-keyring over D-Bus in CI, .ci/run): never a fake one here.
const problem = await keychainProblem();
const skipped = problem ? ` (skipped: ${problem})` : '';

/** Every log entry as the stderr logger would print it, at debug level, to search for the value. */
function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => lines.push(JSON.stringify({ level, message, ...data }));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

async function openHost(home: string, logger: Logger, model: string | null = null): Promise<{ host: AssistantHost; client: ContractClient<HostContract>; close(): Promise<void> }> {
  const host = await createNodeHost({ home, modelsDir: modelsDir ?? makeTempDir('no-models-'), model, logger });
  const [clientSide, hostSide] = createMemoryTransportPair();
  host.connect(hostSide);
  const client = createRpcClient(hostContract, clientSide);
  return { host, client, close: async () => (client.dispose(), await host.dispose()) };
}

/** Files under a folder that contain the text, in UTF-8 or UTF-16 (SQLite may store either). */
function filesContaining(folder: string, text: string): string[] {
  const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  const found: string[] = [];
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    if (needles.some((needle) => bytes.includes(needle))) found.push(file);
  }
  return found;
}

/** `npm run assistant -- secrets ...` with the value on stdin, as a user pipes it. */
function cli(args: string[], env: Record<string, string>, input = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/desktop/src/cli/main.ts'), 'secrets', ...args], { cwd: repoRoot, encoding: 'utf8', input, timeout: 60_000, env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup) await step().catch(() => {});
});

describe(`secrets through the host contract, in the real keychain${skipped}`, () => {
  it.skipIf(problem !== null)('sets, replaces and deletes; no response carries the value; host code can read it', async () => {
    const value = `sk-contract-${randomUUID()}`;
    const session = await openHost(makeTempDir('secrets-home-'), capturingLogger([]));
    cleanup.push(() => session.host.secrets.delete('remoteApiKey'));
    try {
      const { client, host } = session;
      const responses: unknown[] = [await client.call('secrets.getState', {})];
      expect(responses[0]).toEqual({ backend: 'keychain', reason: null, names: [] });
      responses.push(await client.call('secrets.set', { name: 'remoteApiKey', value }));
      responses.push(await client.call('secrets.set', { name: 'remoteApiKey', value: `${value}-replaced` }));
      expect(await host.secrets.get('remoteApiKey')).toBe(`${value}-replaced`);
      responses.push(await client.call('secrets.getState', {}));
      expect(responses.at(-1)).toEqual({ backend: 'keychain', reason: null, names: ['remoteApiKey'] });
      responses.push(await client.call('secrets.delete', { name: 'remoteApiKey' }));
      expect(responses.at(-1)).toEqual({ backend: 'keychain', reason: null, names: [] });
      for (const response of responses) expect(JSON.stringify(response)).not.toContain(value);
      expect(await host.secrets.get('remoteApiKey')).toBeNull();
      // No method of the contract reads a secret back.
      expect(Object.keys(hostContract).filter((name) => name.startsWith('secrets.'))).toEqual(['secrets.getState', 'secrets.set', 'secrets.delete']);
    } finally {
      await session.close();
    }
  });

  it.skipIf(problem !== null)('keeps two profiles apart', async () => {
    const a = await openHost(makeTempDir('secrets-a-'), capturingLogger([]));
    const b = await openHost(makeTempDir('secrets-b-'), capturingLogger([]));
    cleanup.push(() => a.host.secrets.delete('localApiKey'));
    try {
      await a.client.call('secrets.set', { name: 'localApiKey', value: 'local-a' });
      expect((await a.client.call('secrets.getState', {})).names).toEqual(['localApiKey']);
      expect((await b.client.call('secrets.getState', {})).names).toEqual([]);
      expect(await b.host.secrets.get('localApiKey')).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.skipIf(problem !== null)(`leaves no trace of the value in the profile folder or the logs after a whole session${tinyChatModel ? '' : ` (the chat step is left out: ${needsTinyModel})`}`, async () => {
    const value = `sk-privacy-${randomUUID()}`;
    const home = makeTempDir('secrets-privacy-');
    const logs: string[] = [];
    const session = await openHost(home, capturingLogger(logs), tinyChatModel);
    cleanup.push(() => createSecretStore({ home }).then((store) => store.delete('remoteApiKey')));
    const { client, host } = session;
    try {
      await client.call('secrets.set', { name: 'remoteApiKey', value });
      await client.call('settings.update', { temperature: 0.3 });
      if (tinyChatModel) expect((await send(client, 'Once upon a time')).result.stats.stopReason).toBeTruthy();
      const docs = makeTempDir('secrets-docs-');
      fs.writeFileSync(path.join(docs, 'note.md'), '# Keys\n\nThe remote backend key is kept in the system keychain, never in this file.\n');
      await client.call('documents.add', { paths: [docs] });
      await waitFor(async () => (await client.call('documents.list', {})).every((doc) => doc.status === 'ready' || doc.status === 'failed'), 60_000, 'the document to be ingested');
      expect((await client.call('documents.list', {})).map((doc) => doc.status)).toEqual(['ready']);
      expect(await host.secrets.get('remoteApiKey')).toBe(value);
      // While open (the WAL and shared-memory files exist) and after closing.
      expect(filesContaining(home, value)).toEqual([]);
    } finally {
      await session.close();
    }
    expect(fs.existsSync(path.join(home, 'assistant.db'))).toBe(true);
    expect(filesContaining(home, value)).toEqual([]);
    expect(logs.some((line) => line.includes('secret saved'))).toBe(true);
    expect(logs.filter((line) => line.includes(value))).toEqual([]);
  });

  it.skipIf(problem !== null)('the command line sets from stdin, lists names only and deletes, never printing the value', () => {
    const value = `sk-cli-${randomUUID()}`;
    const env = { ASSISTANT_HOME: makeTempDir('secrets-cli-'), ASSISTANT_MODELS_DIR: makeTempDir('no-models-'), ASSISTANT_LOG_LEVEL: 'debug' };
    cleanup.push(() => createSecretStore({ home: env.ASSISTANT_HOME }).then((store) => store.delete('remoteApiKey')));
    const outputs = [cli(['set', 'remoteApiKey'], env, `${value}\n`)];
    expect(outputs[0]).toMatchObject({ code: 0, stdout: 'Saved remoteApiKey (keychain).\n' });
    outputs.push(cli(['set', 'remoteApiKey'], env, `${value}-2`));
    expect(outputs[1]).toMatchObject({ code: 0, stdout: 'Replaced remoteApiKey (keychain).\n' });
    outputs.push(cli(['list'], env));
    expect(outputs[2]).toMatchObject({ code: 0, stdout: 'backend: keychain\n  remoteApiKey\n' });
    outputs.push(cli(['delete', 'remoteApiKey'], env));
    expect(outputs[3]).toMatchObject({ code: 0, stdout: 'Deleted remoteApiKey.\n' });
    expect(cli(['list', '--json'], env).stdout).toContain('"names": []');
    for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(value);
    expect(filesContaining(env.ASSISTANT_HOME, value)).toEqual([]);
  });
});

describe('secrets without a keychain', () => {
  const env = () => ({ ASSISTANT_HOME: makeTempDir('secrets-nokeychain-'), ASSISTANT_MODELS_DIR: makeTempDir('no-models-'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });

  it('refuses a value given as an argument, saying why', () => {
    const result = cli(['set', 'remoteApiKey', 'sk-on-the-command-line'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/takes the value on stdin, not as an argument: arguments are visible to other users in the process list/);
  });

  it('list exits 1 with the reason; set fails with a clear sentence; nothing crashes', () => {
    const home = env();
    const list = cli(['list'], home);
    expect(list.code).toBe(1);
    expect(list.stdout).toMatch(/^backend: unavailable \(/);
    expect(list.stderr).toMatch(/Secrets cannot be stored: (the system keychain is locked or not running|keytar is not installed)/);
    const set = cli(['set', 'remoteApiKey'], home, 'sk-nowhere-to-go');
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/^Error: remoteApiKey was not saved: secrets cannot be stored on this machine because /);
    expect(set.stderr).not.toContain('sk-nowhere-to-go');
  });
});
