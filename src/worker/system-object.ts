/**
 * The Durable Object that holds one system: the REST API over the one store (PersistentSystemStore)
 * kept in its SQLite storage, so that every verb, /optimizeOne included, reads and changes this system only. The default system starts
 * with the small sample loaded (as `npm start` does), every other one empty.
 *
 * It also keeps what the system's tokens need (the lowest version it accepts), serves the
 * admin's lifecycle verbs, and tells the registry of every change and delete. A change and its
 * report run one at a time, in order, so that the registry always ends as the storage does,
 * however changes and deletes of a system interleave.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  ApiMetrics,
  createApi,
  PersistentSystemStore,
  invalidToken,
  signSystemToken,
  type Api,
  type SystemLifecycle,
  type SystemStore,
  type TokenScope,
} from '../api/index.js';
import { ApiError, errorResponse } from '../api/errors.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
// the one sample it starts with, not the module of all four: each is code the isolate evaluates at start
import smallSample from '../samples/small.json' with { type: 'json' };
import type { Env } from './env.js';
import { readGrant } from './grant-header.js';
import { loadWorkerMipSolver } from './load-highs.js';
import { registryOf, type SystemRegistry } from './registry.js';
import { SqlLastRunStore } from './sql-last-run.js';
import { sqlSnapshotStorage, type SqlSnapshotStorage } from './sql-system-store.js';
import { DEFAULT_SYSTEM_ID } from './system-path.js';
import { TOKEN_FLOOR_TABLE, TokenFloor } from './token-floor.js';

/**
 * The clock stands still during a Worker's CPU work, so neither milpTimeLimit nor HiGHS's own
 * time limit can stop a MILP here: its simplex iterations, over all stages, are capped instead
 * (a smaller milpIterationLimit wins). On Node, 1,000 capacity-bound servers solve to
 * optimality within this many in about 5 s of CPU; larger fleets stop at it.
 */
export const WORKER_MILP_ITERATIONS = 20_000;

function initialSystem(systemId: string): System {
  return systemId === DEFAULT_SYSTEM_ID ? System.fromSpec(parseWith(SystemDataSchema, smallSample).system) : new System();
}

export class SystemObject extends DurableObject<Env> implements SystemLifecycle {
  readonly systemId: string;
  private readonly snapshots: SqlSnapshotStorage;
  /** the system; set before any request is delivered, and again after a delete */
  private stored: PersistentSystemStore | undefined;
  private readonly floor: TokenFloor;
  private readonly lastRun: SqlLastRunStore;
  private readonly api: Api;
  /** the registry's stub, made once: naming it (idFromName, get) on every change costs CPU; dropped after a failed call, as such a stub may be broken */
  private registryStub: DurableObjectStub<SystemRegistry> | undefined;
  /** settles when the last change queued so far, and its report to the registry, are done */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // the Worker names every system object (idFromName)
    if (ctx.id.name === undefined) throw new Error('a system object must be named by its system id');
    this.systemId = ctx.id.name;
    this.snapshots = sqlSnapshotStorage(ctx.storage);
    this.floor = new TokenFloor(ctx.storage.sql);
    // counters per object, in memory; the record of the last optimization stored beside the system
    this.lastRun = new SqlLastRunStore(ctx.storage.sql);
    const metrics = new ApiMetrics({ lastRun: this.lastRun });
    this.api = createApi({ store: this.reportingStore(), loadMipSolver: loadWorkerMipSolver, optimizeOptions: { maxMilpIterations: WORKER_MILP_ITERATIONS }, lifecycle: this, manySystems: true, metrics });
    // No request is delivered before the stored system is loaded (after a restart or eviction too).
    void ctx.blockConcurrencyWhile(async () => {
      this.floor.load();
      await this.open();
    });
  }

  async fetch(request: Request): Promise<Response> {
    const grant = readGrant(request);
    if (grant === undefined || (grant.systemId !== undefined && grant.systemId !== this.systemId)) {
      // only the front Worker reaches this object, and it always says what the request may do
      return errorResponse(new ApiError(403, 'this request did not come through the Worker'));
    }
    if (grant.version !== undefined && grant.version < this.floor.current) {
      return invalidToken(`revoked token: system ${this.systemId} accepts tokens of version ${this.floor.current} and later`);
    }
    return this.api.handle(request, grant);
  }

  async deleteSystem(): Promise<{ deleted: boolean; version: number }> {
    return this.serially(async () => {
      const deleted = this.snapshots.isStored();
      if (deleted) {
        // One transaction: the system's storage goes, and the token floor goes up, or neither,
        // so that tokens of the deleted system never open one created again under its id.
        this.ctx.storage.transactionSync(() => {
          for (const table of this.tables()) if (table !== TOKEN_FLOOR_TABLE) this.ctx.storage.sql.exec(`DROP TABLE "${table}"`);
          this.floor.raise();
          this.lastRun.forget();
        });
        await this.open();
      }
      await this.toRegistry((registry) => registry.forget(this.systemId));
      return { deleted, version: this.floor.current };
    });
  }

  async issueToken(scope: TokenScope): Promise<{ token: string; version: number }> {
    const secret = this.env.INFERNO_TOKEN;
    if (!secret) throw new ApiError(409, 'tokens are signed with INFERNO_TOKEN, which this Worker does not have: every request may do everything');
    const version = this.floor.current;
    return { token: await signSystemToken(secret, { systemId: this.systemId, scope, version }), version };
  }

  async revokeTokens(): Promise<number> {
    return this.floor.raise();
  }

  /** The tables of this object's SQLite database (without the runtime's own, `_cf_…`). */
  private tables(): string[] {
    return this.ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
      .toArray()
      .map((row) => row.name);
  }

  /** Opens the stored system, or the initial one when nothing is stored. */
  private async open(): Promise<void> {
    this.stored = await PersistentSystemStore.open(this.snapshots, () => initialSystem(this.systemId));
  }

  private get store(): PersistentSystemStore {
    if (!this.stored) throw new Error('a request reached the system before it was loaded');
    return this.stored;
  }

  /** The store, with each change reported to the registry before it is answered. */
  private reportingStore(): SystemStore {
    return {
      read: () => this.store.read(),
      update: (fn) =>
        this.serially(async () => {
          let servers = 0;
          const result = await this.store.update((system) => {
            const answer = fn(system);
            servers = system.servers.size;
            return answer;
          });
          await this.report(servers);
          return result;
        }),
      replace: (system) =>
        this.serially(async () => {
          await this.store.replace(system);
          await this.report(system.servers.size);
        }),
    };
  }

  private report(servers: number): Promise<void> {
    return this.toRegistry((registry) => registry.record(this.systemId, servers, new Date().toISOString()));
  }

  private async toRegistry(call: (registry: DurableObjectStub<SystemRegistry>) => Promise<void>): Promise<void> {
    this.registryStub ??= registryOf(this.env);
    try {
      await call(this.registryStub);
    } catch (error) {
      this.registryStub = undefined;
      throw error;
    }
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.changes.then(operation);
    this.changes = result.catch(() => undefined);
    return result;
  }
}
