import { describe, expect, it } from 'vitest';
import { defaultSettings, describeSetting, parseSettingText, settingKeys, settingProblem, settingsGroups, settingsLayout, settingsSchema } from '../../src/index.js';

describe('settingsLayout', () => {
  it('places every setting of the schema in a known group, and nothing else', () => {
    const schemaKeys = Object.keys(settingsSchema.shape).sort();
    expect(Object.keys(settingsLayout).sort()).toEqual(schemaKeys);
    const groups = new Set<string>(settingsGroups.map((g) => g.id));
    for (const entry of Object.values(settingsLayout)) {
      expect(groups.has(entry.group)).toBe(true);
      expect(entry.label.length).toBeGreaterThan(0);
    }
  });
});

describe('describeSetting', () => {
  it('reads kind, range, default and help from the schema', () => {
    expect(describeSetting('temperature')).toMatchObject({ kind: 'number', min: 0, max: 2, nullable: false, default: 0.7, group: 'generation', label: 'Temperature', applies: 'live' });
    expect(describeSetting('temperature').help).toMatch(/Sampling temperature/);
    expect(describeSetting('threads')).toMatchObject({ kind: 'integer', min: 0, max: 256, applies: 'reloadsModel' });
    expect(describeSetting('chunkSize')).toMatchObject({ kind: 'integer', applies: 'reindex' });
    expect(describeSetting('ocrLanguages')).toMatchObject({ kind: 'string', applies: 'reindex' });
    expect(describeSetting('ocrMinConfidence')).toMatchObject({ kind: 'integer', applies: 'live' });
    expect(describeSetting('useDocuments')).toMatchObject({ kind: 'boolean', default: true, options: null });
    expect(describeSetting('voiceMode')).toMatchObject({ kind: 'enum', options: ['pushToTalk', 'handsFree'], default: 'pushToTalk' });
    expect(describeSetting('chatModel')).toMatchObject({ kind: 'string', nullable: true, default: null, minLength: 1 });
    expect(describeSetting('systemPrompt')).toMatchObject({ kind: 'text', maxLength: 8000 });
    expect(describeSetting('remoteBaseUrl')).toMatchObject({ kind: 'string', format: 'url', nullable: true });
  });

  it('describes every setting, with defaults equal to the schema defaults', () => {
    for (const key of settingKeys) {
      const info = describeSetting(key);
      expect(info.default).toEqual(defaultSettings[key]);
      expect(info.help.length, key).toBeGreaterThan(0);
    }
  });
});

describe('settingProblem and parseSettingText', () => {
  it('gives plain reasons', () => {
    expect(settingProblem('temperature', 0.2)).toBeNull();
    expect(settingProblem('temperature', 5)).toBe('must be at most 2');
    expect(settingProblem('temperature', -1)).toBe('must be at least 0');
    expect(settingProblem('threads', 1.5)).toBe('must be a whole number');
    expect(settingProblem('voiceMode', 'loud')).toBe('must be one of pushToTalk, handsFree');
    expect(settingProblem('remoteBaseUrl', 'nope')).toMatch(/must be a URL/);
    expect(settingProblem('nope', 1)).toBe('unknown setting');
  });

  it('reads typed text as the field kind', () => {
    expect(parseSettingText('temperature', '0.3')).toBe(0.3);
    expect(parseSettingText('temperature', 'warm')).toBe('warm');
    expect(parseSettingText('useDocuments', 'off')).toBe(false);
    expect(parseSettingText('chatModel', 'null')).toBeNull();
    expect(parseSettingText('voiceMode', 'handsFree')).toBe('handsFree');
  });
});
