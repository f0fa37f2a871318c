/** Benchmark output convention: a table for people, then one JSON line (ratios named *_ratio) for machines. */
export function printReport(name: string, rows: Record<string, string | number>[], summary: Record<string, number | string>): void {
  if (rows.length > 0) {
    const columns = Object.keys(rows[0]!);
    const cell = (value: string | number) => (typeof value === 'number' ? formatNumber(value) : value);
    const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column] ?? '').length)));
    const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ');
    console.log(line(columns));
    console.log(line(widths.map((width) => '-'.repeat(width))));
    for (const row of rows) console.log(line(columns.map((column) => cell(row[column] ?? ''))));
    console.log('');
  }
  console.log(JSON.stringify({ bench: name, ...summary }));
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));
