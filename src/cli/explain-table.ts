/** The explanation of an optimization as plain-text tables, for the terminal. */
import type { Explanation, ServerExplanation } from '../core/index.js';

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function number(value: number | undefined, digits = 1): string {
  return value === undefined ? '' : String(Math.round(value * 10 ** digits) / 10 ** digits);
}

function againstTarget(value: number | undefined, target: number | undefined): string {
  if (value === undefined) return '';
  return target ? `${number(value)}/${target}` : number(value);
}

export function explanationTable(explanation: Explanation): string {
  const rows = explanation.servers.map((s) => [
    s.server,
    s.class,
    String(s.priority),
    s.status,
    s.allocation?.accelerator ?? '',
    s.allocation ? String(s.allocation.numReplicas) : '',
    s.allocation ? number(s.allocation.cost, 2) : '',
    againstTarget(s.allocation?.itlAverage, s.targets?.itl),
    againstTarget(s.allocation?.ttftAverage, s.targets?.ttft),
    s.decision,
  ]);
  const header = ['SERVER', 'CLASS', 'PRIO', 'STATUS', 'ACCELERATOR', 'REPLICAS', 'COST', 'ITL/SLO ms', 'TTFT/SLO ms', 'WHY'];
  return `${table(header, rows)}\n\nsolver: ${explanation.solver}; total cost: ${explanation.totalCost} cents/hour`;
}

export function serverTable(s: ServerExplanation): string {
  const { load, targets } = s;
  const slo = targets
    ? [targets.itl && `ITL ${targets.itl} ms`, targets.ttft && `TTFT ${targets.ttft} ms`, targets.tps && `TPS ${targets.tps} tokens/s`].filter(Boolean).join(', ')
    : 'none';
  const rows = s.candidates.map((c) => [
    c.accelerator,
    c.feasible ? 'yes' : 'no',
    c.numReplicas === undefined ? '' : String(c.numReplicas),
    c.batchSize === undefined ? '' : String(c.batchSize),
    number(c.cost, 2),
    number(c.value, 2),
    number(c.maxRatePerReplica, 3),
    number(c.itl),
    number(c.ttft),
    c.chosen ? '*' : '',
    c.reason ?? c.note ?? '',
  ]);
  const header = ['ACCELERATOR', 'FEASIBLE', 'REPLICAS', 'BATCH', 'COST', 'VALUE', 'REQ/S/REPLICA', 'ITL ms', 'TTFT ms', 'CHOSEN', 'WHY NOT / NOTE'];
  return [
    `server ${s.server} (class ${s.class}, model ${s.model}, priority ${s.priority})`,
    `load: ${load.arrivalRate} requests/min, ${load.avgInTokens} input and ${load.avgOutTokens} output tokens; SLO targets: ${slo}`,
    `${s.status}: ${s.decision}`,
    '',
    s.candidates.length > 0 ? table(header, rows) : '(no candidates)',
  ].join('\n');
}
