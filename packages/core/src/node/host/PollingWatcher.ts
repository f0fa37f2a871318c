import type { Disposable } from '../../common/disposable.js';

export interface PollingWatcherOptions {
  /** A cheap fingerprint of what is watched (SQLite's data_version, the models folder's listing). */
  read: () => string | Promise<string>;
  onChange: () => void | Promise<void>;
  intervalMs: number;
  /**
   * Wait until the fingerprint holds still for one interval before reporting, so a file still being
   * copied is not taken for a finished one.
   */
  settle?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * Notices changes made by other processes (the CLI beside the running app) by polling a fingerprint.
 * Polling rather than fs.watch: it works on every platform, for a folder that does not exist yet, and for
 * SQLite, whose other writers send no events. Its timer never keeps the process alive.
 */
export class PollingWatcher implements Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private known: string | null = null;
  private candidate: string | null = null;
  private disposed = false;

  private constructor(private readonly options: PollingWatcherOptions) {}

  /** Reads the current fingerprint first, so only later changes are reported. */
  static async start(options: PollingWatcherOptions): Promise<PollingWatcher> {
    const watcher = new PollingWatcher(options);
    watcher.known = await options.read();
    watcher.schedule();
    return watcher;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      const current = await this.options.read();
      if (this.disposed) return;
      if (current === this.known) this.candidate = null;
      else if (!this.options.settle || current === this.candidate) {
        this.known = current;
        this.candidate = null;
        await this.options.onChange();
      } else this.candidate = current;
    } catch (error) {
      this.options.onError?.(error);
    }
    this.schedule();
  }
}
