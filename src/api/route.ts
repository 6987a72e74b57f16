/** What the API knows about one verb: enough to serve it, refuse it and document it. */
import type { z } from 'zod';
import type { MipSolver, OptimizeOptions } from '../core/index.js';
import type { CoreRunner } from './core-runner.js';
import type { AccessLevel } from './access.js';
import type { ApiMetrics } from './metrics.js';
import type { SystemStore } from './store.js';
import type { SystemDirectory, SystemLifecycle } from './system-routes.js';

/** Path parameters by name, URL-decoded. */
export type Params = Readonly<Record<string, string>>;

/** What the verbs work with, given by the runtime. */
export interface RouteContext {
  store: SystemStore;
  /** passed to the core's optimize, e.g. the MILP solver this runtime loads */
  optimizeOptions: OptimizeOptions;
  /** loads the MILP solver when a request needs it and optimizeOptions has none */
  loadMipSolver?: () => Promise<MipSolver>;
  /** where optimizations run */
  runner: CoreRunner;
  /** the Worker's lifecycle verbs of this system (delete, tokens); other runtimes have none */
  lifecycle?: SystemLifecycle;
  /** the Worker's list of systems */
  directory?: SystemDirectory;
  /** counts optimizations and keeps the record of the last one (GET /metrics) */
  metrics: ApiMetrics;
}

/** A route whose 200 body is `response`'s output type, so that a handler cannot answer another shape. */
export interface Route<Body extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST';
  /** itty-router pattern, e.g. /getAccelerator/:name */
  path: string;
  summary: string;
  /** served in stateless mode too (the reference's stateless server has the read-only verbs) */
  stateless: boolean;
  /** the grant it needs: `read` verbs change nothing, `write` verbs may, `admin` verbs are the lifecycle's */
  access: AccessLevel;
  /** served only where the runtime gives the context this names */
  needs?: 'lifecycle' | 'directory';
  /** about the service, not one system: the Worker answers it itself, outside /systems/{id}/ */
  systemless?: boolean;
  /** the JSON body it takes (POST only) */
  request?: z.ZodType;
  /** the JSON body of its 200 answer */
  response: Body;
  /** the content types of its 200 answer when not JSON; handle then answers a Response */
  contentTypes?: readonly string[];
  /**
   * The 200 body for a request (or the whole Response, for a route with contentTypes); `json`
   * is the parsed body, undefined without `request`.
   */
  handle(params: Params, json: unknown, context: RouteContext, request: Request): Promise<z.output<Body> | Response>;
}
