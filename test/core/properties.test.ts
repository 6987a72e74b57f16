/** Property tests: whatever the numbers, the optimizer answers with finite numbers, the same way twice. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocationDataSchema, FLOAT32_MAX, OptimizationError, optimize, parseWith, System, SystemDataSchema, ValidationError } from '../../src/core/index.js';

/** Non-negative float32 values, extremes included. */
const amount = fc.oneof(
  fc.constantFrom(0, 1e-30, 1e-7, 0.5, 1, 1e6, 1e30, FLOAT32_MAX),
  fc.double({ min: 0, max: 1e4, noNaN: true, noDefaultInfinity: true }),
);
const count = fc.oneof(fc.constantFrom(0, 1, 2, 1000, 1e6), fc.integer({ min: 0, max: 600 }));
const tokens = fc.oneof(fc.constantFrom(0, 1, 2, 1e6), fc.integer({ min: 0, max: 4096 }));
const accelerators = ['A', 'B', 'C'];

const systemData = fc.record({
  perf: fc.array(
    fc.record({
      acc: fc.constantFrom(...accelerators),
      accCount: fc.integer({ min: 0, max: 4 }),
      maxBatchSize: count,
      atTokens: tokens,
      decodeParms: fc.record({ alpha: amount, beta: amount }),
      prefillParms: fc.record({ gamma: amount, delta: amount }),
    }),
    { maxLength: 4 },
  ),
  targets: fc.record({ 'slo-itl': amount, 'slo-ttft': amount, 'slo-tps': amount }),
  servers: fc.array(
    fc.record({
      minNumReplicas: fc.integer({ min: 0, max: 5 }),
      maxBatchSize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
      load: fc.record({ arrivalRate: amount, avgInTokens: tokens, avgOutTokens: tokens }),
      current: fc.constantFrom('', 'A', 'Z'),
      keepAccelerator: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  capacity: fc.array(count, { minLength: 3, maxLength: 3 }),
  optimizer: fc.record({
    unlimited: fc.boolean(),
    delayedBestEffort: fc.boolean(),
    saturationPolicy: fc.constantFrom('None', 'PriorityExhaustive', 'PriorityRoundRobin', 'RoundRobin'),
  }),
});

type Generated = typeof systemData extends fc.Arbitrary<infer T> ? T : never;

function toSystemData(g: Generated) {
  return {
    system: {
      acceleratorData: { accelerators: accelerators.map((name, i) => ({ name, type: name, multiplicity: i + 1, cost: [1, 40, FLOAT32_MAX][i] })) },
      modelData: { models: g.perf.map((p) => ({ name: 'm', ...p })) },
      serviceClassData: { serviceClasses: [{ name: 'c', priority: 1, modelTargets: [{ model: 'm', ...g.targets }] }] },
      serverData: {
        servers: g.servers.map((s, i) => ({
          name: `s${i}`,
          class: 'c',
          model: 'm',
          minNumReplicas: s.minNumReplicas,
          maxBatchSize: s.maxBatchSize,
          keepAccelerator: s.keepAccelerator,
          currentAlloc: { accelerator: s.current, numReplicas: 1, cost: 10, load: s.load },
        })),
      },
      optimizerData: { optimizer: g.optimizer },
      capacityData: { count: accelerators.map((type, i) => ({ type, count: g.capacity[i] })) },
    },
  };
}

function finiteEverywhere(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value && typeof value === 'object') return Object.values(value).every(finiteEverywhere);
  return true;
}

describe('optimize on arbitrary numbers', () => {
  it('answers with finite numbers, deterministically, or refuses with a reason', () => {
    fc.assert(
      fc.property(systemData, (generated) => {
        const data = parseWith(SystemDataSchema, toSystemData(generated));
        const run = () => {
          const system = System.fromSpec(data.system);
          const result = optimize(system, data.system.optimizerData.optimizer);
          return { solution: result.solution, servers: system.listServers() };
        };
        let first;
        try {
          first = run();
        } catch (error) {
          expect(error).toBeInstanceOf(OptimizationError);
          return;
        }
        expect(finiteEverywhere(first)).toBe(true);
        expect(JSON.stringify(run())).toBe(JSON.stringify(first));
        for (const allocation of Object.values(first.solution.allocations)) {
          expect(allocation.cost).toBeLessThanOrEqual(FLOAT32_MAX);
          expect(allocation.numReplicas).toBeGreaterThanOrEqual(0);
          // a client sends it back as a current allocation: it must read as one
          expect(() => parseWith(AllocationDataSchema, JSON.parse(JSON.stringify(allocation)))).not.toThrow();
        }
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it('refuses negative and non-finite numbers at parse time, naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ max: -1e-300, noNaN: true }), fc.constantFrom(Number.POSITIVE_INFINITY, Number.NaN)), (bad) => {
        const input = { system: { serverData: { servers: [{ name: 's', currentAlloc: { load: { arrivalRate: bad } } }] } } };
        expect(() => parseWith(SystemDataSchema, input)).toThrow(ValidationError);
        try {
          parseWith(SystemDataSchema, input);
        } catch (error) {
          expect((error as ValidationError).issues[0].path).toBe('system.serverData.servers.0.currentAlloc.load.arrivalRate');
        }
      }),
      { numRuns: 50, seed: 7 },
    );
  });
});
