/** The MILP on today's samples (perfParms): the same candidates, the same rules as for the seed's. */
import { beforeAll, describe, expect, it } from 'vitest';
import { IterationTimeAnalyzer, optimize, parseWith, System, SystemDataSchema, type MipSolver, type OptimizerSpec } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { SAMPLES } from '../../src/samples/index.js';

let mipSolver: MipSolver;
beforeAll(async () => {
  mipSolver = await loadNodeMipSolver();
});

function solve(sample: 'today-small' | 'today-large', spec: Partial<OptimizerSpec>, capacityScale = 1) {
  const data = parseWith(SystemDataSchema, SAMPLES[sample]);
  for (const count of data.system.capacityData.count) count.count = Math.floor(count.count * capacityScale);
  return optimize(System.fromSpec(data.system), { ...data.system.optimizerData.optimizer, ...spec }, { mipSolver });
}

/** Solving takes a few seconds on a loaded machine; the time limits keep each test well inside this. */
describe('the MILP on perfParms systems', { timeout: 60_000 }, () => {
  it('serves every server the greedy serves, within SLOs, at no more cost', () => {
    const milp = solve('today-small', { milpSolver: true, milpTimeLimit: 20 });
    const greedy = solve('today-small', {});
    expect(milp.solution.summary?.status).toBe('optimal');
    expect(Object.keys(milp.solution.allocations)).toEqual(Object.keys(greedy.solution.allocations));
    expect(Object.values(milp.solution.allocations).every((a) => !a.bestEffort)).toBe(true);
    const costOf = (solution: typeof milp.solution) => Object.values(solution.allocations).reduce((sum, a) => sum + a.cost, 0);
    expect(costOf(milp.solution)).toBeLessThanOrEqual(costOf(greedy.solution));
    for (const s of milp.candidates) expect(milp.allocations.get(s.server)?.analyzer).toBeInstanceOf(IterationTimeAnalyzer);
  });

  it('heterogeneous, short of capacity: split servers report the latency of each placement at its share of the load', () => {
    const { solution } = solve('today-small', { milpSolver: true, heterogeneous: true, milpTimeLimit: 5 }, 1 / 4);
    expect(solution.summary?.formulation).toBe('heterogeneous');
    const split = Object.values(solution.allocations).filter((a) => a.placements);
    expect(split.length).toBeGreaterThan(0);
    for (const allocation of split) {
      for (const placement of allocation.placements!) {
        expect(placement.numReplicas).toBeGreaterThan(0);
        expect(Number.isFinite(placement.itlAverage) && placement.itlAverage > 0).toBe(true);
      }
    }
    expect(JSON.stringify(solution)).not.toMatch(/NaN|Infinity|null/);
  });

  it('best effort after the MILP reports the latency of the replicas given', () => {
    const { solution, allocations } = solve('today-small', { milpSolver: true, saturationPolicy: 'PriorityExhaustive', milpTimeLimit: 5 }, 1 / 8);
    const bestEffort = Object.entries(solution.allocations).filter(([, a]) => a.bestEffort);
    expect(bestEffort.length).toBeGreaterThan(0);
    for (const [name, allocation] of bestEffort) {
      const chosen = allocations.get(name)!;
      const metrics = (chosen.analyzer as IterationTimeAnalyzer).metricsAtRate(chosen.totalRate / allocation.numReplicas);
      expect(chosen.ttft).toBe(metrics.ttft);
    }
  });
});
