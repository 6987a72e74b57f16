/**
 * Why each server got what it got: POST /explain explains a given system (optionally a what-if)
 * without touching the stored one; GET /explain/:server explains one server of the stored
 * system under the optimizer spec it was last optimized with.
 */
import { z } from 'zod';
import {
  ExplainRequestSchema,
  OptimizerSpecSchema,
  parseWith,
  ServerLoadSpecSchema,
  SolvedAllocationSchema,
  System,
  type Explanation,
} from '../core/index.js';
import { notFound } from './errors.js';
import type { Route } from './route.js';
import { optimizeOptionsFor } from './verbs.js';

const StatusSchema = z.enum(['allocated', 'best-effort', 'unallocated', 'not-needed']);

export const CandidateExplanationSchema = z.object({
  accelerator: z.string(),
  feasible: z.boolean(),
  reason: z.string().optional().describe('why no allocation on this accelerator meets the SLOs'),
  numReplicas: z.number().optional(),
  batchSize: z.number().optional(),
  cost: z.number().optional().describe('cents per hour'),
  value: z.number().optional().describe('cost with the transition penalty: what the solver minimises'),
  maxRatePerReplica: z.number().optional().describe('requests per second one replica takes within the SLOs'),
  itl: z.number().optional().describe('ms'),
  ttft: z.number().optional().describe('ms'),
  chosen: z.boolean(),
  note: z.string().optional().describe('why a feasible candidate was not chosen'),
});

export const ServerExplanationSchema = z.object({
  server: z.string(),
  class: z.string(),
  model: z.string(),
  priority: z.number(),
  load: ServerLoadSpecSchema,
  targets: z.object({ itl: z.number(), ttft: z.number(), tps: z.number() }).nullable(),
  status: StatusSchema,
  decision: z.string(),
  allocation: SolvedAllocationSchema.nullable(),
  candidates: z.array(CandidateExplanationSchema),
});

export const ExplanationSchema = z.object({
  solver: z.enum(['greedy', 'unlimited', 'milp']),
  optimizer: OptimizerSpecSchema,
  totalCost: z.number().describe('cents per hour'),
  servers: z.array(ServerExplanationSchema),
  warnings: z.array(z.string()).optional().describe('perf data that sized nothing, and the servers it left out'),
});

const AllocationSummarySchema = z.object({ accelerator: z.string(), numReplicas: z.number(), cost: z.number(), status: StatusSchema });

export const WhatIfResultSchema = z.object({
  baseline: ExplanationSchema,
  scenario: ExplanationSchema,
  changes: z.array(z.object({ server: z.string(), before: AllocationSummarySchema, after: AllocationSummarySchema })),
});

export const ExplainResponseSchema = z.union([ExplanationSchema, WhatIfResultSchema]);

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
      const scenario = request.scaleLoad === undefined && request.extraCapacity === undefined ? undefined : { scaleLoad: request.scaleLoad, extraCapacity: request.extraCapacity };
      return context.runner.explain(system, spec, scenario, options);
    },
  },
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
      return explanation.servers.find((s) => s.server === server);
    },
  },
];
