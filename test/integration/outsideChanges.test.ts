import fs from 'node:fs';
import path from 'node:path';
import type { ChangedOutside, DocumentsChanged } from '@assistant/core';
import { outsideChangesIntervalMs } from '@assistant/core/node';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHost, waitFor } from '../support/hostHarness.js';
import { tinyChatModel } from '../support/models.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

/**
 * The CLI beside a running app (another process on the same profile): what it changes is picked up by the
 * running host by itself and announced to every window, as the user sees it in the walkthrough.
 */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function collect(h: Harness) {
  const outside: ChangedOutside[] = [];
  const documents: DocumentsChanged[] = [];
  const settingsEvents: { keys: string[]; external: boolean }[] = [];
  h.client.on('app.changedOutside', (change) => outside.push(change));
  h.client.on('documents.changed', (change) => documents.push(change));
  h.client.on('settings.changed', ({ keys, external }) => settingsEvents.push({ keys, external }));
  return { outside, documents, settingsEvents };
}

describe('changes made outside the running app', () => {
  it('applies a setting the CLI set, announces it once, and does not record it twice', async () => {
    const modelsDir = makeTempDir('empty-models-');
    harness = await startHost({ modelsDir, watchIntervalMs: outsideChangesIntervalMs });
    const seen = collect(harness);
    expect(runCli(['settings', 'set', 'retrievalTopK', '3'], { ASSISTANT_HOME: harness.home, ASSISTANT_MODELS_DIR: modelsDir })).toMatchObject({ code: 0 });

    const client = harness.client;
    await waitFor(async () => (await client.call('settings.get', {})).retrievalTopK === 3, 20_000, 'the running host to read retrievalTopK = 3');
    await waitFor(() => seen.outside.length > 0, 20_000, 'app.changedOutside');
    expect(seen.outside[0]).toMatchObject({ settings: ['retrievalTopK'] });
    expect(seen.settingsEvents).toContainEqual({ keys: ['retrievalTopK'], external: true });
    // The CLI's own host recorded the change; the running app does not record it again.
    const { events } = await client.call('audit.list', { kinds: ['settings.changed'] });
    expect(events.filter((event) => event.summary.includes('retrievalTopK'))).toHaveLength(1);
  });

  it('shows documents the CLI ingested, counts them, and finds them by search', async () => {
    const modelsDir = makeTempDir('empty-models-');
    harness = await startHost({ modelsDir, watchIntervalMs: outsideChangesIntervalMs });
    const seen = collect(harness);
    const dir = makeTempDir('outside-docs-');
    const file = path.join(dir, 'lighthouse.md');
    fs.writeFileSync(file, '# Lighthouse\n\nThe keeper of the Quetzalcoatl lighthouse logs the weather at dawn.\n');
    expect(runCli(['ingest', file], { ASSISTANT_HOME: harness.home, ASSISTANT_MODELS_DIR: modelsDir }, 120_000)).toMatchObject({ code: 0 });

    const client = harness.client;
    await waitFor(() => seen.documents.some((change) => change.document?.name === 'lighthouse.md' && change.document.status === 'ready'), 20_000, 'documents.changed for lighthouse.md');
    await waitFor(() => seen.outside.some((change) => change.documentsAdded === 1), 20_000, 'app.changedOutside with one document');
    expect((await client.call('app.getState', {})).documents.ready).toBe(1);
    const { hits } = await client.call('documents.search', { query: 'Quetzalcoatl lighthouse', k: 3, mode: 'hybrid' });
    expect(hits[0]?.documentName).toBe('lighthouse.md');
  });

  it.skipIf(!tinyChatModel)('notices a chat model imported by the CLI without a button (needs stories260k/stories260K.gguf)', async () => {
    // The models folder does not even exist yet when the app starts.
    const modelsDir = path.join(makeTempDir('models-parent-'), 'models');
    harness = await startHost({ modelsDir, watchIntervalMs: outsideChangesIntervalMs });
    const seen = collect(harness);
    const client = harness.client;
    expect((await client.call('app.getState', {})).setupNeeded).toBe(true);
    const imported = runCli(['models', 'import', path.dirname(tinyChatModel!)], { ASSISTANT_MODELS_DIR: modelsDir });
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('stories260k/stories260K') });

    await waitFor(async () => !(await client.call('app.getState', {})).setupNeeded, 20_000, 'the host to notice the imported model');
    await waitFor(() => seen.outside.some((change) => change.modelsAdded.includes('stories260k/stories260K')), 20_000, 'app.changedOutside naming the model');
    expect((await client.call('app.getState', {})).chatModel).toMatchObject({ name: 'stories260k/stories260K' });
  });

  it('a one-shot host (a CLI command) does not watch: it neither polls the database nor walks the models folder', async () => {
    const modelsDir = makeTempDir('empty-models-');
    // As every one-shot CLI command creates its host: no interval given.
    harness = await startHost({ modelsDir });
    expect((harness.host as unknown as { outside: unknown }).outside).toBeNull();
  });

  it.skipIf(!tinyChatModel)('Check again rescans the models folder at once (needs stories260k/stories260K.gguf)', async () => {
    const modelsDir = makeTempDir('empty-models-');
    // Not looking by itself: only the rescan can find the model.
    harness = await startHost({ modelsDir, watchIntervalMs: 0 });
    const client = harness.client;
    const models: string[][] = [];
    client.on('models.changed', (list) => models.push(list.installed.map((model) => model.name)));
    fs.cpSync(path.dirname(tinyChatModel!), path.join(modelsDir, 'stories260k'), { recursive: true });

    const list = await client.call('models.rescan', {});
    expect(list.installed.map((model) => model.name)).toEqual(['stories260k/stories260K']);
    expect((await client.call('app.getState', {})).setupNeeded).toBe(false);
    await waitFor(() => models.length > 0, 5_000, 'models.changed');
    // Model settings now accept it, and refuse a name that is not installed.
    await expect(client.call('settings.update', { chatModel: 'qwen' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"qwen" is not an installed chat model (installed: stories260k/stories260K)') });
    expect((await client.call('settings.update', { chatModel: 'stories260k/stories260K' })).chatModel).toBe('stories260k/stories260K');
  });
});

describe('the vector index and documents changed by another process', () => {
  it('is reopened when another process makes a document ready, not while it is still reading one', async () => {
    harness = await startHost({ modelsDir: makeTempDir('empty-models-') });
    const dir = makeTempDir('outside-index-');
    fs.writeFileSync(path.join(dir, 'gulls.md'), '# Gulls\n\nThe keeper counted forty gulls on the north rock.\n');
    await harness.client.call('documents.add', { paths: [dir] });
    await waitFor(async () => (await harness!.client.call('documents.list', {})).every((doc) => doc.status === 'ready'), 30_000, 'gulls.md to be ready');
    const [document] = await harness.client.call('documents.list', {});
    const service = harness.host.documents as unknown as { changedOutside(): unknown; index: { discard(): void } };
    const discard = vi.spyOn(service.index, 'discard');
    service.changedOutside();
    discard.mockClear();

    // Another process (the CLI) re-reads the document: its status moves, its vectors are not searchable yet.
    const other = new BetterSqlite3(path.join(harness.home, 'assistant.db'));
    try {
      const touch = other.prepare('UPDATE documents SET status = ?, updated_at = updated_at + 1 WHERE id = ?');
      touch.run('parsing', document!.id);
      service.changedOutside();
      expect(discard).not.toHaveBeenCalled();
      touch.run('ready', document!.id);
      service.changedOutside();
      expect(discard).toHaveBeenCalledTimes(1);
    } finally {
      other.close();
    }
  });
});
