import { describe, expect, it } from 'vitest';
import {
  FLOAT32_MAX,
  OptimizerDataSchema,
  parseWith,
  ServerSpecSchema,
  System,
  SystemDataSchema,
  ValidationError,
} from '../../src/core/index.js';

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('reading JSON the way the reference does', () => {
  it('matches keys case-insensitively and ignores unknown keys', () => {
    const server = parseWith(ServerSpecSchema, {
      NAME: 's1',
      Class: 'Premium',
      model: 'm',
      colour: 'blue',
      currentAlloc: { load: { ArrivalRate: 60, AvgInTokens: 128, AVGOUTTOKENS: 1024 } },
    });
    expect(server.name).toBe('s1');
    expect(server.class).toBe('Premium');
    expect(server.currentAlloc.load).toEqual({ arrivalRate: 60, avgInTokens: 128, avgOutTokens: 1024 });
    expect(server).not.toHaveProperty('colour');
    expect(parseWith(OptimizerDataSchema, { optimizer: { milpsolver: true } }).optimizer.milpSolver).toBe(true);
  });

  it('a later key naming the same field wins, and null leaves the field as it was', () => {
    expect(parseWith(ServerSpecSchema, { name: 'a', Name: 'b' }).name).toBe('b');
    expect(parseWith(ServerSpecSchema, { Name: 'b', name: 'a' }).name).toBe('a');
    expect(parseWith(ServerSpecSchema, { name: 'a', NAME: null }).name).toBe('a');
  });

  it('fills missing fields with zero values', () => {
    const data = parseWith(SystemDataSchema, {});
    expect(data.system.serverData.servers).toEqual([]);
    expect(data.system.optimizerData.optimizer).toEqual({
      unlimited: false,
      heterogeneous: false,
      milpSolver: false,
      useCplex: false,
      delayedBestEffort: false,
      saturationPolicy: 'None',
      milpTimeLimit: 0,
      milpIterationLimit: 0,
    });
    const server = parseWith(ServerSpecSchema, { name: 's' });
    expect(server.desiredAlloc).toEqual({
      accelerator: '',
      numReplicas: 0,
      maxBatch: 0,
      cost: 0,
      itlAverage: 0,
      ttftAverage: 0,
      load: { arrivalRate: 0, avgInTokens: 0, avgOutTokens: 0 },
    });
  });

  it('a later entry with a duplicate name replaces the earlier one', () => {
    const data = parseWith(SystemDataSchema, {
      system: {
        acceleratorData: {
          accelerators: [
            { name: 'A100', type: 'A100', cost: 40 },
            { name: 'A100', type: 'A100', cost: 45 },
          ],
        },
      },
    });
    const system = System.fromSpec(data.system);
    expect(system.listAccelerators()).toHaveLength(1);
    expect(system.getAccelerator('A100')?.cost).toBe(45);
  });

  it('accepts saturation policies in any case, and none as None', () => {
    const policy = (value: unknown) => parseWith(OptimizerDataSchema, { optimizer: { saturationPolicy: value } }).optimizer.saturationPolicy;
    expect(policy('roundrobin')).toBe('RoundRobin');
    expect(policy('')).toBe('None');
    expect(issuesOf(() => policy('Sometimes'))[0]).toEqual({
      path: 'optimizer.saturationPolicy',
      message: 'must be one of None, PriorityExhaustive, PriorityRoundRobin, RoundRobin',
    });
  });
});

describe('rejecting wrong input with the field path', () => {
  const withLoad = (load: Record<string, unknown>) => ({
    system: { serverData: { servers: [{ name: 'ok' }, { name: 's', currentAlloc: { load } }] } },
  });

  it.each([
    [{ arrivalRate: '60' }, 'system.serverData.servers.1.currentAlloc.load.arrivalRate', /expected number/],
    [{ avgInTokens: 12.5 }, 'system.serverData.servers.1.currentAlloc.load.avgInTokens', /whole number/],
    [{ avgOutTokens: -1 }, 'system.serverData.servers.1.currentAlloc.load.avgOutTokens', /negative/],
    [{ arrivalRate: 1e39 }, 'system.serverData.servers.1.currentAlloc.load.arrivalRate', /float32/],
    [{ arrivalRate: 3.4028236e38 }, 'system.serverData.servers.1.currentAlloc.load.arrivalRate', /float32/],
  ])('%j', (load, path, message) => {
    const [issue] = issuesOf(() => parseWith(SystemDataSchema, withLoad(load)));
    expect(issue.path).toBe(path);
    expect(issue.message).toMatch(message);
  });

  it('accepts the largest float32 as Go prints it (3.4028235e+38, a little above its exact value)', () => {
    const parsed = parseWith(SystemDataSchema, withLoad({ arrivalRate: 3.4028235e38 }));
    expect(Math.fround(parsed.system.serverData.servers[1].currentAlloc.load.arrivalRate)).toBe(FLOAT32_MAX);
  });

  it('names every bad field at once', () => {
    const issues = issuesOf(() =>
      parseWith(SystemDataSchema, {
        system: { capacityData: { count: [{ type: 'A100', count: -2 }] }, acceleratorData: { accelerators: 'A100' } },
      }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual(['system.acceleratorData.accelerators', 'system.capacityData.count.0.count']);
  });

  it('rejects a body that is not an object', () => {
    expect(issuesOf(() => parseWith(SystemDataSchema, [1, 2]))[0].path).toBe('(body)');
  });
});
