import { describe, expect, it, vi } from 'vitest';
import { Emitter, ErrorCode, createMemoryTransportPair, inferenceContract, serveRpc } from '../../src/index.js';
import { type WorkerExit, type WorkerHandle, type WorkerLauncher, WorkerSupervisor, silentLogger } from '../../src/node/index.js';

/** A launcher whose "processes" are in-memory servers; the process edge is the one place we fake. */
class FakeLauncher implements WorkerLauncher {
  readonly launched: { crash(): void; exit: Emitter<WorkerExit> }[] = [];
  failStart = false;
  /** Launches that fail before they succeed again (no window in which the test must flip failStart). */
  failNext = 0;

  launch(): WorkerHandle {
    const [hostSide, workerSide] = createMemoryTransportPair();
    const exit = new Emitter<WorkerExit>();
    let exited = false;
    const die = (signal: string | null) => {
      if (exited) return;
      exited = true;
      hostSide.close();
      queueMicrotask(() => exit.fire({ code: signal ? null : 0, signal }));
    };
    const server = serveRpc(inferenceContract, workerSide, {
      'model.load': async (input) => ({ modelPath: input.modelPath, threads: 1, contextSize: 64, trainContextSize: 64, sizeBytes: 1, sequences: 1 }),
      'model.unload': async () => ({ unloaded: true }),
      'chat.generate': async () => ({ text: 'ok', stopReason: 'eos', promptTokens: 1, completionTokens: 1, trimmedMessages: 0, evaluatedTokens: 1, cachedTokens: 0, generationMs: 1 }),
      'embed.load': async (input) => ({ modelPath: input.modelPath, dimensions: 4, contextSize: 64, threads: 1 }),
      'embed.batch': async ({ texts }) => ({ vectors: texts.map(() => ''), truncated: 0 }),
      'engine.stats': async () => ({ evaluations: 0, evaluatedTokens: 0 }),
    });
    if (this.failStart || this.failNext > 0) {
      this.failNext = Math.max(0, this.failNext - 1);
      queueMicrotask(() => die('SIGSEGV'));
    }
    else setTimeout(() => server.publish('worker.ready', { pid: 42 }), 1);
    this.launched.push({ crash: () => die('SIGKILL'), exit });
    return { pid: 42, transport: hostSide, onExit: exit.event, kill: () => die('SIGTERM') };
  }
}

/** Polls for the state instead of sleeping against the supervisor's timers. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

function setup(openMs = 60_000, now?: () => number) {
  const launcher = new FakeLauncher();
  const supervisor = new WorkerSupervisor({ name: 'inference', contract: inferenceContract, launcher, logger: silentLogger, openMs, startTimeoutMs: 1000, now });
  const states: string[] = [];
  supervisor.onDidChangeState((state) => states.push(`${state.status}/${state.breaker}`));
  return { launcher, supervisor, states };
}

describe('WorkerSupervisor', () => {
  it('starts the worker on demand and waits for it to be ready', async () => {
    const { supervisor, launcher } = setup();
    const { client } = await supervisor.client();
    await expect(client.call('model.unload', {})).resolves.toEqual({ unloaded: true });
    expect(launcher.launched).toHaveLength(1);
    expect(supervisor.state.status).toBe('ready');
  });

  it('restarts a crashed worker at once, with a new generation', async () => {
    const { supervisor, launcher } = setup();
    const first = await supervisor.client();
    launcher.launched[0]!.crash();
    await eventually(() => expect(launcher.launched).toHaveLength(2));
    const second = await supervisor.client();
    expect(second.generation).toBeGreaterThan(first.generation);
    expect(supervisor.state).toMatchObject({ status: 'ready', restarts: 1, lastError: 'killed by SIGKILL' });
  });

  it('rejects calls in flight when the worker dies', async () => {
    const { supervisor, launcher } = setup();
    const { client } = await supervisor.client();
    const pending = client.call('model.unload', {});
    launcher.launched[0]!.crash();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.WorkerCrashed });
  });

  it('opens the circuit after three failures in a row and says when it retries', async () => {
    const { supervisor, launcher, states } = setup();
    launcher.failStart = true;
    await expect(supervisor.client()).rejects.toMatchObject({ code: ErrorCode.WorkerCrashed });
    await eventually(() => expect(supervisor.state.breaker).toBe('open'));
    expect(launcher.launched).toHaveLength(3);
    expect(states.at(-1)).toBe('unavailable/open');
    const error = await supervisor.client().catch((e: Error) => e);
    expect(error).toMatchObject({ code: ErrorCode.WorkerUnavailable });
    expect((error as Error).message).toMatch(/3 failures in a row.*try again at/);
  });

  it('probes by itself after the open period and closes on success', { timeout: 20_000 }, async () => {
    const { supervisor, launcher, states } = setup(100);
    // Three failed starts open the circuit; the probe after the open period starts fine.
    launcher.failNext = 3;
    await supervisor.client().catch(() => {});
    // No call is made: the half-open probe after the open period relaunches the worker by itself.
    await eventually(() => expect(supervisor.state).toMatchObject({ breaker: 'closed', status: 'ready' }));
    expect(launcher.launched).toHaveLength(4);
    expect(states).toContain('unavailable/open');
  });

  it('still probes when its timer fires before the clock reaches the probe time (timers and Date.now disagree)', { timeout: 20_000 }, async () => {
    // Once the probe timer is set, the wall clock runs 30 ms behind the timer: the first probe comes too early.
    let lag = 0;
    const { supervisor, launcher, states } = setup(100, () => Date.now() - lag);
    supervisor.onDidChangeState((state) => {
      if (state.breaker === 'open') queueMicrotask(() => (lag = 30));
    });
    launcher.failNext = 3;
    await supervisor.client().catch(() => {});
    await eventually(() => expect(supervisor.state).toMatchObject({ breaker: 'closed', status: 'ready' }));
    expect(launcher.launched).toHaveLength(4);
    expect(states).toContain('unavailable/open');
  });

  it('Retry closes the circuit at once', async () => {
    const { supervisor, launcher } = setup();
    launcher.failStart = true;
    await supervisor.client().catch(() => {});
    await eventually(() => expect(supervisor.state.breaker).toBe('open'));
    launcher.failStart = false;
    await supervisor.retry();
    expect(supervisor.state).toMatchObject({ breaker: 'closed', status: 'ready', lastError: null });
  });

  it('a deliberate stop is not a failure', async () => {
    const { supervisor, launcher } = setup();
    await supervisor.client();
    await supervisor.stop();
    expect(supervisor.state).toMatchObject({ status: 'stopped', restarts: 0, breaker: 'closed' });
    expect(launcher.launched).toHaveLength(1);
  });
});
