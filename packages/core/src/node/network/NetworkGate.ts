import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import type { NetworkState, OutboundAttemptInfo } from '../../common/contract/trustSchemas.js';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';

export type OutboundAttempt = OutboundAttemptInfo;

export interface NetworkGateOptions {
  logger: Logger;
  /** When true every outbound connection is refused (the offline lock setting). */
  offline?: () => boolean;
}

/** Byte counts change with every network chunk; the UI hears about them a few times a second at most. */
const bytesEventIntervalMs = 250;

/**
 * The one door to the network. Everything that leaves the machine (model downloads, a remote backend) goes
 * through `fetch` here, so it is counted, logged with its purpose and size, and refused by the offline lock;
 * attempts made elsewhere (the Electron renderer's blocked requests) are recorded with `record`. The session's
 * list is what the UI shows: zero connections unless the user asked for one.
 */
export class NetworkGate {
  readonly handlers: Pick<ContractHandlers<HostContract>, 'network.getState'>;
  private readonly attempts: OutboundAttempt[] = [];
  private readonly attempted = new Emitter<OutboundAttempt>();
  private readonly changed = new Emitter<NetworkState>();
  /** Every attempt, allowed or blocked, as it happens (the audit log records these). */
  readonly onDidAttempt = this.attempted.event;
  private readonly finished = new Emitter<OutboundAttempt>();
  /** An allowed connection's body was read to the end: its byte count is final (the audit log records it). */
  readonly onDidFinish = this.finished.event;
  /** The session's list or the lock changed (the UI's count). */
  readonly onDidChange = this.changed.event;
  private bytesTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: NetworkGateOptions) {
    this.handlers = { 'network.getState': () => this.state };
  }

  get state(): NetworkState {
    return { offlineLock: this.offline, attempts: this.attempts.map((attempt) => ({ ...attempt })) };
  }

  get history(): readonly OutboundAttempt[] {
    return this.attempts;
  }

  get offline(): boolean {
    return this.options.offline?.() ?? false;
  }

  /** The offline lock was switched: the UI shows it with the list. */
  lockChanged(): void {
    this.changed.fire(this.state);
  }

  /** An attempt the gate did not make itself (a blocked renderer request): counted and logged all the same. */
  record(host: string, purpose: string, allowed: boolean): OutboundAttempt {
    const attempt: OutboundAttempt = { time: Date.now(), host, purpose, allowed, bytes: null };
    this.attempts.push(attempt);
    this.attempted.fire(attempt);
    this.changed.fire(this.state);
    this.options.logger.info('outbound connection', { host, purpose, allowed });
    return attempt;
  }

  async fetch(url: string, init: RequestInit & { purpose: string }): Promise<Response> {
    const { purpose, ...requestInit } = init;
    const host = new URL(url).host;
    const attempt = this.record(host, purpose, !this.offline);
    if (!attempt.allowed) throw new AssistantError(ErrorCode.NetworkBlocked, `Blocked a connection to ${host} (${purpose}): the offline lock is on.`);
    let response: Response;
    try {
      response = await fetch(url, requestInit);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AssistantError(ErrorCode.DownloadFailed, `Could not reach ${host}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`, { cause: error });
    }
    attempt.bytes = 0;
    if (!response.body) return response;
    // Counted as the caller reads, so a paused or cancelled download shows what really came in.
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          attempt.bytes = (attempt.bytes ?? 0) + chunk.byteLength;
          this.bytesChanged();
          controller.enqueue(chunk);
        },
        flush: () => {
          this.options.logger.info('outbound connection finished', { host, purpose, bytes: attempt.bytes });
          this.bytesChanged(true);
          this.finished.fire(attempt);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  dispose(): void {
    clearTimeout(this.bytesTimer);
    this.attempted.dispose();
    this.finished.dispose();
    this.changed.dispose();
  }

  private bytesChanged(now = false): void {
    if (now) {
      clearTimeout(this.bytesTimer);
      this.bytesTimer = undefined;
      this.changed.fire(this.state);
      return;
    }
    this.bytesTimer ??= setTimeout(() => {
      this.bytesTimer = undefined;
      this.changed.fire(this.state);
    }, bytesEventIntervalMs);
    this.bytesTimer.unref?.();
  }
}
