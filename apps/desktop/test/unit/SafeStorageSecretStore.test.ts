import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@assistant/core';
import { createSecretStore, type KeytarApi } from '@assistant/core/node';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SafeStorageSecretStore, safeStorageFallback, secretsFileName } from '../../src/main/SafeStorageSecretStore.js';

// Electron's safeStorage, faked at the edge: a reversible transform that, like the real one, never
// leaves the plain text in its output.
const fake = vi.hoisted(() => ({
  available: true,
  backend: 'gnome_libsecret' as string,
  encrypt: (text: string) => Buffer.from(`enc:${Buffer.from(text, 'utf8').toString('hex').split('').reverse().join('')}`),
  decrypt: (data: Buffer) => {
    const text = data.toString('utf8');
    if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice(4).split('').reverse().join(''), 'hex').toString('utf8');
  },
}));

vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => fake.available,
    getSelectedStorageBackend: () => fake.backend,
    encryptString: (text: string) => fake.encrypt(text),
    decryptString: (data: Buffer) => fake.decrypt(data),
  },
}));

const value = 'sk-safe-storage-4b1d';
const home = () => fs.mkdtempSync(path.join(os.tmpdir(), 'safe-storage-'));
const noKeychain: KeytarApi = {
  getPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  setPassword: () => Promise.reject(new Error('unused')),
  deletePassword: () => Promise.reject(new Error('unused')),
  findCredentials: () => Promise.reject(new Error('unused')),
};

beforeEach(() => {
  fake.available = true;
  fake.backend = 'gnome_libsecret';
});

describe('SafeStorageSecretStore', () => {
  it('sets, replaces, lists and deletes, keeping only ciphertext in a 0600 file of the profile', async () => {
    const folder = home();
    const store = new SafeStorageSecretStore(folder, 'the system keychain is locked or not running (test)');
    expect(store.backend).toBe('safeStorage');
    expect(await store.get('remoteApiKey')).toBeNull();
    await store.set('remoteApiKey', value);
    await store.set('localApiKey', 'local-key');
    await store.set('remoteApiKey', `${value}-2`);
    expect(await store.get('remoteApiKey')).toBe(`${value}-2`);
    expect(await store.names()).toEqual(['localApiKey', 'remoteApiKey']);
    const file = path.join(folder, secretsFileName);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(value);
    expect(await store.delete('remoteApiKey')).toBe(true);
    expect(await store.delete('remoteApiKey')).toBe(false);
    expect(await new SafeStorageSecretStore(folder, 'reopened').names()).toEqual(['localApiKey']);
    expect(fs.readdirSync(folder)).toEqual([secretsFileName]);
  });

  it('reports a secret it cannot decrypt, or a damaged file, without crashing', async () => {
    const folder = home();
    const file = path.join(folder, secretsFileName);
    fs.writeFileSync(file, JSON.stringify({ version: 1, secrets: { remoteApiKey: Buffer.from('garbage').toString('base64') } }));
    const store = new SafeStorageSecretStore(folder, 'test');
    await expect(store.get('remoteApiKey')).rejects.toMatchObject({ code: ErrorCode.SecretsUnavailable, message: expect.stringMatching(/^remoteApiKey could not be decrypted .*set it again\.$/) });
    fs.writeFileSync(file, '{not json');
    await expect(store.names()).rejects.toMatchObject({ code: ErrorCode.SecretsUnavailable, message: expect.stringContaining('is damaged') });
  });
});

describe('safeStorageFallback', () => {
  it('serves only when the keychain cannot, with the keychain reason', async () => {
    const folder = home();
    const store = await createSecretStore({ home: folder, keytar: noKeychain, fallback: safeStorageFallback(folder) });
    expect(store.backend).toBe('safeStorage');
    expect(store.reason).toMatch(/^the system keychain is locked or not running \(.*Cannot autolaunch D-Bus/);
    await store.set('remoteApiKey', value);
    expect(await store.get('remoteApiKey')).toBe(value);
  });

  it('is refused when safeStorage cannot encrypt: secrets are unavailable, with both reasons', async () => {
    fake.available = false;
    const folder = home();
    const store = await createSecretStore({ home: folder, keytar: noKeychain, fallback: safeStorageFallback(folder) });
    expect(store.backend).toBe('unavailable');
    expect(store.reason).toMatch(/Cannot autolaunch D-Bus.*; and Electron's safeStorage cannot encrypt on this system$/);
    await expect(store.set('remoteApiKey', value)).rejects.toMatchObject({ code: ErrorCode.SecretsUnavailable });
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it.runIf(process.platform === 'linux')("refuses Linux's 'basic_text' backend, which is plain text in effect", async () => {
    fake.backend = 'basic_text';
    const folder = home();
    const store = await createSecretStore({ home: folder, keytar: noKeychain, fallback: safeStorageFallback(folder) });
    expect(store.backend).toBe('unavailable');
    expect(store.reason).toMatch(/'basic_text' backend here, which is not real encryption$/);
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
