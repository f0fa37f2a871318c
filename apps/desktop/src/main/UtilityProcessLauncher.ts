import { type Logger, type WorkerHandle, type WorkerLauncher, type WorkerName, createWorkerHandle } from '@assistant/core/node';
import { type UtilityProcess, utilityProcess } from 'electron';

export interface UtilityProcessLauncherOptions {
  /** The built worker entry per worker: out/main/<name>Worker.js, next to the main bundle. */
  entries: Record<WorkerName, string>;
  /** Node flags per worker, e.g. the ingest worker's heap cap. */
  execArgv?: Partial<Record<WorkerName, string[]>>;
  logger: Logger;
}

/**
 * Starts workers as Electron utility processes (Chromium's service sandbox, listed by name in the OS task
 * manager). Same semantics as ChildProcessLauncher in @assistant/core: the same worker entry runs under
 * both, talking over `process.parentPort` here instead of `process.send`. Messages are structured clones,
 * so typed arrays (embeddings, audio) cross intact.
 */
export class UtilityProcessLauncher implements WorkerLauncher {
  constructor(private readonly options: UtilityProcessLauncherOptions) {}

  launch(name: WorkerName, launchOptions: { env?: Record<string, string> } = {}): WorkerHandle {
    const child = utilityProcess.fork(this.options.entries[name], [], {
      serviceName: `Local Voice Assistant ${name}`,
      execArgv: this.options.execArgv?.[name],
      stdio: 'inherit',
      env: { ...process.env, ...launchOptions.env, ASSISTANT_WORKER: name },
    });
    const handle = utilityProcessHandle(child, name, this.options.logger);
    this.options.logger.debug('worker launched', { worker: name });
    return handle;
  }
}

function utilityProcessHandle(child: UtilityProcess, name: WorkerName, logger: Logger): WorkerHandle {
  // child.pid is undefined until 'spawn' and again after 'exit'; keep the last one for logs.
  let pid: number | undefined;
  const { handle, deliver, exited } = createWorkerHandle({
    pid: () => child.pid ?? pid,
    post: (message) => child.postMessage(message),
    kill: (force) => {
      const target = child.pid;
      if (force && target !== undefined) {
        // utilityProcess.kill() is always graceful (SIGTERM); a worker stuck in native code needs SIGKILL.
        try {
          process.kill(target, 'SIGKILL');
          return;
        } catch {
          // Already gone: the graceful path below is then a no-op.
        }
      }
      child.kill();
    },
    // The worker side has no 'disconnect' to notice, so closing the channel ends the process.
    close: () => child.kill(),
  });
  child.on('spawn', () => {
    pid = child.pid;
    logger.debug('worker spawned', { worker: name, pid });
  });
  child.on('message', deliver);
  child.on('error', (type, location) => {
    // A V8 fatal error; 'exit' follows and the supervisor reports it from there.
    logger.error('worker fatal error', { worker: name, pid, type, location });
  });
  // Utility processes report no signal: a crash or a kill shows up as its exit code.
  child.on('exit', (code) => exited({ code, signal: null }));
  return handle;
}
