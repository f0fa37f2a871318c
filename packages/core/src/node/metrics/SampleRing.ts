/**
 * The latest `capacity` values of one figure, for its median and 95th percentile in Diagnostics. Kept as
 * samples rather than read from the Prometheus histogram: a bucket only bounds a percentile (between 2 s
 * and 3 s, say), while a user comparing two answers wants the figure itself. A thousand numbers per figure
 * is a few kilobytes; a long session's older values leave the ring, the histogram keeps counting them.
 */
export class SampleRing {
  private readonly values: number[] = [];
  private next = 0;
  /** Every value ever added, not only those kept. */
  count = 0;

  constructor(private readonly capacity = 1000) {}

  add(value: number): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.count++;
  }

  /** The nearest-rank percentile (a value actually observed) of the kept values; null when there are none. */
  percentile(p: number): number | null {
    if (this.values.length === 0) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1]!;
  }
}
