import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHost } from '../support/hostHarness.js';
import { makeTempDir } from '../support/tempDir.js';

/** Model settings name an installed model or a path of the right type: a GGUF file for chat, a folder for voice. */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('model settings that name a path', () => {
  it('accept a file for the chat model and a folder for a voice model, and refuse the other way round', async () => {
    harness = await startHost({ modelsDir: makeTempDir('empty-models-'), watchIntervalMs: 0 });
    const client = harness.client;
    const elsewhere = makeTempDir('elsewhere-');
    const gguf = path.join(elsewhere, 'tiny.gguf');
    fs.writeFileSync(gguf, 'GGUF');
    const folder = path.join(elsewhere, 'zipformer');
    fs.mkdirSync(folder);

    await expect(client.call('settings.update', { chatModel: folder })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('is not an installed chat model') });
    await expect(client.call('settings.update', { sttModel: gguf })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('is not an installed speech-to-text model') });
    expect((await client.call('settings.update', { sttModel: folder })).sttModel).toBe(folder);
    const imported = await client.call('settings.import', { json: JSON.stringify({ embeddingModel: folder, ttsVoice: folder }) });
    expect(imported.settings.ttsVoice).toBe(folder);
    expect(imported.refused).toEqual([{ field: 'embeddingModel', reason: expect.stringContaining('is not an installed embedding model') }]);
  });
});
