/** Optimizations in worker threads: the Node server answers other requests while a long MILP runs. */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSystem } from '../../bench/generator.js';
import { createApi, MemorySystemStore, runFactsOf } from '../../src/api/index.js';
import { explain, optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { OptimizerPool, RETRY_AFTER_SECONDS } from '../../src/node/optimizer-pool.js';
import { SAMPLES } from '../../src/samples/index.js';

const sample = () => parseWith(SystemDataSchema, SAMPLES.small);

describe('the optimizer pool', () => {
  const pool = new OptimizerPool({ threads: 2, maxRuns: 4 });
  afterAll(() => pool.close());

  it('answers what the core answers in this thread, the MILP and explanations included', async () => {
    const data = sample();
    const mipSolver = await loadNodeMipSolver();
    const system = System.fromSpec(data.system);
    const spec = { ...data.system.optimizerData.optimizer, milpSolver: true, milpTimeLimit: 3600 };
    const [greedy, milp, why] = await Promise.all([
      pool.optimize(system, data.system.optimizerData.optimizer, {}),
      pool.optimize(system, spec, {}),
      pool.explain(system, data.system.optimizerData.optimizer, undefined, {}),
    ]);
    const greedyResult = optimize(system.clone(), data.system.optimizerData.optimizer);
    // the answer, and what the metrics keep of it, as the core in this thread gives them
    expect(greedy).toEqual({ solution: greedyResult.solution, facts: runFactsOf(greedyResult) });
    expect(milp.solution.allocations).toEqual(optimize(system.clone(), spec, { mipSolver }).solution.allocations);
    expect(milp.facts.solver).toBe('milp');
    expect(why).toEqual(JSON.parse(JSON.stringify(explain(system, data.system.optimizerData.optimizer))));
    // the system given stays as it was
    expect(system.toData()).toEqual(System.fromSpec(data.system).toData());
  }, 120_000);
});

describe('the Node server with its optimizations in a thread', () => {
  // one thread, one run at a time: a second optimization is refused while the first runs
  const pool = new OptimizerPool({ threads: 1, maxRuns: 1 });
  let server: Server;
  let base: URL;

  beforeAll(async () => {
    const api = createApi({ store: new MemorySystemStore(System.fromSpec(sample().system)), runner: pool });
    server = createNodeServer({ api, log: () => undefined });
    base = await listen(server, '127.0.0.1', 0);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await pool.close();
  });

  it('answers /health and the get verbs while a long MILP runs, and refuses one more optimization with 503 and Retry-After', async () => {
    // 1,000 capacity-bound servers: the MILP takes seconds (up to its 8 s limit)
    const fleet = generateSystem({ servers: 1000, seed: 7, capacityFactor: 0.5 }) as { system: { optimizerData: { optimizer: object } } };
    fleet.system.optimizerData.optimizer = { milpSolver: true, milpTimeLimit: 8 };
    let settled = false;
    const long = fetch(new URL('/optimizeOne', base), { method: 'POST', body: JSON.stringify(fleet) }).finally(() => (settled = true));
    while (pool.runsInProgress === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const health = await fetch(new URL('/health', base));
    expect(health.status).toBe(200);
    const servers = await fetch(new URL('/getServers', base));
    expect(servers.status).toBe(200);
    const refused = await fetch(new URL('/optimize', base), { method: 'POST', body: '{}' });
    expect(settled).toBe(false);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    expect(((await refused.json()) as { message: string }).message).toMatch(/try again later/);

    const answer = await long;
    expect(answer.status).toBe(200);
    const solution = (await answer.json()) as { summary: { answer: string; servedWithinSLO: Record<string, number> } };
    expect(Object.values(solution.summary.servedWithinSLO).reduce((a, b) => a + b)).toBeGreaterThan(0);
    // the slot is free again
    expect((await fetch(new URL('/optimize', base), { method: 'POST', body: '{}' })).status).toBe(200);
    // /metrics counts the runs done in the thread; the refusal was no optimization
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    expect(metrics).toContain('\ninferno_optimizations_total{solver="milp",outcome="solved"} 1\n');
    expect(metrics).toContain('\ninferno_optimizations_total{solver="greedy",outcome="solved"} 1\n');
    expect(metrics).not.toContain('outcome="failed"');
    expect(metrics).toContain('\ninferno_optimization_duration_seconds_count{solver="milp"} 1\n');
  }, 180_000);
});
