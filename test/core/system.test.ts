import { describe, expect, it } from 'vitest';
import { parseWith, System, SystemDataSchema, SystemSpecSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

describe('System', () => {
  it('a snapshot keeps everything, models without perf data included', () => {
    const system = System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);
    system.addModel('empty_model');
    const copy = System.fromSnapshot(JSON.parse(JSON.stringify(system.toSnapshot())));
    expect(copy.listModelNames()).toContain('empty_model');
    expect(copy.toSnapshot()).toEqual(system.toSnapshot());
    expect(system.clone().toSnapshot()).toEqual(system.toSnapshot());
  });

  it('a clone is independent of the original', () => {
    const system = System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);
    const copy = system.clone();
    copy.removeServer('Premium-granite_13b');
    copy.setCapacity({ type: 'G2', count: 1 });
    expect(system.getServer('Premium-granite_13b')).toBeDefined();
    expect(system.getCapacity('G2')?.count).toBe(1048);
  });

  it('keeps the placements of a split allocation through apply, snapshot and restore', () => {
    const system = System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);
    const placements = [
      { accelerator: 'G2', numReplicas: 3, cost: 69, itlAverage: 21, ttftAverage: 250 },
      { accelerator: 'A100', numReplicas: 1, cost: 40, itlAverage: 22, ttftAverage: 260 },
    ];
    const load = system.getServer('Premium-granite_13b')!.currentAlloc.load;
    const split = { accelerator: 'G2', numReplicas: 4, maxBatch: 19, cost: 109, itlAverage: 21.2, ttftAverage: 252, load, placements };
    system.setDesiredAllocations({ 'Premium-granite_13b': split });
    system.applyDesiredAllocations();
    expect(system.getServer('Premium-granite_13b')!.currentAlloc).toEqual(split);
    // as the stores keep it: JSON, read back through the schema
    const restored = System.fromSnapshot({
      system: parseWith(SystemSpecSchema, JSON.parse(JSON.stringify(system.toSnapshot().system))),
      models: system.listModelNames(),
    });
    expect(restored.getServer('Premium-granite_13b')!.currentAlloc).toEqual(split);
    expect(restored.getServer('Premium-granite_13b')!.desiredAlloc).toEqual(split);
    // an allocation on one accelerator gains no placements field
    expect(restored.getServer('Premium-llama_13b')!.currentAlloc).not.toHaveProperty('placements');
  });

  it('addModel keeps the perf data of a model that exists', () => {
    const system = System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);
    const before = system.getModel('granite_13b');
    system.addModel('granite_13b');
    expect(system.getModel('granite_13b')).toEqual(before);
  });

  it('a service class priority outside 1..100 means the lowest, 100', () => {
    const system = new System();
    expect(system.addServiceClass('a', 0).priority).toBe(100);
    expect(system.addServiceClass('b', 101).priority).toBe(100);
    expect(system.addServiceClass('c', -3).priority).toBe(100);
    expect(system.addServiceClass('d', 7).priority).toBe(7);
  });
});
