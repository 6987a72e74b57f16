import { describe, expect, it } from 'vitest';
import { QUEUE_TO_BATCH_RATIO, solveQueue, type ServiceTime } from '../../src/core/index.js';

/** Every state's probability, computed state by state over all K+1 states (as the reference does). */
function bruteForce(service: ServiceTime, batchSize: number, lambda: number) {
  const states = batchSize * (1 + QUEUE_TO_BATCH_RATIO);
  const p = [1];
  for (let n = 1; n <= states; n++) {
    const inService = Math.min(n, batchSize);
    const mu = inService / (service.base + service.perRequest * inService);
    p.push((p[n - 1] * lambda) / mu);
  }
  const total = p.reduce((a, b) => a + b, 0);
  const prob = p.map((w) => w / total);
  return {
    throughput: lambda * (1 - prob[states]),
    avgNumInSystem: prob.reduce((sum, q, n) => sum + n * q, 0),
    avgNumInService: prob.reduce((sum, q, n) => sum + Math.min(n, batchSize) * q, 0),
    blockingProbability: prob[states],
  };
}

function expectClose(actual: number, expected: number, tolerance = 1e-9) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300));
}

describe('solveQueue', () => {
  it('matches the M/M/1/K formulas when the service rate is constant', () => {
    // base 0: mu(n) = n / (perRequest·n) = 1/perRequest for every n
    const perRequest = 50; // ms
    const batchSize = 4;
    const K = batchSize * (1 + QUEUE_TO_BATCH_RATIO);
    for (const rho of [0.1, 0.5, 0.9, 0.999]) {
      const lambda = rho / perRequest;
      const solution = solveQueue({ base: 0, perRequest }, batchSize, lambda);
      const p0 = (1 - rho) / (1 - rho ** (K + 1));
      const pK = p0 * rho ** K;
      const meanInSystem = rho / (1 - rho) - ((K + 1) * rho ** (K + 1)) / (1 - rho ** (K + 1));
      expectClose(solution.blockingProbability, pK);
      expectClose(solution.throughput, lambda * (1 - pK));
      expectClose(solution.avgNumInSystem, meanInSystem);
    }
  });

  it('agrees with the state-by-state solution over a range of parameters', () => {
    const cases: [ServiceTime, number, number][] = [
      [{ base: 20000, perRequest: 450 }, 19, 0.5],
      [{ base: 20000, perRequest: 450 }, 19, 0.001],
      [{ base: 1646, perRequest: 4200 }, 51, 1],
      [{ base: 300, perRequest: 2 }, 256, 0.9],
      [{ base: 100, perRequest: 0 }, 8, 0.5],
      // large batches, where only the states around the mode carry weight
      [{ base: 200, perRequest: 2.5 }, 3000, 0.3],
      [{ base: 200, perRequest: 2.5 }, 3000, 0.999],
      [{ base: 20000, perRequest: 1 }, 5000, 0.01],
      [{ base: 5, perRequest: 40 }, 2000, 0.7],
    ];
    for (const [service, batchSize, load] of cases) {
      // load as a fraction of the saturation rate mu(N)
      const lambda = (load * batchSize) / (service.base + service.perRequest * batchSize);
      const ours = solveQueue(service, batchSize, lambda * 0.999);
      const reference = bruteForce(service, batchSize, lambda * 0.999);
      expectClose(ours.throughput, reference.throughput);
      expectClose(ours.avgNumInSystem, reference.avgNumInSystem);
      expectClose(ours.avgNumInService, reference.avgNumInService);
    }
  });

  it('stays finite where the products of rates overflow a double', () => {
    // lambda/mu(1) is about 3000: the weights reach 3000^N / N!, far beyond 1e308 for N = 5000.
    const service = { base: 3000, perRequest: 0.01 };
    const batchSize = 5000;
    const lambda = 0.99 * (batchSize / (service.base + service.perRequest * batchSize));
    const solution = solveQueue(service, batchSize, lambda);
    for (const value of Object.values(solution)) expect(Number.isFinite(value)).toBe(true);
    expect(solution.avgNumInService).toBeGreaterThan(0);
    expect(solution.avgNumInService).toBeLessThanOrEqual(batchSize);
    expect(solution.avgNumInSystem).toBeGreaterThanOrEqual(solution.avgNumInService);
  });

  it('counts one evaluation per solution', () => {
    const counter = { evaluations: 0 };
    solveQueue({ base: 100, perRequest: 10 }, 4, 0.01, counter);
    solveQueue({ base: 100, perRequest: 10 }, 4, 0.02, counter);
    expect(counter.evaluations).toBe(2);
  });
});
