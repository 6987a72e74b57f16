/**
 * README's Metrics section and docs/grafana-dashboard.json against METRICS: every metric listed,
 * every query valid PromQL naming only metrics that exist. (test/node/prometheus.test.ts runs
 * the queries against a real Prometheus.)
 */
import { describe, expect, it } from 'vitest';
import { METRICS, sampleNames } from '../../src/api/metrics.js';
import { codeBlocks, dashboardQueries, metricNames, metricsSection } from '../metrics-docs.js';

const EXPOSED = new Set(Object.values(METRICS).flatMap(sampleNames));

describe('the metrics docs', () => {
  it("README's table lists every metric, once, with its type, labels and source, and no other", () => {
    const rows = [...metricsSection().matchAll(/^\| `(inferno_\w+)` \| (\w+) \|([^|]*)\|([^|]+)\|[^|]+\|$/gm)];
    const listed = rows.map(([, name, type, labels, source]) => ({
      name,
      type,
      labels: [...labels.matchAll(/`(\w+)`/g)].map(([, label]) => label),
      source: source.trim(),
    }));
    const defined = Object.values(METRICS).map((m) => ({
      name: m.type === 'counter' ? `${m.name}_total` : m.name,
      type: m.type,
      labels: [...m.labels],
      source: m.source,
    }));
    expect(listed).toEqual(defined);
  });

  it('every dashboard query is PromQL that names only metrics that exist', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      const names = metricNames(expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) expect(EXPOSED.has(name), `${where}: ${name}`).toBe(true);
    }
  });

  it('the dashboard shows cost, servers by state, replicas per server and optimization time', () => {
    const named = new Set(dashboardQueries().flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      'inferno_total_cost_cents_per_hour',
      'inferno_servers',
      'inferno_server_desired_replicas',
      'inferno_optimization_duration_seconds_bucket',
    ]) {
      expect(named.has(name), name).toBe(true);
    }
  });

  it("README's PromQL is valid and names only metrics that exist", () => {
    const examples = codeBlocks('promql');
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      for (const name of metricNames(example)) expect(EXPOSED.has(name), name).toBe(true);
    }
  });

  it('the checker itself refuses invalid PromQL and finds every selector', () => {
    expect(() => metricNames('sum(inferno_servers{')).toThrow(/not valid PromQL/);
    expect(metricNames('rate(a_total[1m]) / on(server) group_left b * c{x="y"}')).toEqual(['a_total', 'b', 'c']);
  });
});
