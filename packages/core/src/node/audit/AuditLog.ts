import fs from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import { type AuditEvent, type AuditKind, type AuditQuery, type AuditVerifyResult, auditKindSchema, auditQuerySchema } from '../../common/contract/trustSchemas.js';
import { type Disposable, Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import { auditHash, canonicalJson, genesisHash, redactSecrets } from './auditHash.js';
import { verifyAuditChain } from './verifyAuditChain.js';

export interface AuditLogOptions {
  logger: Logger;
  now?: () => number;
  /** A burst larger than this is written at once, in more than one transaction, to bound memory and each write. */
  maxBatch?: number;
}

export type AuditMethods = 'audit.list' | 'audit.verify';

interface Tip {
  seq: number;
  hash: string;
}

interface Row {
  seq: number;
  time: number;
  kind: string;
  summary: string;
  details: string;
  hash: string;
}

const maxSummaryChars = 1000;
const kinds = new Set<string>(auditKindSchema.options);

/**
 * The tamper-evident audit log: rows are hash-chained (each hash covers the previous hash and the row's
 * canonical content) and only ever appended. `append` is synchronous and cheap: rows wait in memory and a
 * burst is written in one transaction on the next turn of the event loop (and on dispose), so recording
 * never blocks the host for long and an event is durable within a tick.
 */
export class AuditLog implements Disposable {
  private pending: AuditEvent[] = [];
  /** The canonical details text of each pending event (stored as is, hashed as is). */
  private pendingDetails: string[] = [];
  /** The chain tip as this process knows it, pending rows included. */
  private tip: Tip;
  private cancelScheduled: (() => void) | null = null;
  private disposed = false;
  private readonly appended = new Emitter<AuditEvent>();
  /** A row was written (durably): the viewer follows live. */
  readonly onDidAppend = this.appended.event;
  /** Transactions written so far (tests and the benchmark check batching with it). */
  transactions = 0;
  private readonly s: Record<'insert' | 'setHead' | 'head' | 'last' | 'page', Statement>;
  readonly handlers: Pick<ContractHandlers<HostContract>, AuditMethods>;

  private constructor(
    private readonly db: Database,
    private readonly options: AuditLogOptions,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (?, ?, ?, ?, ?, ?)`),
      setHead: db.prepare(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`),
      head: db.prepare(`SELECT seq, hash FROM audit_head WHERE id = 1`),
      last: db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`),
      page: db.prepare(`SELECT seq, time, kind, summary, details, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
    };
    this.tip = this.storedTip();
    this.handlers = {
      'audit.list': (query) => ({ events: this.list(query) }),
      'audit.verify': () => this.verify(),
    };
  }

  /** The database must be migrated (openDatabase does it). */
  static open(db: Database, options: AuditLogOptions): AuditLog {
    return new AuditLog(db, options);
  }

  /**
   * Records one event and returns it. `details` are names and values (members named like a key, token or
   * secret keep their name only). The row is written on the next tick; `seq` and `hash` are final once
   * `onDidAppend` fires (they move only if another process appended to the same file meanwhile).
   */
  append(kind: AuditKind, summary: string, details: Record<string, unknown> = {}): AuditEvent {
    if (!kinds.has(kind)) throw new AssistantError(ErrorCode.InvalidInput, `Invalid audit kind "${String(kind)}": expected one of ${auditKindSchema.options.join(', ')}.`);
    if (typeof summary !== 'string' || summary.trim() === '') throw new AssistantError(ErrorCode.InvalidInput, 'Invalid audit summary: a sentence is required.');
    if (details === null || typeof details !== 'object' || Array.isArray(details)) throw new AssistantError(ErrorCode.InvalidInput, 'Invalid audit details: expected an object of names and values.');
    const detailsJson = canonicalJson(redactSecrets(details));
    const content = {
      seq: this.tip.seq + 1,
      time: (this.options.now ?? Date.now)(),
      kind,
      summary: summary.length > maxSummaryChars ? `${summary.slice(0, maxSummaryChars - 1)}…` : summary,
      // Stored as JSON and hashed canonically: keep exactly what survives the round trip.
      details: JSON.parse(detailsJson) as Record<string, unknown>,
    };
    const event: AuditEvent = { ...content, hash: auditHash(this.tip.hash, content, detailsJson) };
    this.tip = { seq: event.seq, hash: event.hash };
    if (this.disposed) {
      this.options.logger.warn('audit event after the log was closed was not stored', { kind, summary });
      return event;
    }
    this.pending.push(event);
    this.pendingDetails.push(detailsJson);
    if (this.pending.length >= (this.options.maxBatch ?? 2000)) this.flush();
    else if (!this.cancelScheduled) {
      const immediate = setImmediate(() => this.flush());
      this.cancelScheduled = () => clearImmediate(immediate);
    }
    return event;
  }

  /** Writes the rows waiting in memory in one transaction; returns how many. */
  flush(): number {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    if (this.pending.length === 0) return 0;
    if (!this.db.open) {
      this.options.logger.error('audit events were not stored: the database is closed', { rows: this.pending.length, kinds: [...new Set(this.pending.map((event) => event.kind))] });
      this.pending = [];
      this.pendingDetails = [];
      return 0;
    }
    const batch = this.pending;
    const batchDetails = this.pendingDetails;
    this.pending = [];
    this.pendingDetails = [];
    try {
      // IMMEDIATE takes the write lock first, so reading the tip and extending it is atomic even when
      // another process (the CLI beside the app) appends to the same file.
      this.db
        .transaction(() => {
          const stored = this.storedTip();
          const first = batch[0]!;
          if (stored.seq !== first.seq - 1 || auditHash(stored.hash, first, batchDetails[0]) !== first.hash) this.rechain(batch, batchDetails, stored);
          batch.forEach((event, i) => this.s.insert.run(event.seq, event.time, event.kind, event.summary, batchDetails[i], event.hash));
          const last = batch.at(-1)!;
          this.s.setHead.run(last.seq, last.hash);
        })
        .immediate();
    } catch (error) {
      // Kept for the next flush: a busy or full disk must not lose events.
      this.pending = [...batch, ...this.pending];
      this.pendingDetails = [...batchDetails, ...this.pendingDetails];
      this.options.logger.error('audit log write failed; will retry', { rows: batch.length, error: String(error) });
      if (!this.disposed) {
        const timer = setTimeout(() => this.flush(), 1000);
        this.cancelScheduled = () => clearTimeout(timer);
      }
      return 0;
    }
    this.transactions++;
    for (const event of batch) this.appended.fire(event);
    return batch.length;
  }

  /** Newest first, filtered; see auditQuerySchema. */
  list(query: AuditQuery = {}): AuditEvent[] {
    const parsed = auditQuerySchema.safeParse(query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AssistantError(ErrorCode.InvalidInput, `Invalid audit query ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid value'}.`);
    }
    this.flush();
    const { kinds, since, until, text, beforeSeq, limit } = parsed.data;
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (kinds && kinds.length > 0) {
      where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
      params.push(...kinds);
    }
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    if (since !== undefined) add('time >= ?', since);
    if (until !== undefined) add('time <= ?', until);
    if (beforeSeq !== undefined) add('seq < ?', beforeSeq);
    // LIKE is case-insensitive for ASCII; the user's % and _ are literal.
    if (text) add(`summary LIKE ? ESCAPE '\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const sql = `SELECT seq, time, kind, summary, details, hash FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, limit) as Row[]).map(toEvent);
  }

  /** Walks the whole chain (in pages, yielding between them) and names the first row that does not fit. */
  async verify(): Promise<AuditVerifyResult> {
    this.flush();
    return verifyAuditChain({
      head: () => this.s.head.get() as Tip,
      page: (afterSeq, limit) => (this.s.page.all(afterSeq, limit) as Row[]).map(toEvent),
    });
  }

  /** Every row, oldest first, one JSON object per line; returns how many. */
  async export(file: string): Promise<number> {
    this.flush();
    const out = await fs.promises.open(file, 'w');
    let count = 0;
    try {
      for (let after = 0; ; ) {
        const rows = (this.s.page.all(after, 1000) as Row[]).map(toEvent);
        if (rows.length === 0) break;
        await out.write(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
        count += rows.length;
        after = rows.at(-1)!.seq;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    return count;
  }

  /** Writes what is pending; later appends are refused (logged). Call before closing the database. */
  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    this.appended.dispose();
  }

  /** Where the next row chains from: the head row, or the last row if it is further (older files). */
  private storedTip(): Tip {
    const head = this.s.head.get() as Tip | undefined;
    const last = this.s.last.get() as Tip | undefined;
    // Rows deleted at the end leave the head ahead: keep numbering after it so verify still sees the gap.
    const tip = head && head.seq >= (last?.seq ?? 0) ? head : last;
    return tip && tip.seq > 0 ? tip : { seq: 0, hash: genesisHash };
  }

  /** Another process appended since our rows were numbered: move them after its rows (the events are updated in place). */
  private rechain(batch: AuditEvent[], details: string[], from: Tip): void {
    let previous = from;
    batch.forEach((event, i) => {
      event.seq = previous.seq + 1;
      event.hash = auditHash(previous.hash, event, details[i]);
      previous = event;
    });
    this.tip = { seq: previous.seq, hash: previous.hash };
  }
}

function toEvent(row: Row): AuditEvent {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = { unreadable: row.details };
  }
  return { seq: row.seq, time: row.time, kind: row.kind as AuditKind, summary: row.summary, details, hash: row.hash };
}
