/**
 * Candidates are sized when a solver first reads them (ServerCandidates.candidateAt), by the least
 * value each can have. These tests hold the lazy answers to those of sizing every candidate first.
 */
import { describe, expect, it } from 'vitest';
import { generateSystem } from '../../bench/generator.js';
import { SAMPLE_NAMES, SAMPLES } from '../../src/samples/index.js';
import {
  computeCandidates,
  optimize,
  parseWith,
  solveGreedy,
  System,
  SystemDataSchema,
  type Allocation,
  type SaturationPolicy,
  type SystemData,
} from '../../src/core/index.js';

interface Case {
  seed: number;
  capacityFactor: number;
  saturationPolicy: SaturationPolicy;
  delayedBestEffort: boolean;
  /** costs below 0 for some accelerators: what the schema refuses, and the core may still be given */
  negativeCosts?: boolean;
}

const CASES: Case[] = [
  { seed: 1, capacityFactor: 1.5, saturationPolicy: 'None', delayedBestEffort: false },
  { seed: 2, capacityFactor: 0.5, saturationPolicy: 'PriorityExhaustive', delayedBestEffort: false },
  { seed: 3, capacityFactor: 0.3, saturationPolicy: 'RoundRobin', delayedBestEffort: true },
  { seed: 4, capacityFactor: 0.6, saturationPolicy: 'PriorityRoundRobin', delayedBestEffort: false },
  { seed: 5, capacityFactor: 0.2, saturationPolicy: 'PriorityExhaustive', delayedBestEffort: true },
  { seed: 6, capacityFactor: 1.5, saturationPolicy: 'None', delayedBestEffort: false, negativeCosts: true },
];

/**
 * A generated system in which every third server runs already on its candidate with the most
 * replicas (the furthest above the fewest its rate range allows), with those replicas, at that
 * cost or at none: at none its value there is 0, and every other count there costs more.
 */
function systemFor({ seed, capacityFactor, saturationPolicy, delayedBestEffort, negativeCosts }: Case): System {
  const data: SystemData = generateSystem({ servers: 150, seed, capacityFactor, saturationPolicy, delayedBestEffort });
  const read = (): System => System.fromSpec(parseWith(SystemDataSchema, JSON.parse(JSON.stringify(data))).system);
  if (negativeCosts) {
    // the cheapest a server can be is then its most replicas: unvalidated, straight to the core
    data.system.acceleratorData.accelerators.forEach((acc, index) => {
      if (index % 2 === 0) acc.cost = -acc.cost;
    });
    return System.fromSpec(data.system);
  }
  const candidates = new Map(computeCandidates(read()).map((s) => [s.server, s.candidates]));
  data.system.serverData.servers.forEach((server, index) => {
    const last = [...(candidates.get(server.name) ?? [])].sort((a, b) => b.numReplicas - a.numReplicas)[0];
    if (index % 3 !== 0 || !last) return;
    const cost = index % 2 === 0 ? 0 : last.cost;
    server.currentAlloc = { ...server.currentAlloc, accelerator: last.accelerator, numReplicas: last.numReplicas, cost };
  });
  return read();
}

/** What an answer says of an allocation (its analyzer left out: an object of its own each time). */
function plain(allocations: ReadonlyMap<string, Allocation>): Record<string, unknown> {
  return Object.fromEntries([...allocations].map(([server, { analyzer: _analyzer, ...allocation }]) => [server, allocation]));
}

/** The greedy's answer on candidates sized as it reads them is the one on candidates all sized first. */
function expectAnswerOfSizedFirst(system: System): ReturnType<typeof optimize> {
  const spec = system.optimizer;
  const lazy = optimize(system, spec);
  const sizedFirst = computeCandidates(system);
  for (const server of sizedFirst) server.sizeAll();
  const eager = solveGreedy(sizedFirst, new Map(system.capacity), {
    delayedBestEffort: spec.delayedBestEffort,
    saturationPolicy: spec.saturationPolicy,
  });
  expect(plain(lazy.allocations)).toEqual(plain(eager));
  return lazy;
}

describe('candidates sized lazily', () => {
  it.each(CASES)('give the greedy the answer of candidates sized first (seed $seed, capacity ×$capacityFactor, $saturationPolicy)', (c) => {
    const lazy = expectAnswerOfSizedFirst(systemFor(c));
    // short of capacity, the greedy reads past servers' first candidates
    if (c.capacityFactor < 1) expect(lazy.refusals.size).toBeGreaterThan(0);
  });

  it.each(SAMPLE_NAMES.flatMap((name) => [1, 0.3, 0.1].map((share) => ({ name, share }))))(
    'give the greedy the answer of candidates sized first on the $name sample, capacity ×$share',
    ({ name, share }) => {
      const data = parseWith(SystemDataSchema, structuredClone(SAMPLES[name]));
      for (const count of data.system.capacityData.count) count.count = Math.floor(count.count * share);
      const lazy = expectAnswerOfSizedFirst(System.fromSpec(data.system));
      expect(lazy.allocations.size).toBeGreaterThan(0);
    },
  );

  it('give the i-th candidate in value order, read in any order, and the rejections in accelerator order', () => {
    const system = systemFor(CASES[1]);
    const all = computeCandidates(system);
    const fromTheFront = computeCandidates(system);
    const everyOther = computeCandidates(system);
    const order = [...system.accelerators.keys()].sort();
    all.forEach((server, s) => {
      const count = server.candidates.length;
      // each read sizes only what it needs: the first ones alone, or skipping
      for (let index = 0; index <= count; index++) expect(fromTheFront[s].candidateAt(index)).toEqual(server.candidates[index]);
      for (let index = 1; index <= count + 1; index += 2) expect(everyOther[s].candidateAt(index)).toEqual(server.candidates[index]);
      expect(everyOther[s].candidateAt(0)).toEqual(server.candidates[0]);
      expect(fromTheFront[s].rejected).toEqual(server.rejected);
      const positions = server.rejected.map((r) => order.indexOf(r.accelerator));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });
  });

  it('leave most candidates unsized when capacity is ample: the greedy reads two a server', () => {
    const system = systemFor(CASES[0]);
    const greedy = { evaluations: 0 };
    optimize(system, system.optimizer, { counter: greedy });
    const every = { evaluations: 0 };
    for (const server of computeCandidates(system, { counter: every })) server.sizeAll();
    expect(greedy.evaluations).toBeGreaterThan(0);
    expect(greedy.evaluations).toBeLessThan(every.evaluations / 2);
  });
});
