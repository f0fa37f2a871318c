export interface RefusalTallyOptions {
  /** Receives one summary per source and minute. */
  onSummary(summary: string, details: Record<string, unknown>): void;
  now?: () => number;
}

interface SourceTally {
  refused: number;
  reasons: Record<string, number>;
  routes: Record<string, number>;
}

const minuteMs = 60_000;
/** Distinct routes kept per source and minute (a caller picks the URLs); the rest are counted as "other". */
const maxRoutes = 20;
const maxRouteChars = 100;

const minuteText = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;

/**
 * Counts refused calls (no key or a wrong one) instead of recording each: anyone on the machine can send
 * them, as fast as they like, and one audit row per call would push real events out of view. Each source
 * gets one summary row per minute with the count, written when the minute is over (or on `flush`, at shutdown).
 */
export class RefusalTally {
  private minute: number | null = null;
  private readonly sources = new Map<string, SourceTally>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RefusalTallyOptions) {}

  record(source: string, route: string, reason: string): void {
    const now = (this.options.now ?? Date.now)();
    const minute = Math.floor(now / minuteMs) * minuteMs;
    if (this.minute !== null && minute !== this.minute) this.flush();
    this.minute = minute;
    let tally = this.sources.get(source);
    if (!tally) this.sources.set(source, (tally = { refused: 0, reasons: {}, routes: {} }));
    tally.refused++;
    tally.reasons[reason] = (tally.reasons[reason] ?? 0) + 1;
    const shown = route.length > maxRouteChars ? `${route.slice(0, maxRouteChars - 1)}…` : route;
    const key = shown in tally.routes || Object.keys(tally.routes).length < maxRoutes ? shown : 'other';
    tally.routes[key] = (tally.routes[key] ?? 0) + 1;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), minute + minuteMs - now);
      this.timer.unref();
    }
  }

  /** Writes a summary for each source counted since the last one. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const minute = this.minute;
    this.minute = null;
    if (minute === null) return;
    for (const [source, tally] of this.sources) {
      const why = Object.entries(tally.reasons)
        .map(([reason, count]) => `${count} ${reason}`)
        .join(', ');
      this.options.onSummary(`Local API refused ${tally.refused} ${tally.refused === 1 ? 'call' : 'calls'} from ${source} in the minute from ${minuteText(minute)}: ${why}.`, {
        source,
        refused: tally.refused,
        from: minute,
        to: minute + minuteMs,
        reasons: tally.reasons,
        routes: tally.routes,
        status: 401,
      });
    }
    this.sources.clear();
  }
}
