/**
 * The playground's table queries and progress text, in Node: pages, sorts and filters over a
 * run's rows as the worker answers them; what the busy state says.
 */
import { describe, expect, it } from 'vitest';
import { elapsedText, progressText } from '../../playground/progress.js';
import { describeRun, prepareRun } from '../../playground/report.js';
import { NO_ACCELERATOR, PAGE_SIZE, acceleratorsOf, queryRows, type RowQuery } from '../../playground/table-query.js';
import { generateSystem } from '../../bench/generator.js';
import { optimize, parseWith, SystemDataSchema } from '../../src/core/index.js';

/** A capacity-bound generated fleet: best effort, unallocated and every accelerator. */
const data = parseWith(SystemDataSchema, generateSystem({ servers: 240, seed: 7, capacityFactor: 0.5, saturationPolicy: 'PriorityExhaustive' }));
const run = prepareRun(data, data.system.optimizerData.optimizer, 1);
const { rows, counts, options } = describeRun(run, optimize(run.system, run.spec));
const ALL: RowQuery = { sort: 'priority', descending: false, serviceClass: '', status: '', accelerator: '', page: 0 };

describe('queryRows', () => {
  it('cuts the rows, in the report order, into pages', () => {
    const pages = Math.ceil(rows.length / PAGE_SIZE);
    const seen = Array.from({ length: pages }, (_, page) => queryRows(rows, { ...ALL, page }));
    expect(seen.flatMap((page) => page.rows)).toEqual(rows);
    expect(seen.map((page) => [page.page, page.pages, page.matching, page.total])).toEqual(seen.map((_, page) => [page, pages, rows.length, rows.length]));
    // Out of range: the nearest page.
    expect(queryRows(rows, { ...ALL, page: 99 }).page).toBe(pages - 1);
    expect(queryRows(rows, { ...ALL, page: -3 }).page).toBe(0);
  });

  it('sorts by a column either way, rows without an allocation last both ways, ties in report order', () => {
    expect(counts.unallocated).toBeGreaterThan(0);
    for (const descending of [false, true]) {
      const sorted = queryRows(rows, { ...ALL, sort: 'cost', descending, page: 0 });
      const all = Array.from({ length: sorted.pages }, (_, page) => queryRows(rows, { ...ALL, sort: 'cost', descending, page }).rows).flat();
      const allocated = all.filter((row) => row.allocation);
      expect(all.slice(allocated.length).every((row) => !row.allocation)).toBe(true);
      const costs = allocated.map((row) => row.allocation!.cost);
      expect(costs).toEqual([...costs].sort((a, b) => (descending ? b - a : a - b)));
      // Equal costs keep the report's order.
      for (let i = 1; i < allocated.length; i++) {
        if (costs[i] === costs[i - 1]) expect(rows.indexOf(allocated[i])).toBeGreaterThan(rows.indexOf(allocated[i - 1]));
      }
    }
  });

  it('filters by class, status and accelerator, together', () => {
    const serviceClass = options.classes[0];
    const accelerator = options.accelerators[0];
    const expected = rows.filter((row) => row.serviceClass === serviceClass && row.status === 'within-slo' && acceleratorsOf(row).includes(accelerator));
    expect(expected.length).toBeGreaterThan(0);
    const page = queryRows(rows, { ...ALL, serviceClass, status: 'within-slo', accelerator });
    expect(page.matching).toBe(expected.length);
    expect(page.rows).toEqual(expected.slice(0, PAGE_SIZE));
    // Servers without replicas: the unallocated ones here.
    expect(options.accelerators.at(-1)).toBe(NO_ACCELERATOR);
    expect(queryRows(rows, { ...ALL, accelerator: NO_ACCELERATOR }).matching).toBe(counts.unallocated);
    expect(queryRows(rows, { ...ALL, status: 'best-effort' }).matching).toBe(counts.bestEffort);
  });

  it("shows the page that holds a server asked for, when it matches; else the page asked for", () => {
    const last = rows.at(-1)!;
    const page = queryRows(rows, { ...ALL, page: 0, server: last.server });
    expect(page.page).toBe(page.pages - 1);
    expect(page.rows.at(-1)).toEqual(last);
    expect(queryRows(rows, { ...ALL, page: 1, server: 'nobody' }).page).toBe(1);
  });
});

describe('the report the page gets', () => {
  it('carries neither the rows nor any explanation: the worker keeps those, and explains a row when it is opened', () => {
    const posted: Record<string, unknown> = { ...describeRun(run, optimize(run.system, run.spec)) };
    delete posted.rows;
    const text = JSON.stringify(posted);
    expect(text).not.toMatch(/"candidates"|"decision"/);
    // The headroom chart's rows at most, whatever the size of the fleet.
    expect((posted.headroom as { rows: unknown[] }).rows.length).toBeLessThanOrEqual(30);
    expect(text.length).toBeLessThan(JSON.stringify(rows).length / 4);
  });
});

describe('the busy state', () => {
  it("says the run's stage, and the MILP's stage, incumbent and gap once the core reports them", () => {
    expect(progressText({ stage: 'reading' })).toBe('Reading the system data…');
    expect(progressText({ stage: 'optimizing', solver: 'greedy' })).toBe('Optimizing (greedy)…');
    const milp = { stageNumber: 2, stageCount: 4, elapsedMs: 1500 };
    // a count stage's objective is servers, the cost stage's a value
    expect(progressText({ stage: 'optimizing', solver: 'milp', milp: { ...milp, stage: 'priority 2', incumbent: 298, bound: 298.83, gap: 0.0028 } })).toBe(
      'Optimizing (MILP (HiGHS)): priority 2 (stage 2 of 4), best so far 298 within SLO, gap 0.28%…',
    );
    expect(progressText({ stage: 'optimizing', solver: 'milp', milp: { ...milp, stageNumber: 4, stage: 'cost', incumbent: 1234.567, bound: 1219.1, gap: 0.0125 } })).toBe(
      'Optimizing (MILP (HiGHS)): cost (stage 4 of 4), best value so far 1234.57, gap 1.25%…',
    );
    // no bound proved yet: no gap
    expect(progressText({ stage: 'optimizing', solver: 'milp', milp: { ...milp, stage: 'priority 1', stageNumber: 1, incumbent: 9 } })).toBe(
      'Optimizing (MILP (HiGHS)): priority 1 (stage 1 of 4), best so far 9 within SLO…',
    );
    expect(elapsedText(0)).toBe('0.0 s');
    expect(elapsedText(12_345)).toBe('12.3 s');
  });
});
