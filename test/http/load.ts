/**
 * Concurrency over real HTTP, for the Node server and the Worker alike: 64 /optimizeOne calls
 * at once, each with a system of its own, and a burst of interleaved writes to one system.
 * Every answer must be the one its request asked for, and the final state one that some serial
 * order of the writes gives.
 */
import { describe, expect, it } from 'vitest';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { client, smallSample } from '../client.js';
import { expectedState, readState, type HttpTarget } from './suite.js';

const CONCURRENT = 64;

/** The small sample (as sent, unparsed) with every arrival rate scaled: a system recognisable by its answer. */
function scaledSample(scale: number): { system: { serverData: { servers: { currentAlloc: { load: { arrivalRate: number } } }[] } } } {
  const data = structuredClone(SAMPLES.small) as ReturnType<typeof scaledSample>;
  for (const server of data.system.serverData.servers) server.currentAlloc.load.arrivalRate *= scale;
  return data;
}

export function describeLoad(title: string, target: HttpTarget): void {
  describe(title, { timeout: 60_000 }, () => {
    const call = client(() => target.base());

    it(`${CONCURRENT} concurrent /optimizeOne calls, each answered with its own system's solution`, async () => {
      const bodies = Array.from({ length: CONCURRENT }, (_, i) => scaledSample(0.5 + i / 32));
      const systems = bodies.map((body) => System.fromSpec(parseWith(SystemDataSchema, body).system));
      const expected = systems.map((system) => {
        const { solution } = optimize(system, system.optimizer);
        system.recordOptimization(system.optimizer, solution);
        return solution;
      });
      expect(new Set(expected.map((solution) => JSON.stringify(solution))).size).toBe(CONCURRENT);
      const prefixes = bodies.map(() => target.systemPrefix());
      const answers = await Promise.all(bodies.map((body, i) => call('POST', `${prefixes[i]}/optimizeOne`, body)));
      answers.forEach((answer, i) => expect(answer, `call ${i}`).toEqual(expect.objectContaining({ status: 200, body: expected[i] })));
      const states = systems.map((system) => JSON.stringify(expectedState(system)));
      if (new Set(prefixes).size === CONCURRENT) {
        // a system each: each holds what it was given
        for (const [i, prefix] of prefixes.entries()) expect(JSON.stringify(await readState(target.base(), prefix)), prefix).toBe(states[i]);
      } else {
        // one system: it holds one of the systems, whole
        expect(states).toContain(JSON.stringify(await readState(target.base(), prefixes[0])));
      }
    });

    it('interleaved writes to one system: each answered, and the final state that of a serial order', async () => {
      const prefix = target.systemPrefix();
      const sample = smallSample();
      expect((await call('POST', `${prefix}/optimizeOne`, sample)).status).toBe(200);
      const existing = sample.system.serverData.servers.map((server) => server.name);
      const removed = existing.slice(0, 4);
      const added = Array.from({ length: 24 }, (_, i) => `load-${String(i).padStart(2, '0')}`);
      /** added and removed at once: present at the end exactly when the removal came first (and found nothing) */
      const raced = added.slice(0, 8);
      const server = (name: string) => ({ name, class: 'Premium', model: 'granite_13b', currentAlloc: { load: { arrivalRate: 6, avgInTokens: 100, avgOutTokens: 200 } } });
      const counts = Array.from({ length: 12 }, (_, i) => 100 + i);
      const writes = [
        ...added.map((name) => call('POST', `${prefix}/addServer`, server(name))),
        ...removed.map((name) => call('GET', `${prefix}/removeServer/${name}`)),
        ...raced.map((name) => call('GET', `${prefix}/removeServer/${name}`)),
        ...counts.map((count, i) => call('POST', `${prefix}/setCapacity`, { type: `load-type-${i}`, count })),
        ...counts.map((count) => call('POST', `${prefix}/setCapacity`, { type: 'G2', count })),
        ...Array.from({ length: 8 }, () => call('GET', `${prefix}/getServers`)),
      ];
      const answers = await Promise.all(writes);
      const raceAnswers = answers.slice(added.length + removed.length, added.length + removed.length + raced.length);
      for (const [i, answer] of answers.entries()) expect(raceAnswers.includes(answer) ? [200, 404] : [200], `write ${i}`).toContain(answer.status);
      const kept = raced.filter((_, i) => raceAnswers[i].status === 404);
      const expectedNames = [...existing.filter((name) => !removed.includes(name)), ...added.filter((name) => !raced.includes(name)), ...kept].sort();
      const { body } = await call('GET', `${prefix}/getServers`);
      expect(body.servers.map((s: { name: string }) => s.name).sort()).toEqual(expectedNames);
      for (const name of kept) expect(body.servers.find((s: { name: string }) => s.name === name)).toMatchObject(server(name));
      const capacities = (await call('GET', `${prefix}/getCapacities`)).body.count as { type: string; count: number }[];
      for (const [i, count] of counts.entries()) expect(capacities).toContainEqual({ type: `load-type-${i}`, count });
      expect(counts).toContain(capacities.find((c) => c.type === 'G2')?.count);
      // each read saw a whole state: the sample's servers less some removed, plus some added
      for (const read of answers.slice(-8)) {
        const names: string[] = read.body.servers.map((s: { name: string }) => s.name);
        expect(names.every((name) => existing.includes(name) || added.includes(name))).toBe(true);
      }
    });
  });
}
