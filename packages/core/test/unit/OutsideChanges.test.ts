import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConversationStore, type DocumentLibrary, type ModelManager, SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';
import { OutsideChanges } from '../../src/node/host/OutsideChanges.js';

const opened: { dbs: Database[]; changes: OutsideChanges }[] = [];
afterEach(() => {
  for (const { dbs, changes } of opened.splice(0)) {
    changes.dispose();
    for (const db of dbs) db.close();
  }
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The running app's side (its own connection) and another process's connection to the same file. */
async function setup() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outside-')), 'assistant.db');
  const db = openDatabase({ file });
  const other = openDatabase({ file });
  const settings = new SettingsStore(db, silentLogger);
  const conversations = new ConversationStore(db);
  const changedOutside = vi.fn(() => ({ changes: [], added: 0, removed: 0 }));
  const documents = { changedOutside } as unknown as DocumentLibrary;
  const models = { fingerprint: async () => '' } as unknown as ModelManager;
  const reload = vi.spyOn(settings, 'reload');
  const publish = vi.fn();
  const changes = await OutsideChanges.start({ db, models, settings, conversations, documents, publish, refreshModels: async () => ({ before: [], after: [] }), logger: silentLogger, intervalMs: 20 });
  opened.push({ dbs: [db, other], changes });
  return { other, settings, changedOutside, reload, publish };
}

describe('OutsideChanges', () => {
  it('reads again only the area another process changed: audit rows and settings do not reload documents', async () => {
    const { other, settings, changedOutside, reload, publish } = await setup();
    // What a CLI command writes besides its change: its own audit rows.
    other.prepare(`INSERT INTO audit_log (seq, time, kind, summary, hash) VALUES (1, 0, 'app.start', 'The app started.', 'x')`).run();
    other.prepare(`INSERT INTO settings (key, value) VALUES ('retrievalTopK', '3')`).run();
    await waitFor(() => settings.get().retrievalTopK === 3, 'the setting to be read again');

    expect(changedOutside).not.toHaveBeenCalled();
    expect(publish.mock.calls.filter(([name]) => name === 'conversations.changed')).toHaveLength(0);
    const reloads = reload.mock.calls.length;

    // A document row that changed is looked at; the settings are not read again for it.
    other.prepare(`INSERT INTO documents (id, name, path, size_bytes, mtime_ms, content_hash, status, created_at, updated_at) VALUES ('d1', 'a.md', '/a.md', 1, 0, 'h', 'ready', 1, 1)`).run();
    await waitFor(() => changedOutside.mock.calls.length === 1, 'the documents to be looked at');
    expect(reload.mock.calls.length).toBe(reloads);
  });

  it('tells windows about a conversation another process renamed', async () => {
    const { other, publish, changedOutside } = await setup();
    const created = new ConversationStore(other).create('First');
    await waitFor(() => publish.mock.calls.some(([name, payload]) => name === 'conversations.changed' && payload.conversationId === created.id), 'the new conversation');
    publish.mockClear();
    new ConversationStore(other).rename(created.id, 'Other');
    await waitFor(() => publish.mock.calls.some(([name, payload]) => name === 'conversations.changed' && payload.conversationId === created.id), 'the renamed conversation');
    expect(changedOutside).not.toHaveBeenCalled();
  });
});
