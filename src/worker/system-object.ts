/**
 * The Durable Object that holds one system: the REST API over a SqlSystemStore, so that every
 * verb, /optimizeOne included, reads and changes this system only. The default system starts
 * with the small sample loaded (as `npm start` does), every other one empty.
 */
import { DurableObject } from 'cloudflare:workers';
import { createApi, type Api } from '../api/index.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
import { SAMPLES } from '../samples/index.js';
import type { Env } from './env.js';
import { loadWorkerMipSolver } from './load-highs.js';
import { SqlSystemStore } from './sql-system-store.js';
import { DEFAULT_SYSTEM_ID } from './system-path.js';

/**
 * The clock stands still during a Worker's CPU work, so neither milpTimeLimit nor HiGHS's own
 * time limit can stop a MILP here: its simplex iterations, over all stages, are capped instead
 * (a smaller milpIterationLimit wins). On Node, 1,000 capacity-bound servers solve to
 * optimality within this many in about 5 s of CPU; larger fleets stop at it.
 */
export const WORKER_MILP_ITERATIONS = 20_000;

function initialSystem(systemId: string | undefined): System {
  return systemId === DEFAULT_SYSTEM_ID ? System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system) : new System();
}

export class SystemObject extends DurableObject<Env> {
  private readonly api: Api;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const store = new SqlSystemStore(ctx.storage);
    this.api = createApi({ store, loadMipSolver: loadWorkerMipSolver, optimizeOptions: { maxMilpIterations: WORKER_MILP_ITERATIONS } });
    // No request is delivered before the stored system is loaded (after a restart or eviction too).
    void ctx.blockConcurrencyWhile(async () => store.load(() => initialSystem(ctx.id.name)));
  }

  fetch(request: Request): Promise<Response> {
    return this.api.fetch(request);
  }
}
