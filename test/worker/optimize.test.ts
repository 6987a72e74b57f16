/** /optimize and /optimizeOne through a system's Durable Object, greedy and MILP (HiGHS in workerd). */
import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { loadWorkerMipSolver } from '../../src/worker/load-highs.js';
import { call, readState, smallSample } from './client.js';

function totalCost(allocations: Record<string, { cost: number }>): number {
  return Object.values(allocations).reduce((sum, allocation) => sum + allocation.cost, 0);
}

describe('optimizing in the Worker', () => {
  it('/optimizeOne answers what core optimize does, and the /get verbs of that system then read it', async () => {
    const sample = smallSample();
    const system = System.fromSpec(sample.system);
    const expected = optimize(system, sample.system.optimizerData.optimizer).solution;
    const defaultBefore = await readState('');
    expect(await call('POST', '/systems/one/optimizeOne', sample)).toMatchObject({ status: 200, body: expected });
    const servers = (await call('GET', '/systems/one/getServers')).body.servers;
    expect(servers).toEqual(JSON.parse(JSON.stringify(system.listServers())));
    expect(servers.every((server: { desiredAlloc: { accelerator: string } }) => server.desiredAlloc.accelerator !== '')).toBe(true);
    expect(await readState('')).toEqual(defaultBefore);
    await abortAllDurableObjects();
    expect((await call('GET', '/systems/one/getServers')).body.servers).toEqual(servers);
  });

  it('/optimize optimizes the stored system and records the desired allocations', async () => {
    const sample = smallSample();
    expect((await call('POST', '/systems/stored/optimizeOne', sample)).status).toBe(200);
    const spec = { ...sample.system.optimizerData.optimizer, unlimited: true };
    const system = System.fromSpec(sample.system);
    const expected = optimize(system, spec).solution;
    expect(await call('POST', '/systems/stored/optimize', spec)).toMatchObject({ status: 200, body: expected });
    expect((await call('GET', '/systems/stored/getServers')).body.servers).toEqual(JSON.parse(JSON.stringify(system.listServers())));
  });

  it('milpSolver runs HiGHS inside workerd: what the core answers with it, at no more cost than the greedy', async () => {
    const sample = smallSample();
    const spec = { ...sample.system.optimizerData.optimizer, milpSolver: true };
    const milp = await call('POST', '/systems/milp/optimizeOne', { system: { ...sample.system, optimizerData: { optimizer: spec } } });
    expect(milp.status).toBe(200);
    const mipSolver = await loadWorkerMipSolver();
    expect(milp.body.summary).toMatchObject({ solver: mipSolver.name, status: 'optimal' });
    expect(mipSolver.name).toMatch(/^HiGHS /);
    const expected = optimize(System.fromSpec(sample.system), spec, { mipSolver }).solution;
    expect(milp.body.allocations).toEqual(expected.allocations);
    const greedy = optimize(System.fromSpec(sample.system), sample.system.optimizerData.optimizer).solution;
    expect(Object.keys(milp.body.allocations).sort()).toEqual(Object.keys(greedy.allocations).sort());
    expect(totalCost(milp.body.allocations)).toBeLessThanOrEqual(totalCost(greedy.allocations));
  }, 60_000);

  it("today's format (perfParms): what core optimize answers, kept through the Durable Object", async () => {
    const today = parseWith(SystemDataSchema, SAMPLES['today-small']);
    const system = System.fromSpec(today.system);
    const expected = optimize(system, today.system.optimizerData.optimizer).solution;
    expect(Object.keys(expected.allocations)).toHaveLength(15);
    expect(await call('POST', '/systems/today/optimizeOne', SAMPLES['today-small'])).toMatchObject({ status: 200, body: expected });
    await abortAllDurableObjects();
    const models = (await call('GET', '/systems/today/getModel/granite_13b')).body.models;
    expect(models.map((m: { perfParms: unknown }) => m.perfParms)).toEqual(system.getModel('granite_13b')!.models.map((m) => m.perfParms));
    expect(models.every((m: { perfParms?: { alpha: number } }) => (m.perfParms?.alpha ?? 0) > 0)).toBe(true);
  });
});
