/** The package ships no types: its output, as its README describes it (prom2json's shape, values as strings). */
declare module 'parse-prometheus-text-format' {
  export type PrometheusSample =
    | { value: string; labels?: Record<string, string> }
    | { buckets: Record<string, string>; count: string; sum: string; labels?: Record<string, string> }
    | { quantiles: Record<string, string>; count: string; sum: string; labels?: Record<string, string> };
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PrometheusSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
