/**
 * The Durable Object that holds one system: the REST API over the one store kept in its SQLite storage, so that every
 * verb, /optimizeOne included, reads and changes this system only. The default system starts
 * with the small sample loaded (as `npm start` does), every other one empty.
 */
import { DurableObject } from 'cloudflare:workers';
import { createApi, PersistentSystemStore, type Api } from '../api/index.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
import { SAMPLES } from '../samples/index.js';
import type { Env } from './env.js';
import { loadWorkerMipSolver } from './load-highs.js';
import { sqlSnapshotStorage } from './sql-system-store.js';
import { DEFAULT_SYSTEM_ID } from './system-path.js';

function initialSystem(systemId: string | undefined): System {
  return systemId === DEFAULT_SYSTEM_ID ? System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system) : new System();
}

export class SystemObject extends DurableObject<Env> {
  private api: Api | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // No request is delivered before the stored system is loaded (after a restart or eviction too).
    void ctx.blockConcurrencyWhile(async () => {
      const store = await PersistentSystemStore.open(sqlSnapshotStorage(ctx.storage), () => initialSystem(ctx.id.name));
      this.api = createApi({ store, loadMipSolver: loadWorkerMipSolver });
    });
  }

  fetch(request: Request): Promise<Response> {
    if (!this.api) throw new Error('a request reached the system before it was loaded');
    return this.api.fetch(request);
  }
}
