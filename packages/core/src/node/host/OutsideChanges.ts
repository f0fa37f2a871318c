import type { Database, Statement } from 'better-sqlite3';
import type { ChangedOutside, HostContract } from '../../common/contract/hostContract.js';
import type { Disposable } from '../../common/disposable.js';
import type { RpcServer } from '../../common/rpc/RpcServer.js';
import type { ConversationStore } from '../conversations/ConversationStore.js';
import type { Logger } from '../logger.js';
import type { ModelManager } from '../models/ModelManager.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { DocumentLibrary } from './DocumentLibrary.js';
import { PollingWatcher } from './PollingWatcher.js';

export interface OutsideChangesOptions {
  db: Database;
  models: ModelManager;
  settings: SettingsStore;
  conversations: ConversationStore;
  documents: DocumentLibrary | null;
  publish: RpcServer<HostContract>['publish'];
  /** Rescans the models folder and applies it; resolves to the model names installed before and after. */
  refreshModels(): Promise<{ before: readonly string[]; after: readonly string[] }>;
  logger: Logger;
  /** How often to look; the models folder is looked at half as often. */
  intervalMs: number;
}

/**
 * Picks up what another process (the CLI beside the running app) changed, and tells every window:
 * settings, documents and conversations through SQLite's `data_version` (it moves only when another
 * connection commits, and reading it costs next to nothing), models by the models folder's fingerprint.
 * `data_version` also moves for commits that touch none of them (the CLI's own audit rows, each second of
 * a CLI ingest), so each area keeps a cheap stamp and only an area whose stamp moved is read again.
 */
export class OutsideChanges implements Disposable {
  private readonly watchers: PollingWatcher[] = [];
  private conversationStamps: Map<string, string>;
  private readonly stamps: Record<Area, Statement | null>;
  private known: Record<Area, string>;

  private constructor(private readonly options: OutsideChangesOptions) {
    this.conversationStamps = this.readConversations();
    const { db } = options;
    this.stamps = {
      // A few rows: their text is the stamp.
      settings: db.prepare(`SELECT count(*) || ':' || ifnull(group_concat(key || '=' || value, char(31)), '') AS stamp FROM settings`),
      // Every change of a document sets its updated_at; a removal lowers the count.
      documents: options.documents ? db.prepare(`SELECT count(*) || ':' || ifnull(max(updated_at), '') AS stamp FROM documents`) : null,
      // A rename does not touch updated_at: the titles are part of the stamp.
      conversations: db.prepare(
        `SELECT count(*) || ':' || ifnull(max(updated_at), '') || ':' || ifnull(group_concat(title, char(31)), '') || ':' || (SELECT count(*) || ':' || ifnull(max(rowid), '') FROM messages) AS stamp FROM conversations`,
      ),
    };
    this.known = this.readStamps();
  }

  static async start(options: OutsideChangesOptions): Promise<OutsideChanges> {
    const changes = new OutsideChanges(options);
    const onError = (error: unknown) => options.logger.warn('could not check for changes made outside the app', { error: String(error) });
    changes.watchers.push(
      await PollingWatcher.start({ read: () => String(options.db.pragma('data_version', { simple: true })), onChange: () => changes.databaseChanged(), intervalMs: options.intervalMs, onError }),
      await PollingWatcher.start({ read: () => options.models.fingerprint(), onChange: () => changes.modelsChanged(), intervalMs: options.intervalMs * 2, settle: true, onError }),
    );
    return changes;
  }

  dispose(): void {
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
  }

  private databaseChanged(): void {
    const { settings, documents, publish } = this.options;
    const stamps = this.readStamps();
    const moved = (area: Area) => stamps[area] !== this.known[area];
    // Settings listeners (model reload, offline lock, API, voice) act as for a change made in a window.
    const keys = moved('settings') ? settings.reload() : [];
    const documentChanges = (moved('documents') ? documents?.changedOutside?.() : null) ?? { changes: [], added: 0, removed: 0 };
    for (const change of documentChanges.changes) publish('documents.changed', change);
    if (moved('conversations')) {
      const conversations = this.readConversations();
      for (const id of new Set([...conversations.keys(), ...this.conversationStamps.keys()])) {
        if (conversations.get(id) !== this.conversationStamps.get(id)) publish('conversations.changed', { conversationId: id });
      }
      this.conversationStamps = conversations;
    }
    this.known = stamps;
    this.announce({ settings: keys, documentsAdded: documentChanges.added, documentsRemoved: documentChanges.removed, modelsAdded: [], modelsRemoved: [] });
  }

  private async modelsChanged(): Promise<void> {
    const { before, after } = await this.options.refreshModels();
    const modelsAdded = after.filter((name) => !before.includes(name));
    const modelsRemoved = before.filter((name) => !after.includes(name));
    this.announce({ settings: [], documentsAdded: 0, documentsRemoved: 0, modelsAdded, modelsRemoved });
  }

  private announce(change: ChangedOutside): void {
    const any = change.settings.length + change.documentsAdded + change.documentsRemoved + change.modelsAdded.length + change.modelsRemoved.length;
    if (any === 0) return;
    this.options.logger.info('picked up changes made outside the app', change);
    this.options.publish('app.changedOutside', change);
  }

  private readStamps(): Record<Area, string> {
    const read = (statement: Statement | null) => (statement ? String((statement.get() as { stamp: string }).stamp) : '');
    return { settings: read(this.stamps.settings), documents: read(this.stamps.documents), conversations: read(this.stamps.conversations) };
  }

  private readConversations(): Map<string, string> {
    return new Map(this.options.conversations.list().map((conversation) => [conversation.id, `${conversation.updatedAt}:${conversation.messageCount}:${conversation.title}`]));
  }
}

type Area = 'settings' | 'documents' | 'conversations';
