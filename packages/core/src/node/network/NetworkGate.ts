import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';

export interface OutboundAttempt {
  time: number;
  host: string;
  purpose: string;
  allowed: boolean;
}

export interface NetworkGateOptions {
  logger: Logger;
  /** When true every outbound connection is refused. */
  offline?: () => boolean;
}

/**
 * The one door to the network. Everything that leaves the machine (model downloads, a remote backend)
 * goes through `fetch` here, so it can be counted, logged and refused by the offline lock.
 */
export class NetworkGate {
  private readonly attempts: OutboundAttempt[] = [];
  private readonly attempted = new Emitter<OutboundAttempt>();
  readonly onDidAttempt = this.attempted.event;

  constructor(private readonly options: NetworkGateOptions) {}

  get history(): readonly OutboundAttempt[] {
    return this.attempts;
  }

  async fetch(url: string, init: RequestInit & { purpose: string }): Promise<Response> {
    const { purpose, ...requestInit } = init;
    const host = new URL(url).host;
    const allowed = !(this.options.offline?.() ?? false);
    const attempt: OutboundAttempt = { time: Date.now(), host, purpose, allowed };
    this.attempts.push(attempt);
    this.attempted.fire(attempt);
    this.options.logger.info('outbound connection', { ...attempt });
    if (!allowed) throw new AssistantError(ErrorCode.NetworkBlocked, `Blocked a connection to ${host} (${purpose}): the offline lock is on.`);
    try {
      return await fetch(url, requestInit);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AssistantError(ErrorCode.DownloadFailed, `Could not reach ${host}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`, { cause: error });
    }
  }
}
