import { type ChildProcess, fork } from 'node:child_process';
import type { Logger } from '../logger.js';
import { createWorkerHandle } from './createWorkerHandle.js';
import type { WorkerHandle, WorkerLauncher, WorkerName } from './WorkerLauncher.js';

export interface WorkerEntry {
  /** The script to run. */
  file: string;
  /** Extra Node flags, e.g. a TypeScript loader when running from source. */
  execArgv?: string[];
}

export interface ChildProcessLauncherOptions {
  entries: Record<WorkerName, WorkerEntry>;
  logger: Logger;
}

/** Starts workers with child_process.fork: serve mode, the CLI and tests. */
export class ChildProcessLauncher implements WorkerLauncher {
  constructor(private readonly options: ChildProcessLauncherOptions) {}

  launch(name: WorkerName, launchOptions: { env?: Record<string, string> } = {}): WorkerHandle {
    const entry = this.options.entries[name];
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv ?? [],
      // Structured clone keeps typed arrays (embeddings, audio) intact across the boundary.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...launchOptions.env, ASSISTANT_WORKER: name },
    });
    this.options.logger.debug('worker launched', { worker: name, pid: child.pid });
    return childProcessHandle(child);
  }
}

function childProcessHandle(child: ChildProcess): WorkerHandle {
  const { handle, deliver, exited } = createWorkerHandle({
    pid: () => child.pid,
    post: (message) => {
      if (!child.connected) throw new Error('worker is not connected');
      child.send(message);
    },
    kill: (force) => child.kill(force ? 'SIGKILL' : 'SIGTERM'),
    close: () => child.disconnect(),
  });
  child.on('message', deliver);
  // Spawn failures also end in 'exit'; the supervisor reports them from there.
  child.on('error', () => {});
  child.on('exit', (code, signal) => exited({ code, signal }));
  return handle;
}
