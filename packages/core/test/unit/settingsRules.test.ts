import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InstalledModel, defaultSettings, describeSetting, findInstalledModel, modelSettingProblem, settingLabelProblem, settingsConflict } from '../../src/index.js';
import { SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';

const installed: InstalledModel[] = [
  { name: 'stories260k/stories260K', kinds: ['chat', 'embedding'], path: '/m/stories260K.gguf', sizeBytes: 1, fromManifest: false },
  { name: 'sherpa-onnx-streaming-zipformer-en-2023-06-26', kinds: ['stt'], path: '/m/zipformer', sizeBytes: 1, fromManifest: true },
];

describe('settings rules across fields', () => {
  it('refuses a remote server without its URL, on the field that was changed', () => {
    expect(settingsConflict({ ...defaultSettings, remoteUse: 'chat' }, ['remoteUse'])).toEqual({ key: 'remoteUse', reason: expect.stringMatching(/needs a Server URL/) });
    const on = { ...defaultSettings, remoteUse: 'both' as const, remoteBaseUrl: null };
    expect(settingsConflict(on, ['remoteBaseUrl'])).toEqual({ key: 'remoteBaseUrl', reason: expect.stringMatching(/cannot be empty while a remote server is used/) });
    expect(settingsConflict({ ...defaultSettings, remoteUse: 'chat', remoteBaseUrl: 'http://127.0.0.1:1/v1' }, ['remoteUse'])).toBeNull();
    expect(settingsConflict(defaultSettings, [])).toBeNull();
  });

  it('the store refuses it in updates and imports, keeping the stored value', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    expect(() => store.update({ remoteUse: 'chat' })).toThrow(/Invalid setting remoteUse: needs a Server URL/);
    expect(store.get().remoteUse).toBe('off');
    store.update({ remoteUse: 'chat', remoteBaseUrl: 'http://127.0.0.1:9/v1' });
    expect(() => store.update({ remoteBaseUrl: null })).toThrow(/Invalid setting remoteBaseUrl: cannot be empty/);
    expect(store.get().remoteBaseUrl).toBe('http://127.0.0.1:9/v1');

    const other = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    const result = other.importJson(JSON.stringify({ remoteUse: 'embeddings', remoteBaseUrl: null, maxTokens: 64 }));
    expect(result.refused).toEqual([{ field: 'remoteUse', reason: expect.stringMatching(/needs a Server URL/) }]);
    expect(result.settings).toMatchObject({ remoteUse: 'off', maxTokens: 64 });
  });

  it('a stored remote use without a URL is read as off', () => {
    const db = openDatabase({ file: ':memory:' });
    db.prepare(`INSERT INTO settings VALUES ('remoteUse', '"chat"')`).run();
    const warnings: string[] = [];
    expect(new SettingsStore(db, { ...silentLogger, warn: (m) => warnings.push(m) }).get().remoteUse).toBe('off');
    expect(warnings.join('\n')).toMatch(/remoteUse/);
  });

  it('promises no default where there is none', () => {
    expect(describeSetting('remoteBaseUrl').empty).toMatch(/no remote server/i);
    expect(describeSetting('chatModel').empty).toMatch(/installed chat model/);
    expect(describeSetting('temperature').empty).toBeNull();
  });
});

describe('model settings', () => {
  it('accept an installed model of the right kind, or a path the host confirms', () => {
    expect(modelSettingProblem('chatModel', 'stories260k/stories260K', installed)).toBeNull();
    expect(modelSettingProblem('chatModel', null, installed)).toBeNull();
    expect(modelSettingProblem('sttModel', 'sherpa-onnx-streaming-zipformer-en-2023-06-26', installed)).toBeNull();
    expect(modelSettingProblem('chatModel', 'qwen', installed)).toBe('"qwen" is not an installed chat model (installed: stories260k/stories260K)');
    expect(modelSettingProblem('ttsVoice', 'amy', installed)).toBe('"amy" is not an installed Piper voice (none is installed)');
    expect(modelSettingProblem('chatModel', '/m/other.gguf', installed, () => true)).toBeNull();
    expect(modelSettingProblem('temperature', 1, installed)).toBeNull();
    // The path check is asked with the kind (a file for GGUF kinds, a folder for voice).
    expect(modelSettingProblem('sttModel', '/m/zipformer2', installed, (_, kind) => kind === 'stt')).toBeNull();
    expect(modelSettingProblem('chatModel', '/m/zipformer2', installed, (_, kind) => kind === 'stt')).toMatch(/not an installed chat model/);
  });

  it('findInstalledModel: the full name, else the last segment in any case, of the right kind only', () => {
    expect(findInstalledModel(installed, 'chat', 'stories260k/stories260K')?.path).toBe('/m/stories260K.gguf');
    expect(findInstalledModel(installed, 'embedding', 'STORIES260K')?.path).toBe('/m/stories260K.gguf');
    expect(findInstalledModel(installed, 'stt', 'stories260K')).toBeNull();
    expect(findInstalledModel(installed, 'chat', 'stories')).toBeNull();
  });

  it('the store refuses a model that is not installed once the host tells it what is', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    store.useCheck((key, value) => modelSettingProblem(key, value, installed));
    expect(() => store.update({ chatModel: 'qwen' })).toThrow('Invalid setting chatModel: "qwen" is not an installed chat model (installed: stories260k/stories260K).');
    expect(store.update({ chatModel: 'stories260k/stories260K' }).chatModel).toBe('stories260k/stories260K');
    expect(store.importJson(JSON.stringify({ embeddingModel: 'nomic' })).refused).toEqual([{ field: 'embeddingModel', reason: '"nomic" is not an installed embedding model (installed: stories260k/stories260K)' }]);
  });
});

describe('messages for people', () => {
  it('name the field by its label', () => {
    expect(settingLabelProblem('localApiPort', 'must be at least 1024')).toBe('Port must be at least 1024.');
    expect(settingLabelProblem('nope', 'unknown setting')).toBe('nope: unknown setting.');
  });
});

describe('settings written by another process', () => {
  it('reload() reads them and announces the changed keys as external', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'settings-reload-')), 'assistant.db');
    const app = new SettingsStore(openDatabase({ file }), silentLogger);
    const cli = new SettingsStore(openDatabase({ file }), silentLogger);
    const events: { keys: string[]; external?: boolean }[] = [];
    app.onDidChange(({ keys, external }) => events.push({ keys, external }));
    expect(app.reload()).toEqual([]);
    cli.update({ retrievalTopK: 3, temperature: 0.1 });
    expect(app.reload().sort()).toEqual(['retrievalTopK', 'temperature']);
    expect(app.get()).toMatchObject({ retrievalTopK: 3, temperature: 0.1 });
    expect(events).toEqual([{ keys: expect.arrayContaining(['retrievalTopK', 'temperature']), external: true }]);
    app.update({ maxTokens: 10 });
    expect(events.at(-1)).toEqual({ keys: ['maxTokens'], external: false });
  });
});
