import { beforeAll, describe, expect, it } from 'vitest';
import { generateSystem } from '../../bench/generator.js';
import {
  optimize,
  parseWith,
  System,
  SystemDataSchema,
  type MipSolver,
  type OptimizeOptions,
  type OptimizerSpec,
  type OptimizeResult,
  type SystemData,
} from '../../src/core/index.js';
import { explain } from '../../src/core/explain.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { SAMPLES } from '../../src/samples/index.js';
import { server, systemData } from '../core/builders.js';

let mipSolver: MipSolver;
beforeAll(async () => {
  mipSolver = await loadNodeMipSolver();
}, 60_000);

/**
 * Optimizes `data` with `spec`. Unless told otherwise, the clock stands still and the limit is
 * an hour, so that how busy the machine is never changes an answer.
 */
function solve(data: SystemData, spec: Partial<OptimizerSpec>, options: OptimizeOptions = {}): { result: OptimizeResult; system: System } {
  const system = System.fromSpec(data.system);
  const result = optimize(system, { ...data.system.optimizerData.optimizer, milpTimeLimit: 3600, ...spec }, { mipSolver, now: () => 0, ...options });
  return { result, system };
}

/** The sum of what both solvers minimise: the value of the allocations within SLO. */
function sloValue(result: OptimizeResult): number {
  return [...result.allocations.values()].filter((a) => !a.bestEffort).reduce((sum, a) => sum + a.value, 0);
}

/** A clock that reads `times` one after the other, then the last one for ever. */
function clockReading(...times: number[]): () => number {
  let next = 0;
  return () => times[Math.min(next++, times.length - 1)];
}

/** A solution without the times its summary reports, which differ from run to run. */
function timeless(solution: OptimizeResult['solution']): unknown {
  return JSON.parse(JSON.stringify(solution, (key, value) => (key === 'ms' ? undefined : value)));
}

/** Servers within SLO by priority, as the summary states them. */
function summaryServed(result: OptimizeResult): number[] {
  const served = result.solution.summary?.servedWithinSLO ?? {};
  return Object.keys(served)
    .map(Number)
    .sort((a, b) => a - b)
    .map((p) => served[p]);
}

/** Servers served within their SLOs (not best effort), counted by priority, highest first. */
function servedByPriority(result: OptimizeResult): number[] {
  const counts = new Map<number, number>();
  for (const s of result.candidates) {
    const allocation = result.allocations.get(s.server);
    counts.set(s.priority, (counts.get(s.priority) ?? 0) + (allocation && !allocation.bestEffort ? 1 : 0));
  }
  return [...counts.keys()].sort((a, b) => a - b).map((p) => counts.get(p) as number);
}

/** -1, 0 or 1 as a is lexicographically smaller, equal or larger than b. */
function compareLexicographically(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0) ? -1 : 1;
  }
  return 0;
}

/** Units of each accelerator type an answer uses, placements included. */
function unitsUsed(result: OptimizeResult): Map<string, number> {
  const used = new Map<string, number>();
  for (const s of result.candidates) {
    const allocation = result.allocations.get(s.server);
    if (!allocation) continue;
    const parts = allocation.placements ?? [{ accelerator: allocation.accelerator, numReplicas: allocation.numReplicas }];
    for (const part of parts) {
      const candidate = s.candidates.find((c) => c.accelerator === part.accelerator);
      if (!candidate) continue;
      const type = candidate.acceleratorType;
      used.set(type, (used.get(type) ?? 0) + candidate.unitsPerReplica * part.numReplicas);
    }
  }
  return used;
}

function tightSample(size: 'small' | 'large', fraction: number): SystemData {
  const data = parseWith(SystemDataSchema, SAMPLES[size]);
  const count = data.system.capacityData.count.map((c) => ({ ...c, count: Math.floor(c.count * fraction) }));
  return { system: { ...data.system, capacityData: { count } } };
}

/** HiGHS's work on the larger cases takes seconds of CPU; the machine may be busy. */
const SLOW = 120_000;

// CPU-bound work that shares 2 cores with every other test file: more than vitest's 5 s default
describe('MILP with HiGHS', { timeout: SLOW }, () => {
  it('on the small sample at 1/8 capacity serves 9 servers within SLO with best effort delayed, 7 without, where the greedy serves 5', () => {
    const data = tightSample('small', 1 / 8);
    const greedy = solve(data, { milpSolver: false }).result;
    expect(servedByPriority(greedy).reduce((a, b) => a + b)).toBe(5);
    const delayed = solve(data, { milpSolver: true, delayedBestEffort: true }).result;
    expect(servedByPriority(delayed)).toEqual([4, 3, 2]);
    expect(delayed.solution.summary).toMatchObject({ solver: expect.stringMatching(/^HiGHS/), status: 'optimal', formulation: 'single', answer: 'milp' });
    // each group's best effort before the next group's servers: fewer of them fit
    const inOrder = solve(data, { milpSolver: true, delayedBestEffort: false }).result;
    expect(servedByPriority(inOrder)).toEqual([4, 2, 1]);
  });

  it('with ample capacity answers what the greedy answers (ties go to the greedy, whose order is the rule)', () => {
    for (const size of ['small', 'large'] as const) {
      const data = tightSample(size, 100);
      const greedy = solve(data, { milpSolver: false }).result;
      const milp = solve(data, { milpSolver: true }).result;
      expect(milp.solution.allocations).toEqual(greedy.solution.allocations);
      expect(milp.solution.summary).toMatchObject({ answer: 'greedy', status: 'optimal' });
    }
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'seeded capacity-bound system %i: lexicographically at least the greedy, no more value on a tie, within capacity',
    (seed) => {
      const data = parseWith(SystemDataSchema, generateSystem({ servers: 40, seed, capacityFactor: 0.35 }));
      for (const heterogeneous of [false, true]) {
        const greedy = solve(data, { milpSolver: false, heterogeneous }).result;
        const { result: milp, system } = solve(data, { milpSolver: true, heterogeneous });
        const order = compareLexicographically(servedByPriority(milp), servedByPriority(greedy));
        expect(order).toBeGreaterThanOrEqual(0);
        if (order === 0) expect(sloValue(milp)).toBeLessThanOrEqual(sloValue(greedy));
        expect(summaryServed(milp)).toEqual(servedByPriority(milp));
        for (const [type, used] of unitsUsed(milp)) expect(used).toBeLessThanOrEqual(system.capacity.get(type) ?? 0);
      }
    },
    SLOW,
  );

  it('a capacity-short system still answers, and lower priorities never take from higher ones', () => {
    const data = tightSample('large', 1 / 20);
    const { result } = solve(data, { milpSolver: true, saturationPolicy: 'None' });
    const served = servedByPriority(result);
    expect(served.reduce((a, b) => a + b)).toBeLessThan(result.candidates.length);
    // priority 1 alone, with the whole capacity to itself, gets no more than it gets here
    const premiumOnly = { system: { ...data.system, serverData: { servers: data.system.serverData.servers.filter((s) => s.class === 'Premium') } } };
    expect(servedByPriority(solve(premiumOnly, { milpSolver: true }).result)[0]).toBe(served[0]);
    expect(served[0]).toBeGreaterThan(0);
  }, SLOW);

  it('heterogeneous answers may split replicas, keeping the seed fields consistent', () => {
    const data = tightSample('small', 1 / 8);
    const { result, system } = solve(data, { milpSolver: true, heterogeneous: true, delayedBestEffort: true });
    const split = Object.values(result.solution.allocations).filter((a) => a.placements);
    expect(split.length).toBeGreaterThan(0);
    for (const allocation of split) {
      const placements = allocation.placements!;
      expect(placements.length).toBeGreaterThan(1);
      expect(allocation.numReplicas).toBe(placements.reduce((s, p) => s + p.numReplicas, 0));
      expect(allocation.cost).toBeCloseTo(placements.reduce((s, p) => s + p.cost, 0), 3);
      expect(allocation.accelerator).toBe(placements[0].accelerator);
    }
    for (const [type, used] of unitsUsed(result)) expect(used).toBeLessThanOrEqual(system.capacity.get(type) ?? 0);
  });

  it('is deterministic, and says HiGHS was used when CPLEX is asked for', () => {
    const data = tightSample('small', 1 / 8);
    const a = solve(data, { milpSolver: true, useCplex: true }).result.solution;
    const b = solve(data, { milpSolver: true, useCplex: true }).result.solution;
    expect(timeless(a)).toEqual(timeless(b));
    expect(a.summary?.note).toMatch(/HiGHS was used/);
  });
});

describe('the MILP within its time limit (injected clock)', () => {
  // The large sample, heterogeneous, best effort PriorityExhaustive: the case where a 20 ms
  // limit once kept an all-zero start and reported nothing served.
  const large = tightSample('large', 1 / 8);
  const spec = { milpSolver: true, heterogeneous: true, saturationPolicy: 'PriorityExhaustive' as const, milpTimeLimit: 5 };

  /** HiGHS, counting the times it is asked; `first` runs before the first solve. */
  function countingSolver(first: () => void = () => {}): { solver: MipSolver; calls: () => number } {
    let calls = 0;
    const solver: MipSolver = {
      name: mipSolver.name,
      solve: (model, options) => {
        if (calls++ === 0) first();
        return mipSolver.solve(model, options);
      },
    };
    return { solver, calls: () => calls };
  }

  it("when the candidates take the whole limit, the answer is the greedy's at once, every stage skipped, truthfully summarised", () => {
    // started at 0; the greedy starts at 6000 and takes no time: the 5 s limit is over
    const highs = countingSolver();
    const { result } = solve(large, spec, { now: clockReading(0, 6000), mipSolver: highs.solver });
    const greedy = solve(large, { ...spec, milpSolver: false }).result;
    // no time spent past the limit on HiGHS or on starts for it
    expect(highs.calls()).toBe(0);
    expect(result.solution.allocations).toEqual(greedy.solution.allocations);
    const summary = result.solution.summary!;
    expect(summary).toMatchObject({ answer: 'greedy', objective: sloValue(greedy) });
    expect(summary.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(summary).toMatchObject({ status: 'time-limit', limitedBy: 'time', ms: 6000 });
    // no bound was proved, so none is given
    expect(summary.bound).toBeUndefined();
    expect(summary.gap).toBeUndefined();
    for (const stage of summary.stages) expect(stage.bound).toBeUndefined();
    // the first stage keeps the greedy's answer, not an all-zero start
    expect(summary.stages[0]).toMatchObject({ start: 'greedy', kept: 'start', objective: servedByPriority(greedy)[0] });
    expect(servedByPriority(greedy)[0]).toBeGreaterThan(0);
    expect(compareLexicographically(servedByPriority(result), servedByPriority(greedy))).toBeGreaterThanOrEqual(0);
    // servedWithinSLO counts what the answer serves
    expect(summaryServed(result)).toEqual(servedByPriority(result));
    expect(summaryServed(result).reduce((a, b) => a + b)).toBeGreaterThan(0);
  });

  it('when the limit passes while a stage builds and relaxes its program, HiGHS is asked no more and the later stages are skipped', () => {
    let clock = 0;
    // the first program (built, then its LP relaxation solved) takes the clock past the 5 s limit
    const highs = countingSolver(() => (clock = 6000));
    const { result } = solve(large, spec, { now: () => clock, mipSolver: highs.solver });
    const greedy = solve(large, { ...spec, milpSolver: false }).result;
    expect(highs.calls()).toBe(1);
    const summary = result.solution.summary!;
    expect(summary).toMatchObject({ status: 'time-limit', limitedBy: 'time' });
    // the first stage may still be proved optimal by its relaxation: it ran
    expect(summary.stages[0].status).not.toBe('skipped');
    expect(summary.stages.slice(1).map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(compareLexicographically(servedByPriority(result), servedByPriority(greedy))).toBeGreaterThanOrEqual(0);
    expect(summaryServed(result)).toEqual(servedByPriority(result));
  });

  it("adds the greedy's own time to the limit", () => {
    // the greedy runs from 0 to 4000: a 1 s limit still leaves the stages 1 s
    const { result } = solve(large, { ...spec, milpTimeLimit: 1 }, { now: clockReading(0, 0, 4000) });
    expect(result.solution.summary?.stages[0].status).not.toBe('skipped');
    // the same 1 s limit after a greedy that took no time, but candidates that took 2 s
    const late = solve(large, { ...spec, milpTimeLimit: 1 }, { now: clockReading(0, 2000) }).result;
    expect(late.solution.summary?.stages[0].status).toBe('skipped');
  });

  it('stops a running stage at the first checkpoint past its share of the time, keeping the best solution it knows', () => {
    let clock = 0;
    let checkpoints = 0;
    // HiGHS, whose MIP checkpoints each take 1 s by the clock (its LP relaxation takes none)
    const slowSolver: MipSolver = {
      name: mipSolver.name,
      solve: (model, options) => {
        if (options.relaxation) return mipSolver.solve(model, options);
        for (;;) {
          checkpoints++;
          clock += 1000;
          if (options.checkpoint?.({ nodes: 0, lpIterations: 0 })) return { status: 'interrupted', values: options.start, nodes: 0, lpIterations: 0 };
        }
      },
    };
    const data = parseWith(SystemDataSchema, generateSystem({ servers: 40, seed: 1, capacityFactor: 0.35 }));
    const system = System.fromSpec(data.system);
    const greedy = optimize(system.clone(), { ...data.system.optimizerData.optimizer }, {});
    const result = optimize(system, { ...data.system.optimizerData.optimizer, milpSolver: true, milpTimeLimit: 10 }, { mipSolver: slowSolver, now: () => clock });
    const summary = result.solution.summary!;
    // 10 s in all, nothing spent before the stages: the clock never passes the limit by more than a checkpoint
    expect(summary.ms).toBeLessThanOrEqual(10_000 + 1000);
    expect(summary.stages.filter((stage) => stage.status === 'time-limit').length).toBeGreaterThan(0);
    expect(summary).toMatchObject({ status: 'time-limit', limitedBy: 'time' });
    expect(checkpoints).toBeLessThanOrEqual(11);
    for (const stage of summary.stages.filter((s) => s.status === 'time-limit')) expect(stage.kept).toBe('start');
    expect(compareLexicographically(servedByPriority(result), servedByPriority(greedy))).toBeGreaterThanOrEqual(0);
  });
});

describe("the count stages' own heuristics", () => {
  // HiGHS that solves relaxations only: a MIP finds nothing beyond the start it is given
  const relaxationsOnly = (): MipSolver => ({
    name: mipSolver.name,
    solve: (model, options) => (options.relaxation ? mipSolver.solve(model, options) : { status: 'interrupted', values: options.start, nodes: 0, lpIterations: 0 }),
  });

  // Small capacity-bound systems where servers added fewest units first left one or more out
  // that fit once a served server moved to another accelerator type (it stays served).
  it.each([
    [1, 0.5],
    [9, 0.3],
    [12, 0.3],
    [12, 0.5],
  ])('make room by moving served servers, reaching the relaxation\'s bound without branch and bound (seed %i, capacity × %f)', (seed, capacityFactor) => {
    const data = parseWith(SystemDataSchema, generateSystem({ servers: 60, seed, capacityFactor }));
    const { result } = solve(data, { milpSolver: true }, { mipSolver: relaxationsOnly() });
    const counts = result.solution.summary!.stages.filter((stage) => stage.stage !== 'cost');
    for (const stage of counts) {
      expect(stage.bound).toBeDefined();
      expect(stage.objective).toBe(Math.floor(stage.bound! + 1e-6));
      expect(stage).toMatchObject({ status: 'optimal', kept: 'start' });
    }
  });
});

describe('a deterministic budget: milpIterationLimit', () => {
  it('gives the same answer on every run, and says that the budget decided it', () => {
    const data = parseWith(SystemDataSchema, generateSystem({ servers: 60, seed: 3, capacityFactor: 0.35 }));
    const spec = { milpSolver: true, milpIterationLimit: 40 };
    const first = solve(data, spec).result.solution;
    const second = solve(data, spec).result.solution;
    expect(timeless(second)).toEqual(timeless(first));
    expect(first.summary).toMatchObject({ status: 'iteration-limit', limitedBy: 'iterations' });
    expect(first.summary?.stages.some((stage) => stage.status === 'iteration-limit' || stage.status === 'skipped')).toBe(true);
  }, SLOW);

  it('is capped by the runtime (a Worker bounds its CPU with it)', () => {
    const data = tightSample('small', 1 / 8);
    const { result } = solve(data, { milpSolver: true }, { maxMilpIterations: 1 });
    expect(result.solution.summary).toMatchObject({ limitedBy: 'iterations' });
  });
});

describe('priorities in best effort', () => {
  // 5 units; s_hi (priority 1) needs 7 replicas of one unit, s_lo (priority 50) needs 5.
  const data = parseWith(
    SystemDataSchema,
    systemData({
      servers: [server({ name: 's_hi', class: 'High', arrivalRate: 1, minNumReplicas: 7 }), server({ name: 's_lo', class: 'Low', arrivalRate: 1, minNumReplicas: 5 })],
      accelerators: [{ name: 'X', type: 'X', multiplicity: 1, cost: 10 }],
      perf: [{ name: 'granite_13b', acc: 'X', accCount: 1, maxBatchSize: 32, atTokens: 512, decodeParms: { alpha: 20, beta: 0.4 }, prefillParms: { gamma: 200, delta: 0.02 } }],
      classes: [
        { name: 'High', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 40, 'slo-ttft': 1000 }] },
        { name: 'Low', priority: 50, modelTargets: [{ model: 'granite_13b', 'slo-itl': 40, 'slo-ttft': 1000 }] },
      ],
      capacity: { X: 5 },
      optimizer: { milpSolver: true, saturationPolicy: 'PriorityExhaustive' },
    }),
  );

  it("with delayedBestEffort false, a group's best effort comes before lower groups, as in the greedy", () => {
    for (const milpSolver of [false, true]) {
      const { result } = solve(data, { milpSolver, delayedBestEffort: false });
      expect(result.allocations.get('s_hi')).toMatchObject({ numReplicas: 5, bestEffort: true });
      expect(result.allocations.has('s_lo')).toBe(false);
    }
  });

  it('with delayedBestEffort true, best effort comes after every group', () => {
    const { result } = solve(data, { milpSolver: true, delayedBestEffort: true });
    expect(result.allocations.get('s_lo')).toMatchObject({ numReplicas: 5, bestEffort: false });
    expect(result.allocations.has('s_hi')).toBe(false);
  });

  it('explains a server left out with the units it needs against the units left', () => {
    const system = System.fromSpec(data.system);
    const explanation = explain(system, { ...data.system.optimizerData.optimizer, delayedBestEffort: true }, { mipSolver });
    const hi = explanation.servers.find((s) => s.server === 's_hi')!;
    expect(hi.decision).toBe('no candidate fits the capacity left (X: 7 X units needed, 5 left); the saturation policy gave it nothing');
  });
});

describe('explanations of servers the MILP leaves out', () => {
  it('name the units needed against the units left and the higher-priority servers holding them', () => {
    const data = tightSample('large', 1 / 20);
    const spec = { ...data.system.optimizerData.optimizer, milpSolver: true, saturationPolicy: 'None' as const };
    const explanation = explain(System.fromSpec(data.system), spec, { mipSolver });
    const left = explanation.servers.filter((s) => s.status === 'unallocated' && s.candidates.some((c) => c.feasible));
    expect(left.length).toBeGreaterThan(0);
    for (const s of left) {
      expect(s.decision).toMatch(/^no candidate fits the capacity left \(/);
      // every candidate listed needs more units than were left
      for (const [, needed, leftUnits] of s.decision.matchAll(/(\d+) \S+ units needed, (\d+) left/g)) expect(Number(needed)).toBeGreaterThan(Number(leftUnits));
    }
    expect(left.some((s) => /held by \d+ higher-priority servers: /.test(s.decision))).toBe(true);
  }, SLOW);
});

describe('one transition penalty for every solver', () => {
  // current: 7 replicas of X at 70; Y performs the same at 8.8 a unit (61.6 for 7)
  const data = parseWith(
    SystemDataSchema,
    systemData({
      servers: [server({ name: 's', arrivalRate: 1, minNumReplicas: 7, currentAlloc: { accelerator: 'X', numReplicas: 7, maxBatch: 32, cost: 70 } })],
      accelerators: [
        { name: 'X', type: 'X', multiplicity: 1, cost: 10 },
        { name: 'Y', type: 'Y', multiplicity: 1, cost: 8.8 },
      ],
      perf: ['X', 'Y'].map((acc) => ({ name: 'granite_13b', acc, accCount: 1, maxBatchSize: 32, atTokens: 512, decodeParms: { alpha: 20, beta: 0.4 }, prefillParms: { gamma: 200, delta: 0.02 } })),
      capacity: { X: 100, Y: 100 },
    }),
  );

  it('keeps the server on X in the greedy, the MILP and the heterogeneous MILP', () => {
    for (const spec of [{ milpSolver: false }, { milpSolver: true }, { milpSolver: true, heterogeneous: true }]) {
      expect(solve(data, spec).result.solution.allocations.s).toMatchObject({ accelerator: 'X', numReplicas: 7 });
    }
    // the heterogeneous program itself prices staying at 0 and moving at the penalty (4.76)
    const cost = solve(data, { milpSolver: true, heterogeneous: true }).result.solution.summary?.stages.at(-1);
    expect(cost).toMatchObject({ stage: 'cost', status: 'optimal' });
    expect(cost?.objective).toBeCloseTo(0, 4);
    expect(cost?.bound).toBeCloseTo(0, 4);
  });

  it('prices a split current allocation group by group: keeping it is free, and the heterogeneous MILP keeps it', () => {
    // current: 4 replicas on X and 3 on Y, both at 10 a unit; any other split or move costs more
    const placements = [
      { accelerator: 'X', numReplicas: 4, cost: 40, itlAverage: 0, ttftAverage: 0 },
      { accelerator: 'Y', numReplicas: 3, cost: 30, itlAverage: 0, ttftAverage: 0 },
    ];
    const split = parseWith(
      SystemDataSchema,
      systemData({
        servers: [server({ name: 's', arrivalRate: 1, minNumReplicas: 7, currentAlloc: { accelerator: 'X', numReplicas: 7, maxBatch: 32, cost: 70, placements } })],
        accelerators: ['X', 'Y'].map((name) => ({ name, type: name, multiplicity: 1, cost: 10 })),
        perf: ['X', 'Y'].map((acc) => ({ name: 'granite_13b', acc, accCount: 1, maxBatchSize: 32, atTokens: 512, decodeParms: { alpha: 20, beta: 0.4 }, prefillParms: { gamma: 200, delta: 0.02 } })),
        capacity: { X: 100, Y: 100 },
      }),
    );
    const { result } = solve(split, { milpSolver: true, heterogeneous: true });
    expect(result.solution.allocations.s.placements?.map(({ accelerator, numReplicas }) => ({ accelerator, numReplicas }))).toEqual([
      { accelerator: 'X', numReplicas: 4 },
      { accelerator: 'Y', numReplicas: 3 },
    ]);
    const cost = result.solution.summary?.stages.at(-1);
    expect(cost).toMatchObject({ stage: 'cost', status: 'optimal' });
    expect(cost?.objective).toBeCloseTo(0, 4);
  });
});

describe('unlimited with milpSolver', () => {
  it('answers as the unlimited solver, as the reference does', () => {
    const data = parseWith(SystemDataSchema, SAMPLES.small);
    const unlimited = solve(data, { unlimited: true, heterogeneous: true }).result;
    const both = solve(data, { unlimited: true, milpSolver: true, heterogeneous: true }).result;
    expect(both.solver).toBe('unlimited');
    expect(both.solution).toEqual(unlimited.solution);
    expect(both.solution.summary).toBeUndefined();
  });
});

describe('progress', () => {
  it('reports each stage as plain objects, whose last word for a stage is what the summary says', () => {
    const reports: unknown[] = [];
    const data = parseWith(SystemDataSchema, generateSystem({ servers: 40, seed: 2, capacityFactor: 0.35 }));
    const { result } = solve(data, { milpSolver: true }, { onProgress: (p) => reports.push(p) });
    expect(JSON.parse(JSON.stringify(reports))).toEqual(reports);
    const stages = result.solution.summary!.stages;
    expect([...new Set(reports.map((r) => (r as { stage: string }).stage))]).toEqual(stages.filter((s) => s.status !== 'skipped').map((s) => s.stage));
    for (const report of reports) expect(report).toMatchObject({ stageCount: stages.length, stageNumber: expect.any(Number), incumbent: expect.any(Number), elapsedMs: expect.any(Number) });
  }, SLOW);
});

describe('the HiGHS adapter', () => {
  it('stops when the checkpoint says so, answering the start it was given', () => {
    // choose one of three bins for each of 30 items, as many as fit
    const cost: number[] = [];
    const rows: { lower: number; upper: number; indices: number[]; values: number[] }[] = [];
    const bins = [0, 1, 2].map(() => ({ lower: -Infinity, upper: 400, indices: [] as number[], values: [] as number[] }));
    for (let item = 0; item < 30; item++) {
      const choice = { lower: 0, upper: 1, indices: [] as number[], values: [] as number[] };
      for (const [b, bin] of bins.entries()) {
        const column = cost.push(1) - 1;
        choice.indices.push(column);
        choice.values.push(1);
        bin.indices.push(column);
        bin.values.push(10 + ((item * 7 + b * 13) % 31));
      }
      rows.push(choice);
    }
    rows.push(...bins);
    const start = cost.map((_, column) => (column === 0 ? 1 : 0));
    let calls = 0;
    const answer = mipSolver.solve(
      { sense: 'maximize', cost, lower: cost.map(() => 0), upper: cost.map(() => 1), rows },
      { timeLimitSeconds: 600, relativeGap: 1e-6, start, checkpoint: () => ++calls > 0 },
    );
    expect(calls).toBe(1);
    expect(answer.status).toBe('interrupted');
    expect(answer.values).toEqual(start);
  });
});
