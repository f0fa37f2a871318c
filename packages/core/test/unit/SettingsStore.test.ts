import { describe, expect, it } from 'vitest';
import { ErrorCode, defaultSettings } from '../../src/index.js';
import { SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';

describe('SettingsStore import and export', () => {
  it('exports every setting as pretty JSON that imports back unchanged', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    store.update({ temperature: 0.2 });
    const json = store.exportJson();
    expect(json).toContain('\n  "temperature": 0.2');
    expect(JSON.parse(json)).toEqual({ ...defaultSettings, temperature: 0.2 });
    const other = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    expect(other.importJson(json)).toEqual({ settings: { ...defaultSettings, temperature: 0.2 }, refused: [] });
  });

  it('applies valid fields and refuses the others with their reason, keeping their values', () => {
    const db = openDatabase({ file: ':memory:' });
    const warnings: string[] = [];
    const store = new SettingsStore(db, { ...silentLogger, warn: (m) => warnings.push(m) });
    store.update({ maxTokens: 100 });
    const result = store.importJson(JSON.stringify({ temperature: 0.1, maxTokens: 0, nope: true, voiceMode: 'handsFree' }));
    expect(result.refused).toEqual([
      { field: 'maxTokens', reason: 'must be at least 1' },
      { field: 'nope', reason: 'unknown setting' },
    ]);
    expect(result.settings).toMatchObject({ temperature: 0.1, maxTokens: 100, voiceMode: 'handsFree' });
    expect(new SettingsStore(db, silentLogger).get()).toMatchObject({ temperature: 0.1, maxTokens: 100, voiceMode: 'handsFree' });
    expect(warnings.join('\n')).toMatch(/maxTokens/);
  });

  it('refuses a file that is not JSON, or not an object, saying where', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    expect(() => store.importJson('{"temperature": 0.1,')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/^The settings file is not valid JSON \(.*position|JSON/) }));
    expect(() => store.importJson('[1]')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(store.get()).toEqual(defaultSettings);
  });

  it('names the field and the reason when an update is refused', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    expect(() => store.update({ temperature: 5 })).toThrow('Invalid setting temperature: must be at most 2.');
    expect(() => store.update({ nope: 1 } as never)).toThrow('Invalid setting nope: unknown setting.');
  });

  it('warns, naming the field, when a stored value is invalid', () => {
    const db = openDatabase({ file: ':memory:' });
    db.prepare(`INSERT INTO settings VALUES ('temperature', '9')`).run();
    const warnings: string[] = [];
    const store = new SettingsStore(db, { ...silentLogger, warn: (m) => warnings.push(m) });
    expect(store.get().temperature).toBe(defaultSettings.temperature);
    expect(warnings).toEqual(['Stored setting temperature is invalid (must be at most 2); using its default, 0.7.']);
  });
});
