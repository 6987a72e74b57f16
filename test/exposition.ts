/**
 * Reads the counters and gauges of a Prometheus text exposition back into values a test can
 * compare, with parse-prometheus-text-format (a port of the Python client's parser; it reads
 * only one unlabelled series of a histogram, so histograms are checked otherwise). Web APIs
 * only: the workerd tests use it too.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface ParsedSample {
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  /** COUNTER, GAUGE, HISTOGRAM */
  type: string;
  /** none for a histogram */
  samples: ParsedSample[];
}

/** Families by name (a counter's with its _total). */
export function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  for (const family of parsePrometheusTextFormat(text)) {
    const samples = family.type === 'HISTOGRAM' ? [] : family.metrics.map((metric) => ({ labels: metric.labels ?? {}, value: Number(metric.value) }));
    families.set(family.name, { name: family.name, help: family.help, type: family.type, samples });
  }
  return families;
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): ParsedSample[] {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name} in the exposition`);
  return family.samples.filter((sample) => Object.entries(labels).every(([label, value]) => sample.labels[label] === value));
}

/** The value of the one sample of `name` with `labels`; undefined when there is none. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesOf(families, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
