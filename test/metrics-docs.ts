/**
 * The PromQL and the scrape config that README.md and docs/grafana-dashboard.json give, read
 * from those files, and the metric names a query uses, read with Prometheus's own PromQL
 * grammar (@prometheus-io/lezer-promql).
 */
import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';

const ROOT = new URL('../', import.meta.url);

export const README = readFileSync(new URL('README.md', ROOT), 'utf8');
export const DASHBOARD = JSON.parse(readFileSync(new URL('docs/grafana-dashboard.json', ROOT), 'utf8')) as Dashboard;

interface Target {
  expr: string;
}
interface Dashboard {
  panels: { title: string; targets: Target[] }[];
  templating: { list: { name: string; type: string; definition?: string }[] };
}

/** The README's Metrics section. */
export function metricsSection(): string {
  const start = README.indexOf('\n## Metrics\n');
  if (start < 0) throw new Error('README.md has no Metrics section');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of `language` in the Metrics section. */
export function codeBlocks(language: string): string[] {
  return [...metricsSection().matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(([, body]) => body);
}

/** Grafana's variables, as a query against one job in a test would have them. */
export function substitute(expr: string, job: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', job);
}

export interface NamedQuery {
  where: string;
  expr: string;
}

/**
 * Every PromQL query of the dashboard, its variables given for `job`: the panels' targets, and
 * the metric selector of each variable's `label_values(selector, label)`.
 */
export function dashboardQueries(job = '.*'): NamedQuery[] {
  const targets = DASHBOARD.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: substitute(target.expr, job) })),
  );
  const variables = DASHBOARD.templating.list.flatMap((variable) => {
    if (variable.type !== 'query') return [];
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(variable.definition ?? '')?.[1];
    if (!selector) throw new Error(`variable ${variable.name}: not label_values(selector, label)`);
    return [{ where: `variable ${variable.name}`, expr: selector }];
  });
  return [...targets, ...variables];
}

/** The metric names `promql` selects; throws where it is not valid PromQL. */
export function metricNames(promql: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(promql).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(promql.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`not valid PromQL at ${errors.join(', ')}: ${promql}`);
  return names;
}
