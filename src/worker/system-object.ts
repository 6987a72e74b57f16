/**
 * The Durable Object that holds one system: the REST API over a SqlSystemStore, so that every
 * verb, /optimizeOne included, reads and changes this system only. The default system starts
 * with the small sample loaded (as `npm start` does), every other one empty.
 */
import { DurableObject } from 'cloudflare:workers';
import { ApiMetrics, createApi, type Api } from '../api/index.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
import { SAMPLES } from '../samples/index.js';
import type { Env } from './env.js';
import { loadWorkerMipSolver } from './load-highs.js';
import { SqlLastRunStore } from './sql-last-run.js';
import { SqlSystemStore } from './sql-system-store.js';
import { DEFAULT_SYSTEM_ID } from './system-path.js';

function initialSystem(systemId: string | undefined): System {
  return systemId === DEFAULT_SYSTEM_ID ? System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system) : new System();
}

export class SystemObject extends DurableObject<Env> {
  private readonly api: Api;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const store = new SqlSystemStore(ctx.storage);
    // counters per object, in memory; the record of the last optimization stored beside the system
    const metrics = new ApiMetrics({ lastRun: new SqlLastRunStore(ctx.storage.sql) });
    this.api = createApi({ store, loadMipSolver: loadWorkerMipSolver, metrics });
    // No request is delivered before the stored system is loaded (after a restart or eviction too).
    void ctx.blockConcurrencyWhile(async () => store.load(() => initialSystem(ctx.id.name)));
  }

  fetch(request: Request): Promise<Response> {
    return this.api.fetch(request);
  }
}
