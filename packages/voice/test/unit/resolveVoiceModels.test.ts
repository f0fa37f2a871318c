import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InstalledModel } from '@assistant/core';
import type { ModelManager } from '@assistant/core/node';
import { describe, expect, it } from 'vitest';
import { resolveVoiceModels } from '../../src/node/service/resolveVoiceModels.js';

describe('resolveVoiceModels', () => {
  it('finds an installed voice model by the last segment of its name, as the settings check accepts it', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-models-'));
    const piper = path.join(folder, 'en_US-amy-low');
    fs.mkdirSync(piper);
    const installed: InstalledModel[] = [{ name: 'voices/en_US-amy-low', kinds: ['tts'], path: piper, sizeBytes: 0, fromManifest: false }];
    const models = { installed: async () => installed } as unknown as ModelManager;

    const resolved = await resolveVoiceModels(models, { sttModel: null, ttsVoice: 'EN_US-AMY-LOW' });
    // The installed folder was looked in (it lacks the voice's files), not a folder named like the setting.
    expect(resolved.ttsProblem).toContain(piper);
  });
});
