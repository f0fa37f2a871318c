import type { Disposable } from '../../common/disposable.js';
import type { RpcTransport } from '../../common/rpc/protocol.js';

export type WorkerName = 'inference' | 'ingest' | 'voice';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  readonly transport: RpcTransport;
  onExit(listener: (exit: WorkerExit) => void): Disposable;
  /** Ends the process; `force` sends SIGKILL. */
  kill(force?: boolean): void;
}

/**
 * Starts worker processes. Two implementations: utilityProcess.fork under Electron (apps/desktop) and
 * child_process.fork everywhere else (ChildProcessLauncher). Both run the same worker entry files.
 */
export interface WorkerLauncher {
  launch(name: WorkerName, options?: { env?: Record<string, string> }): WorkerHandle;
}
