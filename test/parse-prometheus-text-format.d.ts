/** The package ships no types; this is the part the tests use (prom2json's shape). */
declare module 'parse-prometheus-text-format' {
  interface Metric {
    value?: string;
    labels?: Record<string, string>;
  }
  interface Family {
    name: string;
    help: string;
    type: string;
    metrics: Metric[];
  }
  export default function parsePrometheusTextFormat(text: string): Family[];
}
