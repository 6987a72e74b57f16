import { describe, expect, it } from 'vitest';
import {
  AllocationDataSchema,
  computeCandidates,
  MAX_BATCH_SIZE,
  NO_USABLE_PARAMETERS,
  OptimizationError,
  optimize,
  parseWith,
  QueueAnalyzer,
  shortestFloat32,
  System,
  SystemDataSchema,
  transitionPenalty,
  type AllocationSolution,
} from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { ACCELERATORS, PERF, server, systemData } from './builders.js';

function run(data: unknown): { solution: AllocationSolution; system: System } {
  const parsed = parseWith(SystemDataSchema, data);
  const system = System.fromSpec(parsed.system);
  const spec = parsed.system.optimizerData.optimizer;
  const { solution } = optimize(system, spec);
  system.recordOptimization(spec, solution);
  return { solution, system };
}

function candidatesOf(data: unknown, name: string) {
  const parsed = parseWith(SystemDataSchema, data);
  return computeCandidates(System.fromSpec(parsed.system)).find((s) => s.server === name)!;
}

/** A deterministic shuffle (and key-order reversal) of every array and object in `value`. */
function scramble(value: unknown, seed = { state: 7 }): unknown {
  const next = () => (seed.state = (seed.state * 1103515245 + 12345) % 2147483648) / 2147483648;
  if (Array.isArray(value)) {
    const copy = value.map((item) => scramble(item, seed));
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, scramble(item, seed)]));
  }
  return value;
}

describe('determinism', () => {
  it.each(['small', 'large'] as const)('the %s sample gives byte-identical output whatever the input order', (size) => {
    const expected = JSON.stringify(run(SAMPLES[size]).solution);
    for (const seed of [1, 2, 3]) {
      expect(JSON.stringify(run(scramble(SAMPLES[size], { state: seed })).solution)).toBe(expected);
    }
  });

  it.each(['None', 'PriorityExhaustive', 'PriorityRoundRobin', 'RoundRobin'])(
    'a capacity-short system under %s gives the same answer whatever the order',
    (saturationPolicy) => {
      const data = parseWith(SystemDataSchema, SAMPLES.large);
      const tight = {
        system: {
          ...data.system,
          optimizerData: { optimizer: { saturationPolicy } },
          capacityData: { count: data.system.capacityData.count.map((c) => ({ ...c, count: Math.floor(c.count / 8) })) },
        },
      };
      const expected = JSON.stringify(run(tight).solution);
      expect(JSON.stringify(run(scramble(tight, { state: 11 })).solution)).toBe(expected);
    },
  );
});

describe('work per candidate', () => {
  it('sizes the large sample with at most 11 queue solutions per candidate (the reference: over 200; a search on raw scales: 19)', () => {
    const parsed = parseWith(SystemDataSchema, SAMPLES.large);
    const counter = { evaluations: 0 };
    const servers = computeCandidates(System.fromSpec(parsed.system), { counter });
    const analyzed = servers.reduce((sum, s) => sum + s.candidates.length + s.rejected.length, 0);
    expect(analyzed).toBe(27 * 21);
    expect(counter.evaluations / analyzed).toBeLessThanOrEqual(11);
  });
});

describe('candidates', () => {
  it('scales the batch size by atTokens / avgOutTokens unless the server sets one', () => {
    const scaled = candidatesOf(systemData({ servers: [server({ name: 's', avgOutTokens: 256 })] }), 's');
    expect(scaled.candidates.find((c) => c.accelerator === 'G2')?.batchSize).toBe(Math.floor((38 * 512) / 256));
    const fixed = candidatesOf(systemData({ servers: [server({ name: 's', maxBatchSize: 5 })] }), 's');
    expect(fixed.candidates.every((c) => c.batchSize === 5)).toBe(true);
  });

  it('accCount 0 means one accelerator per replica', () => {
    const perf = PERF.map((p) => ({ ...p, accCount: p.acc === 'G2' ? 0 : 2 }));
    const byAccelerator = Object.fromEntries(candidatesOf(systemData({ perf, servers: [server({ name: 's' })] }), 's').candidates.map((c) => [c.accelerator, c]));
    expect(byAccelerator.G2).toMatchObject({ unitsPerReplica: 1, cost: 23 * byAccelerator.G2.numReplicas });
    expect(byAccelerator['2xG2']).toMatchObject({ unitsPerReplica: 4, cost: 46 * 2 * byAccelerator['2xG2'].numReplicas });
  });

  it('never goes below minNumReplicas', () => {
    const { solution } = run(systemData({ servers: [server({ name: 's', arrivalRate: 1, minNumReplicas: 3 })] }));
    expect(solution.allocations.s.numReplicas).toBe(3);
  });

  it('reports ITL and TTFT at the rate each replica takes, even below the rate range searched when sizing', () => {
    // 0.6 req/min over 1000 replicas: 1e-5 requests/s each, far below the range's bottom
    const { solution } = run(systemData({ servers: [server({ name: 's', arrivalRate: 0.6, minNumReplicas: 1000 })] }));
    const alloc = solution.allocations.s;
    expect(alloc).toMatchObject({ accelerator: 'G2', numReplicas: 1000, maxBatch: 19 });
    const g2 = PERF.find((p) => p.acc === 'G2')!;
    const f32 = Math.fround;
    const perf = { alpha: f32(g2.decodeParms.alpha), beta: f32(g2.decodeParms.beta), gamma: f32(g2.prefillParms.gamma), delta: f32(g2.prefillParms.delta) };
    const qa = QueueAnalyzer.create(19, perf, { inTokens: 128, outTokens: 1024 }) as QueueAnalyzer;
    expect(0.6 / 60 / 1000).toBeLessThan(qa.minRate * 1000);
    const metrics = qa.metricsAt(f32(0.6 / 60) / 1000 / 1000);
    expect([alloc.itlAverage, alloc.ttftAverage]).toEqual([shortestFloat32(metrics.itl), shortestFloat32(metrics.ttft)]);
  });

  it('sizes a TPS target from the target, not the arrival rate', () => {
    const a = run(systemData({ servers: [server({ name: 's', class: 'Batch', arrivalRate: 1 })] }));
    const b = run(systemData({ servers: [server({ name: 's', class: 'Batch', arrivalRate: 500 })] }));
    expect(a.solution.allocations.s.numReplicas).toBe(b.solution.allocations.s.numReplicas);
  });

  it('keepAccelerator limits the candidates to the current accelerator', () => {
    const data = systemData({
      servers: [server({ name: 's', keepAccelerator: true, currentAlloc: { accelerator: 'A100', numReplicas: 1, cost: 40 } })],
    });
    expect(candidatesOf(data, 's').candidates.map((c) => c.accelerator)).toEqual(['A100']);
    expect(run(data).solution.allocations.s.accelerator).toBe('A100');
    const gone = systemData({ servers: [server({ name: 's', keepAccelerator: true, currentAlloc: { accelerator: 'H100' } })] });
    expect(candidatesOf(gone, 's').reason).toBe('keepAccelerator: current accelerator H100 not found');
  });

  it('a move costs more than staying: the value is the transition penalty', () => {
    const data = systemData({ servers: [server({ name: 's', currentAlloc: { accelerator: 'A100', numReplicas: 2, cost: 80 } })] });
    const byAccelerator = Object.fromEntries(candidatesOf(data, 's').candidates.map((c) => [c.accelerator, c]));
    const a100 = byAccelerator.A100;
    expect(a100.value).toBe(a100.numReplicas === 2 ? 0 : Math.fround(a100.cost - 80));
    const g2 = byAccelerator.G2;
    expect(g2.value).toBeCloseTo(0.1 * (80 + g2.cost) + (g2.cost - 80), 4);
  });

  describe('the transition penalty of a split allocation', () => {
    const f32 = Math.fround;
    const split = {
      accelerator: 'G2',
      numReplicas: 5,
      cost: 149,
      placements: [
        { accelerator: 'G2', numReplicas: 3, cost: 69 },
        { accelerator: 'A100', numReplicas: 2, cost: 80 },
      ],
    };
    const penalty = (moved: number, from: number, to: number) => f32(f32(f32(0.1) * moved) + f32(to - from));

    it('charges the share of the groups that move, not nothing for the same replica count on the main accelerator', () => {
      expect(transitionPenalty(split, { accelerator: 'G2', numReplicas: 5, cost: 115 })).toBe(penalty(80, 149, 115));
      expect(transitionPenalty(split, { accelerator: 'A100', numReplicas: 4, cost: 160 })).toBe(penalty(69, 149, 160));
      expect(transitionPenalty(split, { accelerator: 'H100', numReplicas: 2, cost: 150 })).toBe(penalty(149 + 150, 149, 150));
      expect(transitionPenalty(split, split)).toBe(0);
      // and to a split allocation: the replicas started on A100
      expect(transitionPenalty({ accelerator: 'G2', numReplicas: 5, cost: 115 }, split)).toBe(penalty(80, 115, 149));
    });

    it('is the value of the candidates of a server whose current allocation is split', () => {
      const data = systemData({ servers: [server({ name: 's', currentAlloc: split })] });
      const g2 = candidatesOf(data, 's').candidates.find((c) => c.accelerator === 'G2')!;
      expect(g2.value).toBe(penalty(80, 149, g2.cost));
    });
  });

  it('says why a server has no candidates', () => {
    const data = systemData({
      servers: [
        server({ name: 'no-class', class: 'Gold' }),
        server({ name: 'no-target', model: 'llama' }),
        server({ name: 'default-class', class: '' }),
      ],
    });
    expect(candidatesOf(data, 'no-class').reason).toBe('service class Gold not found');
    // llama has no perf data: the model is named, not Premium's lack of a target for it.
    expect(candidatesOf(data, 'no-target').reason).toBe('model llama not found');
    expect(candidatesOf(data, 'default-class').reason).toBe('service class Free not found');
    expect(Object.keys(run(data).solution.allocations)).toEqual([]);
  });
});

describe('inputs the reference cannot handle', () => {
  it('a request with no work (no input tokens, one output token) is infeasible, not a hang', () => {
    const result = candidatesOf(systemData({ servers: [server({ name: 's', avgInTokens: 0, avgOutTokens: 1 })] }), 's');
    expect(result.candidates).toEqual([]);
    expect(result.rejected.map((r) => r.reason)).toEqual(Array(3).fill(expect.stringMatching(/takes no time/)));
  });

  it('all-zero perf parameters are infeasible, not a hang, and the answer says so', () => {
    const perf = [{ name: 'granite_13b', acc: 'G2', maxBatchSize: 8, atTokens: 512 }];
    const data = systemData({ perf, servers: [server({ name: 's' })] });
    const result = candidatesOf(data, 's');
    expect(result.candidates).toEqual([]);
    expect(result.rejected.find((r) => r.accelerator === 'G2')?.reason).toBe(NO_USABLE_PARAMETERS);
    expect(run(data).solution.warnings).toEqual([
      expect.stringMatching(/^model granite_13b on G2 has no usable performance parameters .*: 1 server with load skipped it$/),
      expect.stringMatching(/^server s is left without an allocation; model granite_13b has no usable performance parameters on G2/),
    ]);
  });

  it('beta = delta = 0 (the service time does not reveal the concurrency) gives finite numbers', () => {
    const perf = [{ name: 'granite_13b', acc: 'G2', maxBatchSize: 38, atTokens: 512, decodeParms: { alpha: 17 }, prefillParms: { gamma: 170 } }];
    const ttftOnly = [{ name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-ttft': 1000 }] }];
    const { solution } = run(systemData({ perf, classes: ttftOnly, servers: [server({ name: 's' })] }));
    const alloc = solution.allocations.s;
    expect(alloc.itlAverage).toBe(17);
    expect(Number.isFinite(alloc.ttftAverage)).toBe(true);
    expect(alloc.ttftAverage).toBeGreaterThanOrEqual(170);
    // with an ITL target too: the ITL, 17 ms at every load, meets 40 ms and constrains nothing
    const withItl = candidatesOf(systemData({ perf, servers: [server({ name: 's' })] }), 's');
    expect(withItl.candidates.find((c) => c.accelerator === 'G2')).toMatchObject({ itl: 17, numReplicas: alloc.numReplicas });
  });

  it('a huge arrival rate needs too many replicas: infeasible with the reason', () => {
    const result = candidatesOf(systemData({ servers: [server({ name: 's', arrivalRate: 3e38 })] }), 's');
    expect(result.candidates).toEqual([]);
    expect(result.rejected[0].reason).toMatch(/^needs more than 1000000000 replicas/);
  });

  it('tiny avgOutTokens (batch sizes in the tens of thousands) is solved with bounded work', () => {
    const counter = { evaluations: 0 };
    const parsed = parseWith(SystemDataSchema, systemData({ servers: [server({ name: 's', avgOutTokens: 1, arrivalRate: 6000 })] }));
    const result = computeCandidates(System.fromSpec(parsed.system), { counter });
    const candidates = result[0].candidates;
    expect(Math.max(...candidates.map((c) => c.batchSize))).toBe(76 * 512);
    expect(candidates.length).toBe(3);
    expect(counter.evaluations).toBeLessThanOrEqual(3 * 40);
  });

  it('a derived batch size beyond the bound is rejected, naming the bound', () => {
    // 4096 × 512 tokens / 1 output token: twice the bound (a server's own maxBatchSize beyond it is invalid input)
    const perf = PERF.map((p) => ({ ...p, maxBatchSize: 4096 }));
    const result = candidatesOf(systemData({ servers: [server({ name: 's', avgOutTokens: 1 })], perf }), 's');
    expect(result.candidates).toEqual([]);
    expect(result.rejected[0].reason).toBe(`batch size ${2 * MAX_BATCH_SIZE} exceeds the limit of ${MAX_BATCH_SIZE}`);
  });

  it('milpSolver is refused where no MILP solver is loaded', () => {
    const parsed = parseWith(SystemDataSchema, systemData({ servers: [server({ name: 's' })] }));
    expect(() => optimize(System.fromSpec(parsed.system), { ...parsed.system.optimizerData.optimizer, milpSolver: true })).toThrow(OptimizationError);
  });
});

describe('zero load', () => {
  it('without minNumReplicas: no allocation from the greedy, an empty one when unlimited', () => {
    const servers = [server({ name: 's', arrivalRate: 0 })];
    expect(run(systemData({ servers })).solution.allocations).toEqual({});
    const unlimited = run(systemData({ servers, optimizer: { unlimited: true } })).solution.allocations.s;
    expect(unlimited).toMatchObject({ accelerator: '', numReplicas: 0, cost: 0 });
  });

  it('with minNumReplicas: that many replicas of the cheapest accelerator', () => {
    const { solution } = run(systemData({ servers: [server({ name: 's', arrivalRate: 0, minNumReplicas: 2 })] }));
    expect(solution.allocations.s).toMatchObject({ accelerator: 'G2', numReplicas: 2, cost: 46, maxBatch: 38 });
    expect(solution.allocations.s.itlAverage).toBeCloseTo(17.49, 4);
  });

  it("with minNumReplicas and the server's own maxBatchSize: that batch size", () => {
    const { solution } = run(systemData({ servers: [server({ name: 's', arrivalRate: 0, minNumReplicas: 2, maxBatchSize: 5 })] }));
    expect(solution.allocations.s).toMatchObject({ accelerator: 'G2', numReplicas: 2, maxBatch: 5 });
  });

  // 1e-46 is 0 as a float32; 1e-45 is not, but a sixtieth of it (per second) is
  it.each([1e-46, 1e-45])('an arrival rate of %s req/min, 0 in float32 as the reference reads it, is no load', (arrivalRate) => {
    const data = systemData({ servers: [server({ name: 's', arrivalRate })] });
    const s = candidatesOf(data, 's');
    expect(s.rejected).toEqual([]);
    expect(s.candidates).toMatchObject([{ accelerator: '', numReplicas: 0 }]);
    expect(run(data).solution.allocations).toEqual({});
  });
});

describe('greedy under limited capacity', () => {
  // one card per replica on every accelerator, so that replica counts are easy to reason about
  const accelerators = ACCELERATORS.filter((acc) => acc.multiplicity === 1);
  const servers = [
    server({ name: 'p1', class: 'Premium', arrivalRate: 240 }),
    server({ name: 'p2', class: 'Premium', arrivalRate: 120 }),
    server({ name: 'b1', class: 'Bronze', arrivalRate: 600 }),
    server({ name: 'b2', class: 'Bronze', arrivalRate: 300 }),
  ];

  function unitsUsed(solution: AllocationSolution, system: System): Map<string, number> {
    const used = new Map<string, number>();
    for (const alloc of Object.values(solution.allocations)) {
      const acc = system.getAccelerator(alloc.accelerator);
      if (!acc) continue;
      const perf = system.getModelAcceleratorPerf('granite_13b', acc.name)!;
      used.set(acc.type, (used.get(acc.type) ?? 0) + alloc.numReplicas * Math.max(perf.accCount, 1) * acc.multiplicity);
    }
    return used;
  }

  it.each(['None', 'PriorityExhaustive', 'PriorityRoundRobin', 'RoundRobin'])('never exceeds capacity under %s', (saturationPolicy) => {
    for (const delayedBestEffort of [false, true]) {
      const capacity = { A100: 3, G2: 7 };
      const { solution, system } = run(systemData({ accelerators, servers, capacity, optimizer: { saturationPolicy, delayedBestEffort } }));
      for (const [type, used] of unitsUsed(solution, system)) expect(used).toBeLessThanOrEqual(capacity[type as 'A100' | 'G2']);
    }
  });

  it('serves the higher priority first', () => {
    const onlyG2 = accelerators.filter((acc) => acc.name === 'G2');
    const unlimited = run(systemData({ accelerators: onlyG2, servers, optimizer: { unlimited: true } })).solution.allocations;
    const capacity = { G2: unlimited.p1.numReplicas + unlimited.p2.numReplicas };
    const { solution } = run(systemData({ accelerators: onlyG2, servers, capacity }));
    expect(Object.keys(solution.allocations).sort()).toEqual(['p1', 'p2']);
  });

  it('best effort: exhaustive fills one server, round robin spreads replicas', () => {
    const short = { A100: 0, G2: 5 };
    const bronzeOnly = servers.filter((s) => String(s.name).startsWith('b'));
    const exhaustive = run(systemData({ accelerators, servers: bronzeOnly, capacity: short, optimizer: { saturationPolicy: 'PriorityExhaustive' } }));
    const roundRobin = run(systemData({ accelerators, servers: bronzeOnly, capacity: short, optimizer: { saturationPolicy: 'RoundRobin' } }));
    const none = run(systemData({ accelerators, servers: bronzeOnly, capacity: short, optimizer: { saturationPolicy: 'None' } }));
    expect(none.solution.allocations).toEqual({});
    const counts = (s: AllocationSolution) => Object.values(s.allocations).map((a) => a.numReplicas).sort();
    expect(counts(exhaustive.solution)).toEqual([5]);
    expect(counts(roundRobin.solution)).toEqual([2, 3]);
    for (const alloc of Object.values(roundRobin.solution.allocations)) expect(alloc.cost).toBe(23 * alloc.numReplicas);
  });

  it('changes nothing: the same system optimized twice gives the same bytes, and holds what it held', () => {
    const parsed = parseWith(SystemDataSchema, systemData({ accelerators, servers, capacity: { A100: 0, G2: 4 } }));
    const system = System.fromSpec(parsed.system);
    const before = JSON.stringify(system.toSnapshot());
    const spec = { ...parsed.system.optimizerData.optimizer, saturationPolicy: 'RoundRobin' as const };
    const first = JSON.stringify(optimize(system, spec).solution);
    expect(JSON.stringify(system.toSnapshot())).toBe(before);
    expect(JSON.stringify(optimize(system, spec).solution)).toBe(first);
    expect(system.optimizer).toEqual(parsed.system.optimizerData.optimizer);
    system.recordOptimization(spec, optimize(system, spec).solution);
    expect(system.optimizer).toEqual(spec);
  });

  describe('a best-effort allocation reports what its replicas give', () => {
    const onlyG2 = accelerators.filter((acc) => acc.name === 'G2');
    const b1 = [server({ name: 'b1', class: 'Bronze', arrivalRate: 600 })];
    const optimizer = { saturationPolicy: 'PriorityExhaustive' };
    const candidate = candidatesOf(systemData({ accelerators: onlyG2, servers: b1 }), 'b1').candidates[0];

    it('its latencies at the load on the replicas it gets, not those of the replicas its SLOs need', () => {
      const given = candidate.numReplicas - 1;
      const { solution } = run(systemData({ accelerators: onlyG2, servers: b1, capacity: { G2: given }, optimizer }));
      const metrics = candidate.analyzer!.metricsAtRate(candidate.totalRate / given)!;
      expect(solution.allocations.b1).toMatchObject({
        numReplicas: given,
        itlAverage: shortestFloat32(metrics.itl),
        ttftAverage: shortestFloat32(metrics.ttft),
        bestEffort: true,
      });
      expect(solution.allocations.b1.ttftAverage).toBeGreaterThan(shortestFloat32(candidate.ttft));
    });

    it('where they cannot take the load: a full batch, and the largest float32 for the unbounded TTFT', () => {
      const { solution, system } = run(systemData({ accelerators: onlyG2, servers: b1, capacity: { G2: 1 }, optimizer }));
      const alloc = solution.allocations.b1;
      const g2 = PERF.find((p) => p.acc === 'G2')!;
      expect(alloc).toMatchObject({ numReplicas: 1, bestEffort: true, ttftAverage: 3.4028235e38 });
      expect(alloc.itlAverage).toBe(shortestFloat32(Math.fround(g2.decodeParms.alpha) + Math.fround(g2.decodeParms.beta) * candidate.batchSize));
      // JSON that a Go client parses (no Infinity, no NaN), and that reads back as an allocation
      expect(JSON.stringify(alloc)).toContain('"ttftAverage":3.4028235e+38');
      expect(parseWith(AllocationDataSchema, JSON.parse(JSON.stringify(alloc))).ttftAverage).toBe(3.4028235e38);
      system.applyDesiredAllocations();
      expect(System.fromSnapshot(JSON.parse(JSON.stringify(system.toSnapshot()))).getServer('b1')?.currentAlloc.ttftAverage).toBe(3.4028235e38);
    });

    it('allocations within their SLOs carry no bestEffort field', () => {
      const { solution } = run(systemData({ accelerators: onlyG2, servers: b1, capacity: { G2: candidate.numReplicas }, optimizer }));
      expect(solution.allocations.b1.numReplicas).toBe(candidate.numReplicas);
      expect(solution.allocations.b1).not.toHaveProperty('bestEffort');
    });
  });

  it('records the desired allocation of every server, and applies it', () => {
    const { solution, system } = run(systemData({ accelerators, servers, capacity: { A100: 0, G2: 4 } }));
    for (const spec of system.listServers()) {
      const expected = solution.allocations[spec.name];
      if (expected) expect(spec.desiredAlloc).toEqual(expected);
      else expect(spec.desiredAlloc).toMatchObject({ accelerator: '', numReplicas: 0, load: spec.currentAlloc.load });
    }
    system.applyDesiredAllocations();
    for (const spec of system.listServers()) expect(spec.currentAlloc).toEqual(spec.desiredAlloc);
  });
});
