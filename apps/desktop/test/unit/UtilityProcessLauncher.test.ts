import type { RpcMessage } from '@assistant/core';
import type { Logger, WorkerExit } from '@assistant/core/node';
import { utilityProcess } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UtilityProcessLauncher } from '../../src/main/UtilityProcessLauncher.js';

// A utility process as main sees it: an EventEmitter whose pid exists only between 'spawn' and 'exit'.
const fake = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  class FakeUtilityProcess extends EventEmitter {
    pid: number | undefined = undefined;
    readonly posted: unknown[] = [];
    /** utilityProcess.kill() calls (always SIGTERM in Electron). */
    kills = 0;
    postMessage(message: unknown) {
      this.posted.push(message);
    }
    kill() {
      this.kills++;
      return true;
    }
    spawn(pid: number) {
      this.pid = pid;
      this.emit('spawn');
    }
    exit(code: number) {
      this.pid = undefined;
      this.emit('exit', code);
    }
  }
  const children: FakeUtilityProcess[] = [];
  return { FakeUtilityProcess, children };
});

vi.mock('electron', () => ({
  utilityProcess: {
    fork: vi.fn(() => {
      const child = new fake.FakeUtilityProcess();
      fake.children.push(child);
      return child;
    }),
  },
}));

const call: RpcMessage = { t: 'call', id: 1, name: 'model.load', input: {} };
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function launch(env?: Record<string, string>) {
  const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const launcher = new UtilityProcessLauncher({ entries: { inference: '/app/out/main/inferenceWorker.js', ingest: '/app/out/main/ingestWorker.js', voice: '/app/out/main/voiceWorker.js' }, logger });
  const handle = launcher.launch('inference', env ? { env } : undefined);
  const child = fake.children.at(-1)!;
  return { handle, child, logger };
}

afterEach(() => {
  fake.children.length = 0;
  vi.mocked(utilityProcess.fork).mockClear();
  vi.restoreAllMocks();
});

describe('UtilityProcessLauncher', () => {
  it('forks the worker entry with its name in the environment', () => {
    vi.stubEnv('ASSISTANT_TEST_PARENT', 'inherited');
    try {
      // A caller cannot rename the worker through its env: ASSISTANT_WORKER is always the launched name.
      launch({ EXTRA: '1', ASSISTANT_WORKER: 'spoofed' });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
    const [entry, args, options] = vi.mocked(utilityProcess.fork).mock.calls[0]!;
    expect(entry).toBe('/app/out/main/inferenceWorker.js');
    expect(args).toEqual([]);
    expect(options).toMatchObject({ serviceName: 'Local Voice Assistant inference', stdio: 'inherit' });
    expect(options?.env).toMatchObject({ ASSISTANT_TEST_PARENT: 'inherited', EXTRA: '1', ASSISTANT_WORKER: 'inference' });
  });

  it('reports the pid from spawn on, and keeps the last one after exit for logs', () => {
    const { handle, child } = launch();
    expect(handle.pid).toBeUndefined();
    child.spawn(4242);
    expect(handle.pid).toBe(4242);
    child.exit(0);
    expect(handle.pid).toBe(4242);
  });

  it('delivers only RPC-shaped messages from the worker', () => {
    const { handle, child } = launch();
    const received: RpcMessage[] = [];
    handle.transport.onMessage((message) => received.push(message));
    child.emit('message', { hello: 'world' });
    child.emit('message', { t: 'result', id: 'x', ok: true, value: 1 });
    child.emit('message', null);
    const result: RpcMessage = { t: 'result', id: 1, ok: true, value: new Float32Array([1, 2]) };
    child.emit('message', result);
    expect(received).toEqual([result]);
  });

  it('posts messages while running and throws once the process has exited', () => {
    const { handle, child } = launch();
    child.spawn(1);
    handle.transport.send(call);
    expect(child.posted).toEqual([call]);
    child.exit(0);
    expect(() => handle.transport.send(call)).toThrow('worker is not running');
    expect(child.posted).toEqual([call]);
  });

  it('reports exit with its code and no signal, before the transport closes, once', () => {
    const { handle, child } = launch();
    const events: string[] = [];
    const exits: WorkerExit[] = [];
    handle.onExit((exit) => {
      exits.push(exit);
      events.push('exit');
    });
    handle.transport.onClose(() => events.push('close'));
    child.spawn(7);
    child.exit(134);
    child.emit('exit', 0); // a stray second event changes nothing
    expect(exits).toEqual([{ code: 134, signal: null }]);
    expect(events).toEqual(['exit', 'close']);
  });

  it('replays the exit to a listener that subscribes afterwards', async () => {
    const { handle, child } = launch();
    child.exit(1);
    const late = vi.fn();
    handle.onExit(late);
    expect(late).not.toHaveBeenCalled(); // asynchronous, like a live exit event
    await flush();
    expect(late).toHaveBeenCalledExactlyOnceWith({ code: 1, signal: null });
  });

  it('kills gracefully through utilityProcess.kill', () => {
    const killSpy = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { handle, child } = launch();
    child.spawn(99);
    handle.kill();
    expect(child.kills).toBe(1);
    expect(killSpy).not.toHaveBeenCalled();
  });

  it('force-kills with SIGKILL to the pid, since utilityProcess.kill is only ever SIGTERM', () => {
    const killSpy = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { handle, child } = launch();
    child.spawn(99);
    handle.kill(true);
    expect(killSpy).toHaveBeenCalledExactlyOnceWith(99, 'SIGKILL');
    expect(child.kills).toBe(0);
  });

  it('falls back to utilityProcess.kill when SIGKILL fails or there is no pid yet', () => {
    const killSpy = vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    });
    const running = launch();
    running.child.spawn(99);
    running.handle.kill(true);
    expect(killSpy).toHaveBeenCalledWith(99, 'SIGKILL');
    expect(running.child.kills).toBe(1);

    killSpy.mockClear();
    const starting = launch(); // not spawned: no pid to signal
    starting.handle.kill(true);
    expect(killSpy).not.toHaveBeenCalled();
    expect(starting.child.kills).toBe(1);
  });

  it('does nothing when killed after exit (the pid may belong to another process by then)', () => {
    const killSpy = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { handle, child } = launch();
    child.spawn(99);
    child.exit(0);
    child.pid = 99; // even if Electron still reported a pid
    handle.kill(true);
    handle.kill();
    expect(killSpy).not.toHaveBeenCalled();
    expect(child.kills).toBe(0);
  });

  it('ends the process when the transport is closed', () => {
    const { handle, child } = launch();
    child.spawn(5);
    handle.transport.close();
    expect(child.kills).toBe(1);
  });

  it('logs a fatal error with the worker and its pid', () => {
    const { child, logger } = launch();
    child.spawn(12);
    child.emit('error', 'FatalError', 'v8::Isolate', 'report');
    expect(logger.error).toHaveBeenCalledWith('worker fatal error', { worker: 'inference', pid: 12, type: 'FatalError', location: 'v8::Isolate' });
  });
});
