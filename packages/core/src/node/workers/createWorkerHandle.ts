import { Emitter } from '../../common/disposable.js';
import { isRpcMessage, type RpcMessage } from '../../common/rpc/protocol.js';
import type { WorkerExit, WorkerHandle } from './WorkerLauncher.js';

export interface WorkerProcessHooks {
  pid(): number | undefined;
  /** Posts one message to the process; called only while it runs. */
  post(message: RpcMessage): void;
  /** Ends the process; `force` means SIGKILL. */
  kill(force: boolean): void;
  /** Closes the channel (the worker exits when its parent goes away). */
  close(): void;
}

export interface WorkerHandleController {
  handle: WorkerHandle;
  /** Feed every message the process sends; anything that is not an RPC message is dropped. */
  deliver(message: unknown): void;
  /** Call once when the process has exited. */
  exited(exit: WorkerExit): void;
}

/**
 * The process-independent half of a WorkerHandle, shared by both launchers (child_process here,
 * utilityProcess in apps/desktop): message delivery, close and exit events, and exit replay for late
 * listeners.
 */
export function createWorkerHandle(hooks: WorkerProcessHooks): WorkerHandleController {
  const messages = new Emitter<RpcMessage>();
  const closed = new Emitter<void>();
  const exitEmitter = new Emitter<WorkerExit>();
  let exit: WorkerExit | null = null;
  const handle: WorkerHandle = {
    get pid() {
      return hooks.pid();
    },
    transport: {
      send(message) {
        if (exit) throw new Error('worker is not running');
        hooks.post(message);
      },
      onMessage: messages.event,
      onClose: closed.event,
      close: () => hooks.close(),
    },
    onExit(listener) {
      if (exit) {
        const done = exit;
        queueMicrotask(() => listener(done));
      }
      return exitEmitter.event(listener);
    },
    kill(force = false) {
      if (exit === null) hooks.kill(force);
    },
  };
  return {
    handle,
    deliver(message) {
      if (isRpcMessage(message)) messages.fire(message);
    },
    exited(result) {
      if (exit) return;
      exit = result;
      // Exit first: the supervisor records why before pending calls are rejected on close.
      exitEmitter.fire(result);
      closed.fire();
    },
  };
}
