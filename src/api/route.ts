/** What the API knows about one verb: enough to serve it, refuse it and document it. */
import type { z } from 'zod';
import type { MipSolver, OptimizeOptions } from '../core/index.js';
import type { CoreRunner } from './core-runner.js';
import type { SystemStore } from './store.js';

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
}

export interface Route {
  method: 'GET' | 'POST';
  /** itty-router pattern, e.g. /getAccelerator/:name */
  path: string;
  summary: string;
  /** served in stateless mode too (the reference's stateless server has the read-only verbs) */
  stateless: boolean;
  /** the JSON body it takes (POST only) */
  request?: z.ZodType;
  /** the JSON body of its 200 answer */
  response: z.ZodType;
  /** The 200 body for a request; `json` is the parsed body, undefined without `request`. */
  handle(params: Params, json: unknown, context: RouteContext): Promise<unknown>;
}
