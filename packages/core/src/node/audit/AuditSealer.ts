import type { AuditEvent } from '../../common/contract/trustSchemas.js';
import type { Logger } from '../logger.js';
import type { AuditKeychain, AuditKeychainHead } from './AuditKeychain.js';

export interface Tip {
  seq: number;
  hash: string;
}

/** What the sealer needs from the log. */
export interface SealedLog {
  /** The database's head row (null when it is gone or the database is closed). */
  head(): Tip | null;
  /** Forces everything committed so far to disk, off the event loop (false if that failed). */
  makeDurable(): Promise<boolean>;
  /** The stored hash of row `seq`, or null when there is no such row (or the database is closed). */
  rowHash(seq: number): string | null;
  /** Records a finding about the log in the log itself (kind 'error'). */
  note(summary: string, details: Record<string, unknown>): AuditEvent;
}

export interface AuditSealerOptions {
  keychain: AuditKeychain;
  log: SealedLog;
  logger: Logger;
  now: () => number;
  /** Least time between two keychain writes while the app runs (each also costs an fsync). */
  intervalMs: number;
}

/**
 * Keeps the log's end (newest seq and hash) in the keychain, where someone who can only write the database
 * cannot reach it: a copy of the file that stops short of it, or no longer holds it, was cut back, rewritten
 * or restored from an older copy. Written after every burst of rows (one write at a time, at most every
 * `intervalMs`) and on shutdown, always after those rows are fsynced (in the thread pool, never on the event
 * loop), so a power cut cannot leave the keychain ahead of the file. When the file no longer continues from the recorded end, the finding is
 * written as a row and kept in the keychain's list of breaks, which verify reports from then on.
 */
export class AuditSealer {
  /** The end this process last read from or wrote to the keychain. */
  private known: AuditKeychainHead | null = null;
  private pendingBreak: { end: AuditKeychainHead; fileEnd: number; note: AuditEvent } | null = null;
  private running: Promise<void> = Promise.resolve();
  private inFlight = false;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  private closed = false;
  private failureNoted = false;

  constructor(private readonly options: AuditSealerOptions) {}

  /** At startup: does the file still continue from the end the keychain recorded? Records a break if not. */
  async check(): Promise<void> {
    const stored = await this.readStored();
    if (stored === undefined) return;
    if (stored && !this.continues(stored)) this.recordBreak(stored);
    else this.known = stored;
  }

  /** Rows were written: record the new end soon. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.inFlight || this.timer) return;
    const wait = Math.max(0, this.lastStart + this.options.intervalMs - this.options.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, wait);
    this.timer.unref();
  }

  /**
   * Shutdown: the last end is read (on disk) and checked while the database is still open; the keychain
   * write finishes afterwards (await `settled`).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const target = this.options.log.head();
    // Checked now, against the end this process knew: the database closes right after. An end another
    // process recorded meanwhile is in this same file.
    const continues = !this.known || this.continues(this.known);
    this.running = this.running
      .then(async () => {
        if (!target || !(await this.options.log.makeDurable())) return;
        const stored = await this.readStored();
        if (stored !== undefined) await this.apply(target, stored, continues);
      })
      .catch((error: unknown) => this.unexpected(error));
  }

  /** Records the current end right away (verify wants the keychain up to date) and resolves when done. */
  async sealNow(): Promise<void> {
    await this.running;
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.start();
    await this.running;
  }

  /** Resolves when no keychain write is running any more (never rejects). */
  get settled(): Promise<void> {
    return this.running;
  }

  private start(): void {
    if (this.closed || this.inFlight) return;
    this.inFlight = true;
    this.dirty = false;
    this.lastStart = this.options.now();
    this.running = this.running
      .then(() => this.seal())
      // `settled` never rejects, and the next burst still seals.
      .catch((error: unknown) => this.unexpected(error))
      .finally(() => {
        this.inFlight = false;
        if (this.dirty) this.changed();
      });
  }

  private async seal(): Promise<void> {
    // The head is read before the rows are forced to disk, so the keychain never records an end that is not on disk.
    const target = this.options.log.head();
    if (!target || !(await this.options.log.makeDurable())) return;
    const stored = await this.readStored();
    if (stored === undefined || this.closed) return;
    await this.apply(target, stored, !stored || this.continues(stored));
  }

  private async apply(target: Tip, stored: AuditKeychainHead | null, continues: boolean): Promise<void> {
    const pending = this.pendingBreak;
    if (pending && stored && pending.end.seq === stored.seq && pending.end.hash === stored.hash) {
      // The finding's row is part of the end written with it; its own flush seals again.
      if (target.seq < pending.note.seq) return;
      this.pendingBreak = null;
      const found = { seq: stored.seq, hash: stored.hash, fileEnd: pending.fileEnd, at: pending.note.seq, time: pending.note.time };
      return this.write(target, [...stored.breaks, found]);
    }
    if (!continues) {
      if (stored && !this.closed) this.recordBreak(stored);
      return;
    }
    // Never backwards: another process may have recorded a later end of the same file.
    if (stored && stored.seq >= target.seq) {
      this.known = stored;
      return;
    }
    return this.write(target, stored?.breaks ?? []);
  }

  private async write(target: Tip, breaks: AuditKeychainHead['breaks']): Promise<void> {
    const head = { seq: target.seq, hash: target.hash, breaks };
    try {
      await this.options.keychain.writeHead(head);
      this.known = head;
    } catch (error) {
      this.failed(`the end of the audit log could not be recorded in the keychain (${(error as Error).message})`);
    }
  }

  /** The recorded end, null when there is none yet, undefined when it could not be read (then nothing is written). */
  private async readStored(): Promise<AuditKeychainHead | null | undefined> {
    try {
      return await this.options.keychain.readHead();
    } catch (error) {
      this.failed(`the end of the audit log recorded in the keychain could not be read (${(error as Error).message})`);
      return undefined;
    }
  }

  private continues(end: AuditKeychainHead): boolean {
    return end.seq === 0 || this.options.log.rowHash(end.seq) === end.hash;
  }

  private recordBreak(end: AuditKeychainHead): void {
    const fileEnd = this.options.log.head()?.seq ?? 0;
    const holds = this.options.log.rowHash(end.seq);
    const what = holds === null ? `the database ends at row ${fileEnd}` : `row ${end.seq} in the database is not the one recorded`;
    const note = this.options.log.note(`The audit log does not continue from the end the keychain recorded (row ${end.seq}): ${what}. Rows were removed or rewritten, or an older copy of the database was restored; audit verify reports it from now on.`, {
      keychainSeq: end.seq,
      keychainHash: end.hash,
      fileEnd,
    });
    this.options.logger.error('audit log: the database does not continue from the end recorded in the keychain', { keychainSeq: end.seq, fileEnd });
    this.pendingBreak = { end, fileEnd, note };
  }

  /** A seal that threw (the database closed under it, a bug): reported like a keychain failure. */
  private unexpected(error: unknown): void {
    try {
      this.failed(`recording the end of the audit log failed (${error instanceof Error ? error.message : String(error)})`);
    } catch (noted) {
      this.options.logger.warn('audit log: the failure to record its end could not be noted', { error: String(noted) });
    }
  }

  /** Logged each time, and written to the log once per session (a plain sentence, never silent). */
  private failed(reason: string): void {
    this.options.logger.warn(`audit log: ${reason}`);
    if (this.failureNoted || this.closed) return;
    this.failureNoted = true;
    this.options.log.note(`The audit log's keychain record could not be kept up to date: ${reason}. Until it can, rows cut from the end of the log would not show.`, { reason });
  }
}
