import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

export type { PrometheusFamily };

/**
 * Prometheus text parsed by parse-prometheus-text-format (prom-client exports no parser). That parser skips
 * lines it cannot read instead of throwing, so every sample line must be accounted for in what it returned.
 */
export function parsePrometheusText(text: string): PrometheusFamily[] {
  const families = parsePrometheusTextFormat(text);
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).length;
  const samples = families.reduce(
    (total, family) =>
      total + family.metrics.reduce((sum, sample) => sum + ('buckets' in sample ? Object.keys(sample.buckets).length + 2 : 'quantiles' in sample ? Object.keys(sample.quantiles).length + 2 : 1), 0),
    0,
  );
  if (samples !== lines) throw new Error(`Not valid Prometheus text: ${lines} sample lines, ${samples} parsed.\n${text}`);
  return families;
}

/** A histogram's observation count (all label sets added up); undefined when the family is absent. */
export function histogramCount(families: PrometheusFamily[], name: string): number | undefined {
  const family = families.find((item) => item.name === name);
  if (!family) return undefined;
  if (family.type !== 'HISTOGRAM') throw new Error(`${name} is a ${family.type}, not a histogram.`);
  return family.metrics.reduce((total, sample) => total + Number('count' in sample ? sample.count : 0), 0);
}
