import { describe, expect, it, vi } from 'vitest';
import { type ContractHandlers, ErrorCode, type HostContract, createMemoryTransportPair, createRpcClient, errorCodeOf, hostContract, serveRpc } from '../../src/index.js';
import { type KeytarApi, KeytarSecretStore, SecretService, type SecretStore, UnavailableSecretStore, createSecretStore, profileId, silentLogger } from '../../src/node/index.js';

const value = 'sk-unit-5f1c9e0a-never-shown';

/** A map standing in for a backend: these tests are about the service's rules, not about a keychain. */
function memoryStore(): SecretStore {
  const values = new Map<string, string>();
  return {
    backend: 'safeStorage',
    reason: 'a test store',
    get: (name) => Promise.resolve(values.get(name) ?? null),
    set: (name, secret) => Promise.resolve(void values.set(name, secret)),
    delete: (name) => Promise.resolve(values.delete(name)),
    names: () => Promise.resolve([...values.keys()].sort()),
  };
}

/** The renderer's view: the host contract over an in-memory pair, served by the secret handlers only. */
function connect(service: SecretService) {
  const [clientSide, hostSide] = createMemoryTransportPair();
  serveRpc(hostContract, hostSide, service.handlers as ContractHandlers<HostContract>);
  return createRpcClient(hostContract, clientSide);
}

const failingKeytar = (message: string): KeytarApi => ({
  getPassword: () => Promise.reject(new Error(message)),
  setPassword: () => Promise.reject(new Error(message)),
  deletePassword: () => Promise.reject(new Error(message)),
  findCredentials: () => Promise.reject(new Error(message)),
});

describe('SecretService', () => {
  it('sets, replaces and deletes through the contract, never answering with a value', async () => {
    const audit: string[] = [];
    const service = new SecretService({ store: memoryStore(), logger: silentLogger, onAudit: (kind, name) => audit.push(`${kind} ${name}`) });
    const changes: string[] = [];
    service.onDidChange(({ name, change }) => changes.push(`${change} ${name}`));
    const client = connect(service);

    const responses = [
      await client.call('secrets.getState', {}),
      await client.call('secrets.set', { name: 'remoteApiKey', value }),
      await client.call('secrets.set', { name: 'remoteApiKey', value: `${value}-2` }),
      await client.call('secrets.getState', {}),
    ];
    expect(responses[3]).toEqual({ backend: 'safeStorage', reason: 'a test store', names: ['remoteApiKey'] });
    expect(await service.get('remoteApiKey')).toBe(`${value}-2`);
    responses.push(await client.call('secrets.delete', { name: 'remoteApiKey' }), await client.call('secrets.delete', { name: 'remoteApiKey' }));
    expect(responses[5]!.names).toEqual([]);
    for (const response of responses) expect(JSON.stringify(response)).not.toContain(value);
    expect(audit).toEqual(['secret.set remoteApiKey', 'secret.set remoteApiKey', 'secret.deleted remoteApiKey']);
    expect(changes).toEqual(['set remoteApiKey', 'set remoteApiKey', 'deleted remoteApiKey']);
  });

  it('refuses a bad name or an empty value at the boundary (the renderer is untrusted)', async () => {
    const client = connect(new SecretService({ store: memoryStore(), logger: silentLogger }));
    await expect(client.call('secrets.set', { name: '../etc', value })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(client.call('secrets.set', { name: 'remoteApiKey', value: '' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it("keeps the audit log's keychain entries out of the renderer's reach: not set, deleted or listed", async () => {
    const store = memoryStore();
    await store.set('audit.key', 'the signing key');
    const client = connect(new SecretService({ store, logger: silentLogger }));
    await expect(client.call('secrets.delete', { name: 'audit.key' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringContaining('kept by the app to protect the audit log') });
    await expect(client.call('secrets.set', { name: 'audit.head', value: '{"seq":0}' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    expect((await client.call('secrets.getState', {})).names).toEqual([]);
    expect(await store.get('audit.key')).toBe('the signing key');
  });

  it('never logs a value', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const service = new SecretService({ store: memoryStore(), logger });
    await service.set('localApiKey', value);
    await service.delete('localApiKey');
    expect(JSON.stringify([logger.debug.mock.calls, logger.info.mock.calls, logger.warn.mock.calls, logger.error.mock.calls])).not.toContain(value);
  });
});

describe('UnavailableSecretStore', () => {
  it('reads nothing and refuses to store with the reason, over the contract, without crashing', async () => {
    const store = new UnavailableSecretStore('the system keychain is locked or not running (test)');
    expect(await store.get('remoteApiKey')).toBeNull();
    expect(await store.names()).toEqual([]);
    expect(await store.delete('remoteApiKey')).toBe(false);
    const client = connect(new SecretService({ store, logger: silentLogger }));
    expect(await client.call('secrets.getState', {})).toEqual({ backend: 'unavailable', reason: 'the system keychain is locked or not running (test)', names: [] });
    const error: unknown = await client.call('secrets.set', { name: 'remoteApiKey', value }).catch((caught: unknown) => caught);
    expect(errorCodeOf(error)).toBe(ErrorCode.SecretsUnavailable);
    expect((error as Error).message).toBe('remoteApiKey was not saved: secrets cannot be stored on this machine because the system keychain is locked or not running (test).');
    expect((error as Error).message).not.toContain(value);
    expect(await client.call('secrets.delete', { name: 'remoteApiKey' })).toMatchObject({ backend: 'unavailable', names: [] });
  });
});

describe('createSecretStore', () => {
  it('reports a keychain that does not answer, with the reason', async () => {
    const store = await createSecretStore({ home: '/tmp/profile-a', keytar: failingKeytar('Cannot autolaunch D-Bus without X11 $DISPLAY') });
    expect(store.backend).toBe('unavailable');
    expect(store.reason).toMatch(/^the system keychain is locked or not running \(.*Cannot autolaunch D-Bus without X11 \$DISPLAY\)$/);
  });

  it('gives up on a keychain that hangs', async () => {
    const hanging: KeytarApi = { ...failingKeytar('x'), getPassword: () => new Promise(() => {}) };
    const store = await createSecretStore({ home: '/tmp/profile-a', keytar: hanging, probeTimeoutMs: 50 });
    expect(store.reason).toBe('the system keychain is locked or not running (it did not answer within 0.05 s)');
  });

  it('uses the fallback only when the keychain fails, and combines the reasons when both fail', async () => {
    const fallback = memoryStore();
    expect(await createSecretStore({ home: '/tmp/p', keytar: failingKeytar('no bus'), fallback: () => fallback })).toBe(fallback);
    const neither = await createSecretStore({ home: '/tmp/p', keytar: failingKeytar('no bus'), fallback: () => "Electron's safeStorage cannot encrypt on this system" });
    expect(neither.backend).toBe('unavailable');
    expect(neither.reason).toMatch(/no bus\); and Electron's safeStorage cannot encrypt on this system$/);
    const working: KeytarApi = { ...failingKeytar('x'), getPassword: () => Promise.resolve(null) };
    const keychain = await createSecretStore({ home: '/tmp/p', keytar: working, fallback: () => fallback });
    expect(keychain).toBeInstanceOf(KeytarSecretStore);
    expect(keychain.backend).toBe('keychain');
  });

  it('turns a keychain error into a clear one that never contains the value', async () => {
    const echoing: KeytarApi = { ...failingKeytar('x'), getPassword: () => Promise.resolve(null), setPassword: (_s, _a, secret) => Promise.reject(new Error(`Cannot create an item in a locked collection: ${secret}`)) };
    const store = await createSecretStore({ home: '/tmp/p', keytar: echoing });
    const error: unknown = await store.set('remoteApiKey', value).catch((caught: unknown) => caught);
    expect(errorCodeOf(error)).toBe(ErrorCode.SecretsUnavailable);
    expect((error as Error).message).toMatch(/^remoteApiKey was not saved: the system keychain is locked or not running \(.*locked collection: \[redacted\]\)\.$/);
  });
});

describe('profileId', () => {
  it('is stable per folder and differs between folders', () => {
    expect(profileId('/home/a/profile')).toBe(profileId('/home/a/profile/'));
    expect(profileId('/home/a/profile')).not.toBe(profileId('/home/b/profile'));
    expect(profileId('/x')).toMatch(/^[0-9a-f]{16}$/);
  });
});
