import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Citation } from '../../common/contract/passageSchemas.js';
import type { Conversation, ConversationSearchHit, Message, MessageGrounding, MessageStats, MessageStatus } from '../../common/contract/schemas.js';
import { AssistantError, ErrorCode, type ErrorPayload } from '../../common/errors.js';
import { foldForSearch, ftsPrefixQuery, searchTerms, snippetEnd, snippetPieces, snippetStart } from './messageSearch.js';

interface MessageRow {
  id: string;
  conversation_id: string;
  role: 'user' | 'assistant';
  text: string;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  citations: string;
  grounding: MessageGrounding | null;
  stats: string | null;
  created_at: number;
}

interface ConversationRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  message_count: number;
}

const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  messageCount: row.message_count,
});

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  conversationId: row.conversation_id,
  role: row.role,
  text: row.text,
  status: row.status,
  error: row.error_code ? ({ code: row.error_code, message: row.error_message ?? '' } as ErrorPayload) : null,
  citations: row.citations ? (JSON.parse(row.citations) as Citation[]) : [],
  grounding: row.grounding ?? null,
  stats: row.stats ? (JSON.parse(row.stats) as MessageStats) : null,
  createdAt: row.created_at,
});

export const untitledConversation = 'New conversation';

/** Conversations and their messages in SQLite. Every write is one short transaction. */
export class ConversationStore {
  private readonly statements: Record<
    'list' | 'get' | 'insertConversation' | 'rename' | 'touch' | 'remove' | 'messages' | 'message' | 'insertMessage' | 'updateMessage' | 'removeMessage' | 'interruptStreaming' | 'searchMessages' | 'searchSnippets',
    Statement
  >;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    const conversationColumns = `c.id, c.title, c.created_at, c.updated_at, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count`;
    this.statements = {
      list: db.prepare(`SELECT ${conversationColumns} FROM conversations c ORDER BY c.updated_at DESC, c.rowid DESC`),
      get: db.prepare(`SELECT ${conversationColumns} FROM conversations c WHERE c.id = ?`),
      insertConversation: db.prepare(`INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`),
      rename: db.prepare(`UPDATE conversations SET title = ? WHERE id = ?`),
      touch: db.prepare(`UPDATE conversations SET updated_at = ? WHERE id = ?`),
      remove: db.prepare(`DELETE FROM conversations WHERE id = ?`),
      messages: db.prepare(`SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq`),
      message: db.prepare(`SELECT * FROM messages WHERE id = ? AND conversation_id = ?`),
      insertMessage: db.prepare(
        `INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at)
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?), ?, ?, ?, ?)`,
      ),
      updateMessage: db.prepare(`UPDATE messages SET text = ?, status = ?, error_code = ?, error_message = ?, citations = coalesce(?, citations), grounding = coalesce(?, grounding), stats = coalesce(?, stats) WHERE id = ?`),
      removeMessage: db.prepare(`DELETE FROM messages WHERE id = ?`),
      interruptStreaming: db.prepare(`UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'`),
      searchMessages: db.prepare(
        `SELECT DISTINCT m.conversation_id AS id FROM messages_fts f JOIN messages_fts_rows r ON r.fts_rowid = f.rowid JOIN messages m ON m.id = r.message_id WHERE messages_fts MATCH ?`,
      ),
      // Every match in the chosen conversations, best first within each: the first per conversation is shown.
      searchSnippets: db.prepare(
        `SELECT m.conversation_id, m.id, snippet(messages_fts, 0, '${snippetStart}', '${snippetEnd}', '…', 12) AS snippet, bm25(messages_fts) AS score
         FROM messages_fts f JOIN messages_fts_rows r ON r.fts_rowid = f.rowid JOIN messages m ON m.id = r.message_id
         WHERE messages_fts MATCH ? AND m.conversation_id IN (SELECT value FROM json_each(?))
         ORDER BY m.conversation_id, score`,
      ),
    };
  }

  list(): Conversation[] {
    return (this.statements.list.all() as ConversationRow[]).map(toConversation);
  }

  get(id: string): Conversation {
    const row = this.statements.get.get(id) as ConversationRow | undefined;
    if (!row) throw new AssistantError(ErrorCode.NotFound, `No conversation with id ${id}.`);
    return toConversation(row);
  }

  /** `id`: chosen by the caller when it must be known before the conversation is stored (a chat turn's cache key). */
  create(title = untitledConversation, id: string = randomUUID()): Conversation {
    const now = this.now();
    this.statements.insertConversation.run(id, title.trim() || untitledConversation, now, now);
    return this.get(id);
  }

  rename(id: string, title: string): Conversation {
    if (this.statements.rename.run(title.trim(), id).changes === 0) throw new AssistantError(ErrorCode.NotFound, `No conversation with id ${id}.`);
    return this.get(id);
  }

  delete(id: string): boolean {
    return this.statements.remove.run(id).changes > 0;
  }

  messages(conversationId: string): Message[] {
    return (this.statements.messages.all(conversationId) as MessageRow[]).map(toMessage);
  }

  /** Appends a message and bumps the conversation to the top of the list, in one transaction. */
  appendMessage(conversationId: string, role: Message['role'], text: string, status: MessageStatus = 'complete'): Message {
    const id = randomUUID();
    const now = this.now();
    this.db.transaction(() => {
      this.get(conversationId);
      this.statements.insertMessage.run(id, conversationId, conversationId, role, text, status, now);
      this.statements.touch.run(now, conversationId);
    })();
    return this.message(conversationId, id);
  }

  /**
   * `citations` and `grounding` replace the stored ones when given, and are kept otherwise. A reply cancelled before its
   * first word (Stop, or the tab closed while the model was still reading the prompt) is not kept: an
   * empty "Stopped" reply says nothing. The message is returned as it was before it was removed.
   */
  updateMessage(conversationId: string, id: string, patch: { text: string; status: MessageStatus; error?: ErrorPayload | null; citations?: readonly Citation[]; grounding?: MessageGrounding | null; stats?: MessageStats | null }): Message {
    if (patch.status === 'cancelled' && patch.text === '') {
      const message = { ...this.message(conversationId, id), text: '', status: patch.status };
      this.statements.removeMessage.run(id);
      return message;
    }
    const citations = patch.citations ? JSON.stringify(patch.citations) : null;
    const stats = patch.stats ? JSON.stringify(patch.stats) : null;
    this.statements.updateMessage.run(patch.text, patch.status, patch.error?.code ?? null, patch.error?.message ?? null, citations, patch.grounding ?? null, stats, id);
    return this.message(conversationId, id);
  }

  /**
   * Conversations whose title contains every word of `query`, or one of whose messages has a word starting
   * with each (full-text search, see migration 6), newest first, each with the best matching message's
   * words around the match. Any text is a valid query; one without a letter or digit finds nothing.
   */
  search(query: string, limit = 50): ConversationSearchHit[] {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const match = ftsPrefixQuery(terms);
    const inMessages = new Set((this.statements.searchMessages.all(match) as { id: string }[]).map((row) => row.id));
    const folded = terms.map(foldForSearch);
    const found = this.list()
      .filter((conversation) => inMessages.has(conversation.id) || folded.every((term) => foldForSearch(conversation.title).includes(term)))
      .slice(0, limit);
    const best = new Map<string, { id: string; snippet: string }>();
    const ids = found.filter((conversation) => inMessages.has(conversation.id)).map((conversation) => conversation.id);
    for (const row of this.statements.searchSnippets.iterate(match, JSON.stringify(ids)) as Iterable<{ conversation_id: string; id: string; snippet: string }>) {
      if (!best.has(row.conversation_id)) best.set(row.conversation_id, row);
    }
    return found.map((conversation) => {
      const hit = best.get(conversation.id);
      return { conversation, messageId: hit?.id ?? null, snippet: hit ? snippetPieces(hit.snippet) : [] };
    });
  }

  /** After a crash, replies that were still streaming are marked interrupted (their text so far is kept). */
  markInterrupted(): number {
    return this.statements.interruptStreaming.run().changes;
  }

  private message(conversationId: string, id: string): Message {
    const row = this.statements.message.get(id, conversationId) as MessageRow | undefined;
    if (!row) throw new AssistantError(ErrorCode.NotFound, `No message with id ${id}.`);
    return toMessage(row);
  }
}
