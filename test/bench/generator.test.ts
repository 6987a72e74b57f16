import { describe, expect, it } from 'vitest';
import { generateSystem, MAX_ACCELERATORS } from '../../bench/generator.js';
import { computeCandidates, optimize, parseWith, System, SystemDataSchema, type SystemData } from '../../src/core/index.js';

function parsed(data: SystemData): SystemData {
  return parseWith(SystemDataSchema, JSON.parse(JSON.stringify(data)));
}

describe('generateSystem', () => {
  it('gives the same system for the same seed, and another for another seed', () => {
    const once = generateSystem({ servers: 40, seed: 11 });
    expect(generateSystem({ servers: 40, seed: 11 })).toEqual(once);
    expect(JSON.stringify(generateSystem({ servers: 40, seed: 12 }))).not.toEqual(JSON.stringify(once));
  });

  it('produces valid SystemData of the size asked for', () => {
    const data = generateSystem({ servers: 60, seed: 3, accelerators: 12, models: 20 });
    // Valid and complete: the schema reads it back unchanged.
    expect(parsed(data)).toEqual(data);
    const { system } = data;
    expect(system.serverData.servers).toHaveLength(60);
    expect(system.acceleratorData.accelerators).toHaveLength(12);
    expect(new Set(system.modelData.models.map((perf) => perf.name)).size).toBe(20);
    expect(system.serviceClassData.serviceClasses.map((svc) => svc.priority)).toEqual([1, 2, 3]);
    expect(new Set(system.serverData.servers.map((server) => server.name)).size).toBe(60);
  });

  it('gives every model perf data on several accelerators and a target in every class', () => {
    const { system } = generateSystem({ servers: 10, seed: 5, models: 17 });
    const accelerators = new Set(system.acceleratorData.accelerators.map((acc) => acc.name));
    for (const svc of system.serviceClassData.serviceClasses) expect(svc.modelTargets).toHaveLength(17);
    const perfCount = new Map<string, number>();
    for (const perf of system.modelData.models) {
      expect(accelerators.has(perf.acc)).toBe(true);
      perfCount.set(perf.name, (perfCount.get(perf.name) ?? 0) + 1);
    }
    for (const count of perfCount.values()) expect(count).toBeGreaterThanOrEqual(3);
  });

  it.each([1, 2, 3])('gives every server a feasible candidate when capacity is unlimited (seed %i)', (seed) => {
    const data = parsed(generateSystem({ servers: 80, seed }));
    const servers = computeCandidates(System.fromSpec(data.system));
    expect(servers).toHaveLength(80);
    expect(servers.filter((server) => server.candidates.length === 0).map((server) => server.server)).toEqual([]);
  });

  it('by default has capacity for every server, and with capacityFactor < 1 leaves some short', () => {
    const allocated = (capacityFactor?: number) => {
      const data = parsed(generateSystem({ servers: 60, seed: 9, capacityFactor }));
      const { allocations } = optimize(System.fromSpec(data.system), data.system.optimizerData.optimizer);
      return [...allocations.values()].filter((allocation) => !allocation.bestEffort).length;
    };
    expect(allocated()).toBe(60);
    expect(allocated(0.5)).toBeLessThan(60);
  });

  it('with smallOutTokens, gives servers 1..4 output tokens and batch sizes in the tens of thousands', () => {
    const data = parsed(generateSystem({ servers: 3, seed: 4, smallOutTokens: true }));
    for (const server of data.system.serverData.servers) {
      expect(server.currentAlloc.load.avgOutTokens).toBeGreaterThanOrEqual(1);
      expect(server.currentAlloc.load.avgOutTokens).toBeLessThanOrEqual(4);
    }
    const batchSizes = computeCandidates(System.fromSpec(data.system)).flatMap((s) => s.candidates.map((c) => c.batchSize));
    expect(Math.max(...batchSizes)).toBeGreaterThanOrEqual(10_000);
  });

  it('passes the optimizer options through', () => {
    const { system } = generateSystem({ servers: 2, saturationPolicy: 'PriorityExhaustive', delayedBestEffort: true });
    expect(system.optimizerData.optimizer).toMatchObject({
      saturationPolicy: 'PriorityExhaustive',
      delayedBestEffort: true,
      unlimited: false,
    });
  });

  it.each([
    [{ servers: -1 }, /servers/],
    [{ servers: 1.5 }, /servers/],
    [{ servers: 2, accelerators: 0 }, /accelerators/],
    [{ servers: 2, accelerators: MAX_ACCELERATORS + 1 }, /accelerators/],
    [{ servers: 2, models: 0 }, /models/],
    [{ servers: 2, capacityFactor: -0.1 }, /capacityFactor/],
    [{ servers: 2, smallOutTokens: 1.5 }, /smallOutTokens/],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => generateSystem(options)).toThrow(message);
  });
});
