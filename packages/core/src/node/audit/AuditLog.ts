import fs from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import { type AuditEvent, type AuditKind, type AuditQuery, type AuditVerifyResult, auditKindSchema } from '../../common/contract/trustSchemas.js';
import { type Disposable, Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import type { SecretStore } from '../secrets/SecretStore.js';
import { type AuditKey, openAuditKeys, readAuditKeys } from './AuditKeychain.js';
import { auditHash, auditMac, canonicalJson, genesisHash, redactSecrets } from './auditHash.js';
import { AuditSealer, type Tip } from './AuditSealer.js';
import { type StoredAuditRow, auditColumns, exportAuditLog, listAuditEvents, toAuditRow } from './readAuditLog.js';
import { verifyAuditChain } from './verifyAuditChain.js';

export interface AuditLogOptions {
  logger: Logger;
  now?: () => number;
  /** A burst larger than this is written at once, in more than one transaction, to bound memory and each write. */
  maxBatch?: number;
  /**
   * Where the signing key and the log's recorded end live (the host's secret store: the OS keychain). Without
   * one, or one that cannot store anything, rows are hash-chained only and verify says what that leaves.
   */
  secrets?: SecretStore | null;
  /** Inspecting only (the CLI): never creates a key, writes a row or touches the keychain. */
  readOnly?: boolean;
  /** Least time between two updates of the end recorded in the keychain (default `defaultSealIntervalMs`). */
  sealIntervalMs?: number;
}

export type AuditMethods = 'audit.list' | 'audit.verify';

/** The head row is gone: appending would leave rows cut from the end unnoticeable (no row shows that). */
class HeadMissingError extends Error {}

const maxSummaryChars = 1000;
/**
 * Each seal costs a head read, an fsync of the WAL and a keychain read and write (gnome-keyring rewrites its
 * file each time), so steady traffic (the local API) seals at most every 2 s. The trade-off: rows newer than
 * the last seal are protected by the hash chain and their signatures only, so cutting just those from the
 * end would not show. Shutdown and verify seal at once.
 */
const defaultSealIntervalMs = 2000;
const sealWaitMs = 5000;
const kinds = new Set<string>(auditKindSchema.options);

/**
 * The tamper-evident audit log: rows are hash-chained (each hash covers the previous hash and the row's
 * canonical content) and only ever appended. With a keychain, each row is also signed (HMAC of its hash under
 * a key only the keychain holds) and the log's end is recorded there too (AuditSealer), so rewriting every
 * hash, cutting rows from the end or restoring an older copy of the file shows as well. `append` is
 * synchronous and cheap: rows wait in memory and a burst is written in one transaction on the next turn of
 * the event loop (and on dispose), so recording never blocks the host for long and an event is durable
 * within a tick.
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
  private readonly s: Record<'insert' | 'setHead' | 'head' | 'last' | 'page' | 'rowHash' | 'lastSigned', Statement>;
  readonly handlers: Pick<ContractHandlers<HostContract>, AuditMethods>;
  /** Signs each row; null without a keychain. */
  private key: AuditKey | null = null;
  private sealer: AuditSealer | null = null;
  /** Why nothing more is appended (the head row is gone); events are refused and counted. */
  private blocked: string | null = null;
  private refusedEvents = 0;

  private constructor(
    private readonly db: Database,
    private readonly options: AuditLogOptions,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      setHead: db.prepare(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`),
      head: db.prepare(`SELECT seq, hash FROM audit_head WHERE id = 1`),
      last: db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`),
      page: db.prepare(`SELECT ${auditColumns} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
      rowHash: db.prepare(`SELECT hash FROM audit_log WHERE seq = ?`),
      lastSigned: db.prepare(`SELECT seq FROM audit_log WHERE mac IS NOT NULL ORDER BY seq DESC LIMIT 1`),
    };
    this.tip = this.storedTip();
    this.handlers = {
      'audit.list': (query) => ({ events: this.list(query) }),
      'audit.verify': () => this.verify(),
    };
  }

  /**
   * The database must be migrated (openDatabase does it). Reads the key and the recorded end from the
   * keychain (creating the key the first time), and refuses to append to a log whose head row is gone.
   */
  static async open(db: Database, options: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog(db, options);
    await log.start();
    return log;
  }

  /** Resolves once the end of the log is recorded in the keychain after `dispose` (never rejects). */
  get sealed(): Promise<void> {
    const settled = this.sealer?.settled;
    if (!settled) return Promise.resolve();
    // A keychain that stops answering (libsecret waits up to 25 s for D-Bus) must not hold up shutdown.
    return Promise.race([settled, new Promise<void>((resolve) => setTimeout(resolve, sealWaitMs).unref())]);
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
    if (this.blocked || this.options.readOnly) {
      this.refuse(event);
      return event;
    }
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
          const key = this.key?.key;
          batch.forEach((event, i) => this.s.insert.run(event.seq, event.time, event.kind, event.summary, batchDetails[i], event.hash, key ? auditMac(key, event.hash) : null));
          const last = batch.at(-1)!;
          if (this.s.setHead.run(last.seq, last.hash).changes !== 1) throw new HeadMissingError();
        })
        .immediate();
    } catch (error) {
      if (error instanceof HeadMissingError) {
        this.block(headMissing);
        for (const event of batch) this.refuse(event);
        return 0;
      }
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
    this.sealer?.changed();
    return batch.length;
  }

  /** Newest first, filtered; see auditQuerySchema. */
  list(query: AuditQuery = {}): AuditEvent[] {
    this.flush();
    return listAuditEvents(this.db, query);
  }

  /** Walks the whole chain (in pages, yielding between them) and names the first row that does not fit. */
  async verify(): Promise<AuditVerifyResult> {
    this.flush();
    await this.sealer?.sealNow();
    return verifyAuditChain(
      {
        head: () => this.s.head.get() as Tip | undefined,
        page: (afterSeq, limit) => (this.s.page.all(afterSeq, limit) as StoredAuditRow[]).map(toAuditRow),
      },
      await readAuditKeys(this.options.secrets),
    );
  }

  /** Every row, oldest first, one JSON object per line; returns how many. */
  async export(file: string): Promise<number> {
    this.flush();
    return exportAuditLog((afterSeq, limit) => this.s.page.all(afterSeq, limit) as StoredAuditRow[], file);
  }

  /**
   * Writes what is pending; later appends are refused (logged). Call before closing the database; the
   * keychain's record of the end is written after (await `sealed`).
   */
  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.sealer?.close();
    this.disposed = true;
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    this.appended.dispose();
    if (this.refusedEvents > 0) this.options.logger.error(`${this.refusedEvents} audit events were not recorded: ${this.blocked ?? 'the log was opened to inspect it only'}`);
  }

  private async start(): Promise<void> {
    if (!this.s.head.get()) return this.block(headMissing);
    if (this.options.readOnly) return;
    const keys = await openAuditKeys(this.options.secrets, { nextSeq: this.tip.seq + 1, lastSignedSeq: (this.s.lastSigned.get() as { seq: number } | undefined)?.seq });
    this.key = keys.key;
    for (const note of keys.notes) {
      this.options.logger.warn(`audit log: ${note.summary}`);
      this.append('error', note.summary, note.details);
    }
    if (!keys.keychain) return;
    this.sealer = new AuditSealer({
      keychain: keys.keychain,
      logger: this.options.logger,
      now: this.options.now ?? Date.now,
      intervalMs: this.options.sealIntervalMs ?? defaultSealIntervalMs,
      log: {
        head: () => (this.db.open ? ((this.s.head.get() as Tip | undefined) ?? null) : null),
        makeDurable: () => this.makeDurable(),
        rowHash: (seq) => (this.db.open ? ((this.s.rowHash.get(seq) as { hash: string } | undefined)?.hash ?? null) : null),
        note: (summary, details) => this.append('error', summary, details),
      },
    });
    await this.sealer.check();
  }

  /**
   * fsyncs the WAL in the thread pool (fsync flushes the file whatever descriptor asks): with
   * synchronous=NORMAL a commit is safe from a crash of the app, not from a power cut. Run after reading the
   * head, this puts every row up to it on disk without blocking the event loop. The database file needs no
   * fsync here: in WAL mode with synchronous=NORMAL, SQLite syncs it at the end of every checkpoint, before
   * the WAL can be reused, so a committed row is always in the WAL or in an already synced database file.
   */
  private async makeDurable(): Promise<boolean> {
    if (this.db.memory) return true;
    try {
      // r+: Windows flushes only handles that may write. No WAL: the last connection checkpointed (synced) and removed it.
      const handle = await fs.promises.open(`${this.db.name}-wal`, 'r+').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
      if (!handle) return true;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      this.options.logger.warn('audit log: could not force the newest rows to disk', { error: String(error) });
      return false;
    }
  }

  private block(reason: string): void {
    if (this.blocked) return;
    this.blocked = reason;
    // Inspecting (the CLI) says it through verify instead.
    if (!this.options.readOnly) this.options.logger.error(`audit log: ${reason}`);
  }

  /** An event that is not stored: the first is logged with the reason, the rest counted (reported on dispose). */
  private refuse(event: AuditEvent): void {
    if (this.refusedEvents++ === 0 && this.blocked) this.options.logger.error(`audit event not recorded: ${this.blocked}`, { kind: event.kind, summary: event.summary });
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

const headMissing = `The audit log's head row (audit_head) was deleted, so rows cut from the end of the log could no longer be noticed: nothing more is recorded in this log. Run "npm run assistant -- audit verify" to see its state.`;
