/**
 * Why each server got what it got: POST /explain explains a given system (optionally a what-if)
 * without touching the stored one; GET /explain/:server explains one server of the stored
 * system under the optimizer spec it was last optimized with.
 */
import {
  ExplainRequestSchema,
  ExplainResponseSchema,
  parseWith,
  ServerExplanationSchema,
  System,
  inputWarnings,
  inputWarningText,
  type Explanation,
} from '../core/index.js';
import { found, notFound } from './errors.js';
import type { Route } from './route.js';
import { optimizeOptionsFor } from './verbs.js';

export const EXPLAIN_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/explain',
    summary: 'Explain the optimization of the given system (stored state unchanged); with scaleLoad or extraCapacity, a what-if',
    stateless: true,
    access: 'read',
    request: ExplainRequestSchema,
    response: ExplainResponseSchema,
    handle: async (_params, json, context) => {
      const request = parseWith(ExplainRequestSchema, json);
      const spec = request.system.optimizerData.optimizer;
      const system = System.fromSpec(request.system);
      const options = await optimizeOptionsFor(spec, context);
      // The input's warnings first, then what the answer adds (perf data that sized nothing); none, no list.
      const input = inputWarnings(ExplainRequestSchema, json, request.system).map(inputWarningText);
      const withInput = (warnings: readonly string[] = []) => (input.length + warnings.length > 0 ? { warnings: [...input, ...warnings] } : {});
      if (request.scaleLoad === undefined && request.extraCapacity === undefined) {
        const explanation = (await context.runner.explain(system, spec, undefined, options)) as Explanation;
        return { ...explanation, ...withInput(explanation.warnings) };
      }
      const scenario = { scaleLoad: request.scaleLoad, extraCapacity: request.extraCapacity };
      return { ...(await context.runner.explain(system, spec, scenario, options)), ...withInput() };
    },
  } satisfies Route<typeof ExplainResponseSchema>,
  {
    method: 'GET',
    path: '/explain/:server',
    summary: 'Explain one server of the stored system, under the optimizer spec it was last optimized with',
    stateless: true,
    access: 'read',
    response: ServerExplanationSchema,
    handle: async ({ server }, _json, context) => {
      const system = await context.store.read();
      if (!system.servers.has(server)) throw notFound(`server ${server}`);
      const explanation = (await context.runner.explain(system, system.optimizer, undefined, await optimizeOptionsFor(system.optimizer, context))) as Explanation;
      return found(explanation.servers.find((s) => s.server === server), `server ${server}`);
    },
  } satisfies Route<typeof ServerExplanationSchema>,
];
