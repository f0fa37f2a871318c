import { type ChangedOutside, type Settings, defaultSettings } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { formatSettingValue } from '../../src/renderer/src/format.js';
import { describeOutsideChange } from '../../src/renderer/src/outsideChanges.js';

const change = (settings: string[]): ChangedOutside => ({ settings, documentsAdded: 0, documentsRemoved: 0, modelsAdded: [], modelsRemoved: [] });

describe('setting values for people', () => {
  it('names a choice by its label, as the Settings dialog does, not by its identifier', () => {
    const text = describeOutsideChange(change(['voiceMode', 'retrievalTopK']), { ...defaultSettings, voiceMode: 'handsFree', retrievalTopK: 3 } satisfies Settings);
    expect(text).toBe('Voice mode is now Hands-free; Passages per question is now 3');
  });

  it('says empty, on and off, and cuts long text', () => {
    expect(formatSettingValue(null)).toBe('empty');
    expect(formatSettingValue(true)).toBe('on');
    expect(formatSettingValue(false)).toBe('off');
    expect(formatSettingValue('x'.repeat(60))).toBe(`${'x'.repeat(39)}…`);
    expect(formatSettingValue({ a: 1 })).toBe('{"a":1}');
  });
});
