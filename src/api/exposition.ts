/**
 * The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0.0, written by hand: the
 * well-kept clients do not run in workerd without nodejs_compat (prom-client needs node:cluster
 * and node:util, @opentelemetry/exporter-prometheus node:http), and the small ones that do
 * (promjs, promjs-plus) leave label values unescaped and keep every histogram observation.
 * README.md ("Metrics") says how this was checked. Web APIs only, for Node and the Worker alike.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface HistogramSeries {
  labels: Labels;
  /** observations at or below each bound of the family's `bounds`, cumulative */
  cumulative: readonly number[];
  count: number;
  sum: number;
}

interface FamilyHead {
  /** for a counter, without its `_total` */
  name: string;
  help: string;
  /** the OpenMetrics unit, which `name` ends with (e.g. "seconds") */
  unit?: string;
}

export type MetricFamily =
  | (FamilyHead & { type: 'counter' | 'gauge'; samples: readonly Sample[] })
  | (FamilyHead & { type: 'histogram'; bounds: readonly number[]; series: readonly HistogramSeries[] });

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/**
 * The format an Accept header prefers: OpenMetrics when it ranks application/openmetrics-text
 * at least as high as the text format (as Prometheus does), the text format otherwise.
 */
export function negotiateFormat(accept: string | null): ExpositionFormat {
  let openMetrics = 0;
  let text = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(quality)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, quality);
    else if (type === 'text/plain' || type === '*/*' || type === 'text/*') text = Math.max(text, quality);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: the text format escapes backslash and newline, OpenMetrics the double quote too. */
function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** A bucket bound; OpenMetrics wants the canonical float form ("1.0", not "1"). */
function formatBound(bound: number, format: ExpositionFormat): string {
  if (bound === Infinity) return '+Inf';
  return format === 'openmetrics' && Number.isInteger(bound) ? bound.toFixed(1) : String(bound);
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function familyLines(family: MetricFamily, format: ExpositionFormat, lines: string[]): void {
  // In the text format a counter's family is named with _total; in OpenMetrics only its samples are.
  const sampleName = family.type === 'counter' ? `${family.name}_total` : family.name;
  const familyName = format === 'openmetrics' ? family.name : sampleName;
  lines.push(`# HELP ${familyName} ${escapeHelp(family.help, format)}`);
  lines.push(`# TYPE ${familyName} ${family.type}`);
  if (format === 'openmetrics' && family.unit !== undefined) lines.push(`# UNIT ${familyName} ${family.unit}`);
  if (family.type !== 'histogram') {
    for (const { labels, value } of family.samples) lines.push(`${sampleName}${labelText(labels)} ${formatValue(value)}`);
    return;
  }
  for (const series of family.series) {
    family.bounds.forEach((bound, i) => {
      lines.push(`${family.name}_bucket${labelText(series.labels, ['le', formatBound(bound, format)])} ${series.cumulative[i]}`);
    });
    lines.push(`${family.name}_bucket${labelText(series.labels, ['le', '+Inf'])} ${series.count}`);
    lines.push(`${family.name}_sum${labelText(series.labels)} ${formatValue(series.sum)}`);
    lines.push(`${family.name}_count${labelText(series.labels)} ${series.count}`);
  }
}

/** `families` in `format`, in the order given. */
export function renderExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  const lines: string[] = [];
  for (const family of families) familyLines(family, format, lines);
  if (format === 'openmetrics') lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** The values of `series` ordered by key, so that the output does not depend on the order of events. */
function byKey<T>(series: ReadonlyMap<string, T>): T[] {
  return [...series.keys()].sort().map((key) => series.get(key) as T);
}

/** A counter with labels, kept in memory. */
export class LabeledCounter {
  private readonly series = new Map<string, Sample>();

  add(labels: Labels, amount = 1): void {
    const key = JSON.stringify(labels);
    const sample = this.series.get(key);
    if (sample) sample.value += amount;
    else this.series.set(key, { labels, value: amount });
  }

  value(labels: Labels): number {
    return this.series.get(JSON.stringify(labels))?.value ?? 0;
  }

  samples(): Sample[] {
    return byKey(this.series).map(({ labels, value }) => ({ labels, value }));
  }
}

/** A histogram with labels and fixed bucket bounds, kept in memory as counts. */
export class LabeledHistogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; count: number; sum: number }>();

  constructor(readonly bounds: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels, counts: this.bounds.map(() => 0), count: 0, sum: 0 };
      this.series.set(key, series);
    }
    const bucket = this.bounds.findIndex((bound) => value <= bound);
    if (bucket >= 0) series.counts[bucket]++;
    series.count++;
    series.sum += value;
  }

  snapshot(): HistogramSeries[] {
    return byKey(this.series).map(({ labels, counts, count, sum }) => {
      let running = 0;
      return { labels, cumulative: counts.map((n) => (running += n)), count, sum };
    });
  }
}
