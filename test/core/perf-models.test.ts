/** Systems in today's format (perfParms), alone and mixed with the seed's, through the whole core. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeCandidates,
  FLOAT32_MAX,
  explain,
  IterationTimeAnalyzer,
  NO_USABLE_PARAMETERS,
  optimize,
  parseWith,
  perfModelOf,
  QueueAnalyzer,
  shortestFloat32,
  System,
  SystemDataSchema,
  type ModelAcceleratorPerfData,
} from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { ACCELERATORS, PERF, server, systemData } from './builders.js';

/** granite_13b in today's format on the builders' accelerators (the small sample's G2 and A100 figures). */
const TODAY_PERF = [
  { name: 'granite_13b', acc: 'A100', accCount: 1, maxBatchSize: 64, atTokens: 512, perfParms: { alpha: 20.58, beta: 0.041, gamma: 0.00128125 } },
  { name: 'granite_13b', acc: 'G2', accCount: 1, maxBatchSize: 76, atTokens: 512, perfParms: { alpha: 17.15, beta: 0.034, gamma: 0.0010625 } },
  { name: 'granite_13b', acc: '2xG2', accCount: 1, maxBatchSize: 152, atTokens: 512, perfParms: { alpha: 12, beta: 0.02, gamma: 0.0007 } },
];

function parsed(data: unknown) {
  return parseWith(SystemDataSchema, data);
}

function run(data: unknown) {
  const input = parsed(data);
  const system = System.fromSpec(input.system);
  const spec = input.system.optimizerData.optimizer;
  const result = optimize(system, spec);
  system.recordOptimization(spec, result.solution);
  return { system, ...result };
}

function candidatesOf(data: unknown, name: string) {
  return computeCandidates(System.fromSpec(parsed(data).system)).find((s) => s.server === name)!;
}

function perfEntry(fields: Record<string, unknown>): ModelAcceleratorPerfData {
  return parseWith(SystemDataSchema, { system: { modelData: { models: [{ name: 'm', acc: 'a', ...fields }] } } }).system.modelData.models[0];
}

describe('which model sizes a perf entry', () => {
  it('the one whose parameters it carries; perfParms first; neither: none', () => {
    expect(perfModelOf(perfEntry({ perfParms: { alpha: 1 } }))).toEqual({ kind: 'iteration-time', parameters: { alpha: 1, beta: 0, gamma: 0 }, ignored: undefined });
    expect(perfModelOf(perfEntry({ decodeParms: { alpha: 1, beta: 0.5 } })).kind).toBe('prefill-decode');
    // both: perfParms, and the answer will say the others were ignored
    expect(perfModelOf(perfEntry({ perfParms: { gamma: 0.001 }, prefillParms: { gamma: 100 } }))).toMatchObject({ kind: 'iteration-time', ignored: 'decodeParms/prefillParms' });
    // perfParms all zero (a tuner that has not converged) beside usable seed parameters: those
    expect(perfModelOf(perfEntry({ perfParms: {}, decodeParms: { alpha: 1 } })).kind).toBe('prefill-decode');
    expect(perfModelOf(perfEntry({ perfParms: { alpha: 0, beta: 0, gamma: 0 } })).kind).toBe('none');
    expect(perfModelOf(perfEntry({})).kind).toBe('none');
    // parameters are read as float32, as both references read them
    expect(perfModelOf(perfEntry({ perfParms: { beta: 0.1 } }))).toMatchObject({ parameters: { beta: Math.fround(0.1) } });
  });

  it('one system may mix both: each candidate is sized by its own entry', () => {
    const perf = [PERF[0], TODAY_PERF[1]];
    const result = candidatesOf(systemData({ perf, servers: [server({ name: 's' })] }), 's');
    const byAccelerator = Object.fromEntries(result.candidates.map((c) => [c.accelerator, c]));
    expect(byAccelerator.A100.analyzer).toBeInstanceOf(QueueAnalyzer);
    expect(byAccelerator.G2.analyzer).toBeInstanceOf(IterationTimeAnalyzer);
    // the seed's candidate is the one a seed-only system gives
    const seedOnly = candidatesOf(systemData({ perf: [PERF[0]], servers: [server({ name: 's' })] }), 's');
    expect({ ...byAccelerator.A100, analyzer: undefined }).toEqual({ ...seedOnly.candidates[0], analyzer: undefined });
  });

  it('an entry that carries both is sized by perfParms, and the answer says so', () => {
    const both = [{ ...TODAY_PERF[1], decodeParms: PERF[1].decodeParms, prefillParms: PERF[1].prefillParms }];
    const todayOnly = run(systemData({ perf: [TODAY_PERF[1]], servers: [server({ name: 's' })] }));
    const { solution } = run(systemData({ perf: both, servers: [server({ name: 's' })] }));
    expect(solution.allocations).toEqual(todayOnly.solution.allocations);
    expect(solution.warnings).toEqual(['model granite_13b on G2 carries both perfParms and decodeParms/prefillParms: perfParms is used, the others are ignored']);
  });

  it('a server without load and no minimum of replicas reads no entry, so no word of what an entry carries', () => {
    const both = [{ ...TODAY_PERF[1], decodeParms: PERF[1].decodeParms, prefillParms: PERF[1].prefillParms }];
    const idle = run(systemData({ perf: both, servers: [server({ name: 'idle', arrivalRate: 0 })] }));
    expect(idle.candidates[0].candidates).toMatchObject([{ accelerator: '', numReplicas: 0 }]);
    expect(idle.solution.warnings).toBeUndefined();
    // one replica at least: it runs on the entry, which is then named
    const kept = run(systemData({ perf: both, servers: [server({ name: 'kept', arrivalRate: 0, minNumReplicas: 1 })] }));
    expect(kept.solution.warnings).toEqual([expect.stringMatching(/^model granite_13b on G2 carries both/)]);
  });
});

describe('never silent: perf entries without usable parameters', () => {
  const zeroed = [{ ...TODAY_PERF[0], perfParms: { alpha: 0, beta: 0, gamma: 0 } }, { name: 'granite_13b', acc: 'G2', maxBatchSize: 76, atTokens: 512 }, TODAY_PERF[2]];

  it('each affected candidate gets the reason; the answer names the entries and the servers left out', () => {
    const data = systemData({ perf: zeroed, servers: [server({ name: 'a' }), server({ name: 'b', keepAccelerator: true, currentAlloc: { accelerator: 'G2', numReplicas: 1 } })] });
    const a = candidatesOf(data, 'a');
    expect(a.rejected).toEqual([
      { accelerator: 'A100', reason: NO_USABLE_PARAMETERS },
      { accelerator: 'G2', reason: NO_USABLE_PARAMETERS },
    ]);
    expect(a.candidates.map((c) => c.accelerator)).toEqual(['2xG2']);
    const { solution } = run(data);
    // a still gets 2xG2; b may only keep its G2, which has no parameters
    expect(Object.keys(solution.allocations)).toEqual(['a']);
    expect(solution.warnings).toEqual([
      expect.stringMatching(/^model granite_13b on A100 has no usable performance parameters \(.*\): 1 server with load skipped it$/),
      expect.stringMatching(/^model granite_13b on G2 has no usable performance parameters \(.*\): 2 servers with load skipped it$/),
      'server b is left without an allocation; model granite_13b has no usable performance parameters on G2, which it could not consider',
    ]);
    const explained = explain(System.fromSpec(parsed(data).system), parsed(data).system.optimizerData.optimizer);
    expect(explained.warnings).toEqual(solution.warnings);
    expect(explained.servers.find((s) => s.server === 'b')).toMatchObject({
      status: 'unallocated',
      decision: 'no accelerator has usable performance parameters for model granite_13b (see each candidate)',
      candidates: [{ accelerator: 'G2', feasible: false, reason: NO_USABLE_PARAMETERS, chosen: false }],
    });
  });

  it('a server without load needs no parameters: its minimum replicas are placed, as in the reference', () => {
    const data = systemData({ perf: [zeroed[0]], servers: [server({ name: 'idle', arrivalRate: 0, minNumReplicas: 2 })] });
    const { solution } = run(data);
    expect(solution.allocations.idle).toMatchObject({ accelerator: 'A100', numReplicas: 2, maxBatch: 64, cost: 80, itlAverage: 0, ttftAverage: 0 });
    expect(solution.warnings).toBeUndefined();
  });
});

describe('the iteration-time model through the optimizer', () => {
  it('a server without load: ITL = alpha + beta, TTFT = ITL + gamma·batch, as optimizer-light reports them', () => {
    const data = systemData({ perf: [TODAY_PERF[1]], servers: [server({ name: 'idle', arrivalRate: 0, minNumReplicas: 1, maxBatchSize: 40 })] });
    const { allocations } = run(data).solution;
    expect(allocations.idle).toMatchObject({ accelerator: 'G2', numReplicas: 1, maxBatch: 40 });
    // printed as the shortest decimal of the float32, as Go prints it
    expect(allocations.idle.itlAverage).toBe(17.184);
    expect(allocations.idle.ttftAverage).toBe(17.2265);
  });

  it('maxQueueSize: absent is 0 (a loss system at the batch); a queue adds waiting to the TTFT; the seed ignores it', () => {
    const at = (fields: Record<string, unknown>, perf: Record<string, unknown>[] = [TODAY_PERF[1]]) =>
      candidatesOf(systemData({ perf, servers: [{ ...server({ name: 's', arrivalRate: 1200 }), ...fields }] }), 's').candidates[0];
    const absent = at({});
    expect({ ...at({ maxQueueSize: 0 }), analyzer: undefined }).toEqual({ ...absent, analyzer: undefined });
    const queued = at({ maxQueueSize: 500 });
    expect(queued.ttft).toBeGreaterThan(absent.ttft);
    expect((queued.analyzer as IterationTimeAnalyzer).queueSize).toBe(500);
    expect((absent.analyzer as IterationTimeAnalyzer).queueSize).toBe(0);
    expect({ ...at({ maxQueueSize: 500 }, [PERF[1]]), analyzer: undefined }).toEqual({ ...at({}, [PERF[1]]), analyzer: undefined });
  });

  it('slo-tps replaces the arrival rate: TPS / avgOutTokens requests per second', () => {
    const batch = systemData({ perf: [TODAY_PERF[1]], servers: [server({ name: 's', class: 'Batch', arrivalRate: 1 })] });
    const candidate = candidatesOf(batch, 's').candidates[0];
    expect(candidate.totalRate).toBe(Math.fround(2000 / 1024));
    // 90% of the top of the stable range per replica
    const analyzer = candidate.analyzer as IterationTimeAnalyzer;
    expect(candidate.maxRatePerReplica).toBeCloseTo(analyzer.metricsAt(analyzer.maxRate * 0.9).throughput, 5);
    expect(candidate.numReplicas).toBe(Math.ceil(candidate.totalRate / candidate.maxRatePerReplica));
  });

  it('echoes load.throughput where given, and never computes it', () => {
    const data = systemData({ perf: TODAY_PERF, servers: [server({ name: 'a' }), server({ name: 'b' })] });
    const servers = (data.system as { serverData: { servers: { currentAlloc: { load: Record<string, number> } }[] } }).serverData.servers;
    servers[0].currentAlloc.load.throughput = 57.5;
    const { system, solution } = run(data);
    expect(solution.allocations.a.load).toEqual({ arrivalRate: 60, throughput: 57.5, avgInTokens: 128, avgOutTokens: 1024 });
    expect(solution.allocations.b.load).toEqual({ arrivalRate: 60, avgInTokens: 128, avgOutTokens: 1024 });
    expect(system.getServer('a')!.desiredAlloc.load.throughput).toBe(57.5);
  });

  it('best effort reports the latency of the replicas it gets, and says so; cost scales as in the reference', () => {
    // 40 req/s on G2 needs several replicas; only 3 G2 units exist
    const data = systemData({
      perf: [TODAY_PERF[1]],
      servers: [server({ name: 's', arrivalRate: 2400 })],
      capacity: { G2: 3 },
      optimizer: { saturationPolicy: 'PriorityExhaustive' },
    });
    const { solution, allocations, candidates } = run(data);
    const full = candidates[0].candidates[0];
    expect(full.numReplicas).toBeGreaterThan(3);
    const given = solution.allocations.s;
    expect(given).toMatchObject({ accelerator: 'G2', numReplicas: 3, bestEffort: true });
    expect(given.cost).toBe(Math.fround(full.cost * Math.fround(3 / full.numReplicas)));
    const actual = (full.analyzer as IterationTimeAnalyzer).metricsAtRate(full.totalRate / 3);
    expect(allocations.get('s')).toMatchObject({ itl: actual.itl, ttft: actual.ttft, rho: actual.rho });
    expect(given.ttftAverage).toBeGreaterThan(full.ttft);
    expect(JSON.stringify(solution)).not.toMatch(/null|NaN|Infinity/);
  });

  it('a best-effort latency beyond float32 is reported as the largest float32, never null', () => {
    const data = systemData({
      perf: [{ name: 'granite_13b', acc: 'G2', accCount: 1, maxBatchSize: 8, atTokens: 1024, perfParms: { alpha: 1e31, beta: 0, gamma: 0 } }],
      classes: [{ name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-ttft': FLOAT32_MAX, 'slo-itl': FLOAT32_MAX }] }],
      servers: [{ ...server({ name: 's', arrivalRate: 1e-20 }), maxQueueSize: 1 << 20 }],
      capacity: { G2: 1 },
      optimizer: { saturationPolicy: 'PriorityExhaustive' },
    });
    const { solution } = run(data);
    expect(solution.allocations.s).toMatchObject({ numReplicas: 1, bestEffort: true, itlAverage: 1e31, ttftAverage: shortestFloat32(FLOAT32_MAX) });
    expect(JSON.stringify(solution)).not.toMatch(/null|NaN|Infinity/);
  });

  it("saturationPolicy None: a server left out leaves the others' answer whole (the reference fails the request)", () => {
    const data = systemData({
      perf: TODAY_PERF,
      servers: [server({ name: 'big', arrivalRate: 6000 }), server({ name: 'small', arrivalRate: 30 })],
      capacity: { G2: 2, A100: 0 },
    });
    const { solution } = run(data);
    expect(Object.keys(solution.allocations)).toEqual(['small']);
    expect(solution.warnings).toBeUndefined();
  });

  it("answers today's small sample in full, deterministically whatever the order of its entries", () => {
    const data = parsed(SAMPLES['today-small']);
    const reversed = structuredClone(data);
    for (const list of [reversed.system.modelData.models, reversed.system.serverData.servers, reversed.system.acceleratorData.accelerators]) list.reverse();
    const first = optimize(System.fromSpec(data.system), data.system.optimizerData.optimizer).solution;
    const second = optimize(System.fromSpec(reversed.system), reversed.system.optimizerData.optimizer).solution;
    expect(Object.keys(first.allocations)).toHaveLength(15);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});

describe('accelerators the builders do not name', () => {
  it('are refused for lack of perf data, as in the seed', () => {
    const accelerators = [...ACCELERATORS, { name: 'H100', type: 'H100', multiplicity: 1, cost: 60 }];
    const result = candidatesOf(systemData({ perf: TODAY_PERF, accelerators, servers: [server({ name: 's' })] }), 's');
    expect(result.rejected).toEqual([{ accelerator: 'H100', reason: 'no perf data for model granite_13b on H100' }]);
  });
});

/** Batch sizes up to about 10^6 take up to a few hundred ms each: a loaded machine needs the time. */
describe('arbitrary numbers in perfParms and maxQueueSize', { timeout: 120_000 }, () => {
  const amount = fc.oneof(fc.constantFrom(0, 1e-30, 1e-7, 0.5, 1, 1e6, 1e30, FLOAT32_MAX), fc.double({ min: 0, max: 1e3, noNaN: true, noDefaultInfinity: true }));
  const tokens = fc.oneof(fc.constantFrom(0, 1, 2, 1e6), fc.integer({ min: 0, max: 20_000 }));
  const generated = fc.record({
    perf: fc.array(
      fc.record({
        acc: fc.constantFrom('A100', 'G2', '2xG2'),
        maxBatchSize: fc.integer({ min: 0, max: 300 }),
        atTokens: tokens,
        perfParms: fc.record({ alpha: amount, beta: amount, gamma: amount }),
      }),
      { maxLength: 3 },
    ),
    targets: fc.record({ 'slo-itl': amount, 'slo-ttft': amount, 'slo-tps': amount }),
    servers: fc.array(
      fc.record({
        arrivalRate: amount,
        avgInTokens: tokens,
        avgOutTokens: tokens,
        minNumReplicas: fc.integer({ min: 0, max: 3 }),
        maxQueueSize: fc.option(fc.oneof(fc.constantFrom(0, 1, 1 << 20), fc.integer({ min: 0, max: 1000 })), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    capacity: fc.integer({ min: 0, max: 50 }),
    saturationPolicy: fc.constantFrom('None', 'PriorityExhaustive', 'RoundRobin'),
  });

  it('answers with finite numbers, the same way twice, every refused candidate with its reason', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const data = systemData({
          perf: g.perf.map((p) => ({ name: 'granite_13b', ...p })),
          classes: [{ name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', ...g.targets }] }],
          servers: g.servers.map((s, i) => {
            const { maxQueueSize, ...load } = s;
            return { ...server({ name: `s${i}`, ...load }), ...(maxQueueSize === undefined ? {} : { maxQueueSize }) };
          }),
          capacity: { A100: g.capacity, G2: g.capacity },
          optimizer: { saturationPolicy: g.saturationPolicy },
        });
        const first = run(data);
        const text = JSON.stringify(first.solution);
        expect(text).not.toMatch(/NaN|Infinity|null/);
        expect(JSON.stringify(run(data).solution)).toBe(text);
        for (const s of first.candidates) for (const r of s.rejected) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 80, seed: 20260319 },
    );
  });
});
