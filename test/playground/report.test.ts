/**
 * The playground's run report, in Node: rows and usage as the page shows them, taken from the
 * core's result and its explanation; and the formats of allocations and gaps.
 */
import { describe, expect, it } from 'vitest';
import { formatPercent, formatPlacements, formatReplicaRate } from '../../playground/format.js';
import { reportFile } from '../../playground/report-file.js';
import { describeRun, explainServers, prepareRun } from '../../playground/report.js';
import { explainResult, optimize, parseWith, SystemDataSchema, type MipSolver, type OptimizerSpec } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { SAMPLES } from '../../src/samples/index.js';

function report(sample: 'small' | 'large', flags: Partial<OptimizerSpec>, arrivalScale: number, mipSolver?: MipSolver) {
  const data = parseWith(SystemDataSchema, SAMPLES[sample]);
  const spec: OptimizerSpec = { ...data.system.optimizerData.optimizer, ...flags };
  const run = prepareRun(data, spec, arrivalScale);
  const result = optimize(run.system, run.spec, { mipSolver });
  const explanation = explainResult(run.system, run.spec, result);
  return { run, result, explanation, report: describeRun(run, result) };
}

describe('describeRun', () => {
  it("gives every unallocated server the core's decision as its reason", () => {
    // Twice the load and no saturation policy: some servers get nothing.
    const { report: shown, explanation } = report('large', { saturationPolicy: 'None' }, 2);
    expect(shown.rows.map((row) => row.server).sort()).toEqual(explanation.servers.map((server) => server.server).sort());
    const unallocated = explanation.servers.filter((server) => server.status === 'unallocated');
    expect(unallocated.length).toBeGreaterThan(0);
    for (const row of shown.rows) {
      const server = explanation.servers.find((s) => s.server === row.server)!;
      if (server.allocation) {
        expect(row.reason, row.server).toBeUndefined();
        expect(row.allocation?.numReplicas, row.server).toBe(server.allocation.numReplicas);
      } else {
        expect(row.allocation, row.server).toBeUndefined();
        expect(row.reason, row.server).toBe(server.decision);
      }
    }
  });

  it('marks best-effort rows with the replicas their SLOs need', () => {
    const { report: shown, explanation } = report('large', {}, 1);
    const bestEffort = explanation.servers.filter((server) => server.status === 'best-effort');
    expect(bestEffort.length).toBeGreaterThan(0);
    for (const server of bestEffort) {
      const row = shown.rows.find((r) => r.server === server.server)!;
      const chosen = server.candidates.find((candidate) => candidate.chosen)!;
      expect(row.allocation).toMatchObject({ bestEffort: true, numReplicas: server.allocation!.numReplicas, replicasNeeded: chosen.numReplicas });
      expect(row.allocation!.replicasNeeded).toBeGreaterThan(row.allocation!.numReplicas);
    }
  });

  // HiGHS loads and solves on a machine that runs every test file at once: time enough for both,
  // and a MILP time limit (wall clock) that a slow run cannot reach
  it('counts the units and cost of a heterogeneous allocation against the type of each placement', { timeout: 60_000 }, async () => {
    const mipSolver = await loadNodeMipSolver();
    const { report: shown, run, result } = report('small', { milpSolver: true, heterogeneous: true, milpTimeLimit: 600 }, 1, mipSolver);
    const { system } = run;
    const split = shown.rows.filter((row) => row.allocation?.placements);
    expect(split.length).toBeGreaterThan(0);

    // Units from the data itself: accelerator multiplicity × the model's accelerator count.
    const expected = new Map<string, number>();
    for (const row of shown.rows) {
      const allocation = row.allocation;
      if (!allocation || allocation.accelerator === '') continue;
      for (const { accelerator, numReplicas } of allocation.placements ?? [allocation]) {
        const spec = system.getAccelerator(accelerator)!;
        const perf = system.getModelAcceleratorPerf(row.model, accelerator)!;
        const units = numReplicas * spec.multiplicity * Math.max(1, perf.accCount);
        expected.set(spec.type, (expected.get(spec.type) ?? 0) + units);
      }
    }
    for (const type of shown.types) {
      expect(type.used, type.type).toBe(expected.get(type.type) ?? 0);
      expect(type.used, type.type).toBeLessThanOrEqual(type.available);
    }
    const costByType = shown.types.reduce((sum, type) => sum + type.cost, 0);
    expect(costByType).toBeCloseTo(shown.totalCost, 2);
    for (const row of split) expect(row.allocation!.placements).toEqual(result.solution.allocations[row.server].placements);
  });
});

describe('counts', () => {
  it('counts a server within SLO only when it is allocated in full and meets its targets; best effort and unallocated apart', () => {
    // The small sample at ×4, PriorityExhaustive: best effort and unallocated servers both.
    const { report: shown, explanation } = report('small', { saturationPolicy: 'PriorityExhaustive' }, 4);
    const byStatus = (status: string) => explanation.servers.filter((server) => server.status === status).length;
    expect(shown.counts.bestEffort).toBe(byStatus('best-effort'));
    expect(shown.counts.unallocated).toBe(byStatus('unallocated'));
    expect(shown.counts.bestEffort).toBeGreaterThan(0);
    expect(shown.counts.unallocated).toBeGreaterThan(0);
    for (const row of shown.rows) {
      const { allocation } = row;
      const meets = (check: { value: number; target: number }) => check.target <= 0 || check.value <= check.target;
      const within = allocation !== undefined && !allocation.bestEffort && meets(allocation.itl) && meets(allocation.ttft);
      expect(row.status === 'within-slo', row.server).toBe(within);
    }
    const { servers, withinSlo, missedSlo, bestEffort, unallocated } = shown.counts;
    expect(servers).toBe(shown.rows.length);
    expect(withinSlo + missedSlo + bestEffort + unallocated).toBe(servers);
    // "Allocated" would have said more: best effort is allocated, and misses its SLOs.
    expect(withinSlo).toBeLessThan(shown.rows.filter((row) => row.allocation).length);
  });

  it('writes the counts, and every server with how it came out, in the downloaded report', () => {
    const { report: shown } = report('large', {}, 1);
    const file = reportFile(shown) as { counts: unknown; totalCost: number; servers: { server: string; status: string; numReplicas?: number; replicasNeeded?: number; reason?: string }[] };
    expect(file.counts).toEqual(shown.counts);
    expect(file.totalCost).toBeCloseTo(shown.totalCost, 6);
    expect(file.servers.map((server) => [server.server, server.status])).toEqual(shown.rows.map((row) => [row.server, row.status]));
    const mixtral = file.servers.find((server) => server.server === 'Free-mixtral_8_7b');
    expect(mixtral).toMatchObject({ status: 'best-effort', numReplicas: 1, replicasNeeded: 38 });
  });
});

describe('explainServers', () => {
  it("explains one server of a run as the core's explanation of the whole run does", () => {
    const { run, result, explanation } = report('large', {}, 1);
    for (const server of explanation.servers) expect(explainServers(run, result, new Set([server.server]))).toEqual([server]);
    expect(explainServers(run, result, new Set(['nobody']))).toEqual([]);
  });
});

describe('formats', () => {
  it('writes placements as replicas × accelerator, in the order given', () => {
    expect(
      formatPlacements([
        { accelerator: 'A100', numReplicas: 2 },
        { accelerator: 'G2', numReplicas: 2 },
      ]),
    ).toBe('2 × A100 + 2 × G2');
    expect(formatPlacements([{ accelerator: '4xA100', numReplicas: 33 }])).toBe('33 × 4xA100');
  });

  it('writes rates per replica below 1 to three significant digits, above to two decimals', () => {
    expect(formatReplicaRate(0)).toBe('0');
    expect(formatReplicaRate(0.012345)).toBe('0.0123');
    expect(formatReplicaRate(0.5)).toBe('0.5');
    expect(formatReplicaRate(2.5937)).toBe('2.59');
    expect(formatReplicaRate(1234.5678)).toBe('1234.57');
  });

  it('writes a relative gap as a percentage to at most two decimals', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.00125)).toBe('0.13%');
    expect(formatPercent(0.5)).toBe('50%');
  });
});
