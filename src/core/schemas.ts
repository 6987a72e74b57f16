/**
 * Data formats of the REST API (the seed) as zod schemas.
 *
 * JSON is read the way the reference (Go encoding/json) reads it, so that its users' files work
 * unchanged: object keys match case-insensitively and the last of two naming one field wins
 * (json-keys.ts), unknown keys are ignored, missing or null fields take zero values, and
 * numbers are never coerced from strings.
 * Unlike the reference, values that make no physical sense (negative counts, rates, times or
 * costs; fractions in integer fields; numbers beyond float32) are rejected with the field's path.
 */
import { z } from 'zod';
import { KeyReader } from './json-keys.js';
import {
  MAX_ACCELERATORS,
  MAX_BATCH_SIZE,
  MAX_CAPACITIES,
  MAX_MILP_ITERATIONS,
  MAX_MODEL_PERF,
  MAX_MODEL_TARGETS,
  MAX_QUEUE_SIZE,
  MAX_SERVERS,
  MAX_SERVICE_CLASSES,
} from './limits.js';

/** Largest finite float32: the reference stores these fields as float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * Numbers below this round to a finite float32. Go prints FLOAT32_MAX as 3.4028235e+38, a little
 * above it, so a float32 field accepts what rounds to it.
 */
const FLOAT32_ROUNDING_LIMIT = 2 ** 128 - 2 ** 103;

/** An object schema that reads keys as Go does (json-keys.ts) and defaults to its zero value. */
export function goObject<S extends z.ZodRawShape>(shape: S) {
  const keys = new KeyReader(Object.keys(shape));
  const read = (input: unknown) => (input === null || typeof input !== 'object' || Array.isArray(input) ? input : keys.readObject(input));
  return z.preprocess(read, z.object(shape));
}

const name = () => z.string().default('');
const flag = () => z.boolean().default(false);
const wholeNumber = (max: number, tooLarge: string) =>
  z
    .number()
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must not be negative' })
    .max(max, { message: tooLarge });
const count = (max = Number.MAX_SAFE_INTEGER, tooLarge = 'is too large') => wholeNumber(max, tooLarge).default(0);
const float32Value = () =>
  z
    .number()
    .min(0, { message: 'must not be negative' })
    .lt(FLOAT32_ROUNDING_LIMIT, { message: 'is beyond the float32 range' });
const float32 = () => float32Value().default(0);
/** An array of at most `limit` items (limits.ts), counted before any item is read. */
const list = <T extends z.ZodType>(item: T, limit: number, what: string) =>
  z.array(item).max(limit, { message: `at most ${limit} ${what} are allowed` }).default([]);

export const PowerSpecSchema = goObject({
  idle: count(),
  full: count(),
  midPower: count(),
  midUtil: float32(),
});

export const AcceleratorSpecSchema = goObject({
  name: name(),
  type: name(),
  multiplicity: count(),
  memSize: count(),
  memBW: count(),
  power: PowerSpecSchema.prefault({}),
  /** cents per hour, for the whole accelerator (all its cards) */
  cost: float32(),
});
export const AcceleratorDataSchema = goObject({ accelerators: list(AcceleratorSpecSchema, MAX_ACCELERATORS, 'accelerators') });

export const AcceleratorCountSchema = goObject({ type: name(), count: count() });
export const CapacityDataSchema = goObject({ count: list(AcceleratorCountSchema, MAX_CAPACITIES, 'capacity counts') });

export const DecodeParmsSchema = goObject({ alpha: float32(), beta: float32() });
export const PrefillParmsSchema = goObject({ gamma: float32(), delta: float32() });
/** Today's Inferno (optimizer-light): iteration time = alpha + beta·computed tokens + gamma·transferred tokens (ms). */
export const PerfParmsSchema = goObject({
  /** ms per iteration, whatever the batch holds */
  alpha: float32(),
  /** ms per token computed (prefill and decode) */
  beta: float32(),
  /** ms per token of KV cache read */
  gamma: float32(),
});

export const ModelAcceleratorPerfDataSchema = goObject({
  name: name(),
  acc: name(),
  accCount: count(),
  maxBatchSize: count(),
  atTokens: count(),
  /** ITL = alpha + beta * batchSize (ms) */
  decodeParms: DecodeParmsSchema.prefault({}),
  /** prefill time = gamma + delta * inputTokens * batchSize (ms) */
  prefillParms: PrefillParmsSchema.prefault({}),
  /**
   * Today's iteration-time model; kept only when given. An entry is sized by the model whose
   * parameters it carries, perfParms first (docs/semantics.md).
   */
  perfParms: PerfParmsSchema.optional(),
});
export const ModelDataSchema = goObject({ models: list(ModelAcceleratorPerfDataSchema, MAX_MODEL_PERF, 'perf data entries') });

export const ModelTargetSchema = goObject({
  model: name(),
  /** ms */
  'slo-itl': float32(),
  /** ms, queueing included */
  'slo-ttft': float32(),
  /** tokens per second */
  'slo-tps': float32(),
});
export const ServiceClassSpecSchema = goObject({
  name: name(),
  /** 1 (highest) to 100 (lowest); anything else means 100, as in the reference */
  priority: z.number().int({ message: 'must be a whole number' }).default(0),
  modelTargets: list(ModelTargetSchema, MAX_MODEL_TARGETS, 'model targets'),
});
export const ServiceClassDataSchema = goObject({ serviceClasses: list(ServiceClassSpecSchema, MAX_SERVICE_CLASSES, 'service classes') });

export const ServerLoadSpecSchema = goObject({
  /** requests per minute */
  arrivalRate: float32(),
  /** requests per minute served (optimizer-light's field): read and echoed, never computed; kept only when given */
  throughput: float32Value().optional(),
  avgInTokens: count(),
  avgOutTokens: count(),
});

/** Where a heterogeneous allocation puts its replicas (an extension of the seed's format). */
export const PlacementSchema = goObject({
  accelerator: name(),
  numReplicas: count(),
  cost: float32(),
  /** ms */
  itlAverage: float32(),
  /** ms */
  ttftAverage: float32(),
});

export const AllocationDataSchema = goObject({
  accelerator: name(),
  numReplicas: count(),
  maxBatch: count(),
  cost: float32(),
  /** ms */
  itlAverage: float32(),
  /** ms */
  ttftAverage: float32(),
  load: ServerLoadSpecSchema.prefault({}),
  /** set when the replicas are split across accelerators (an extension; Go clients ignore it) */
  placements: z.array(PlacementSchema).max(MAX_ACCELERATORS, { message: `at most ${MAX_ACCELERATORS} placements are allowed` }).optional(),
});

export const ServerSpecSchema = goObject({
  name: name(),
  class: name(),
  model: name(),
  keepAccelerator: flag(),
  minNumReplicas: count(),
  /** 0: derived from the perf data */
  maxBatchSize: count(MAX_BATCH_SIZE, `must be at most ${MAX_BATCH_SIZE} (the batch size limit)`),
  /** requests waiting beyond the batch, for perfParms models (0: none); kept only when given */
  maxQueueSize: wholeNumber(MAX_QUEUE_SIZE, `must be at most ${MAX_QUEUE_SIZE} (the queue size limit)`).optional(),
  currentAlloc: AllocationDataSchema.prefault({}),
  desiredAlloc: AllocationDataSchema.prefault({}),
});
export const ServerDataSchema = goObject({ servers: list(ServerSpecSchema, MAX_SERVERS, 'servers') });

export const SATURATION_POLICIES = ['None', 'PriorityExhaustive', 'PriorityRoundRobin', 'RoundRobin'] as const;
export type SaturationPolicy = (typeof SATURATION_POLICIES)[number];

/** Policy names match case-insensitively; empty means None. Unknown names are rejected. */
const saturationPolicy = z
  .string()
  .default('')
  .transform((value, ctx): SaturationPolicy => {
    if (value === '') return 'None';
    const policy = SATURATION_POLICIES.find((p) => p.toLowerCase() === value.toLowerCase());
    if (policy) return policy;
    ctx.addIssue({ code: 'custom', message: `must be one of ${SATURATION_POLICIES.join(', ')}` });
    return z.NEVER;
  });

/** Seconds the MILP solver may take in all when the spec gives no limit. */
export const DEFAULT_MILP_TIME_LIMIT = 5;

export const OptimizerSpecSchema = goObject({
  unlimited: flag(),
  heterogeneous: flag(),
  milpSolver: flag(),
  /** accepted for the reference's clients; HiGHS is used either way */
  useCplex: flag(),
  delayedBestEffort: flag(),
  saturationPolicy,
  /** seconds the MILP solver may take in all (an extension; 0 means the default) */
  milpTimeLimit: z
    .number()
    .min(0, { message: 'must not be negative' })
    .max(3600, { message: 'must be at most 3600 seconds' })
    .default(0),
  /**
   * simplex iterations the MILP may take over all its stages (an extension; 0: no limit): a
   * budget that, unlike the time limit, gives the same answer on every run
   */
  milpIterationLimit: count(MAX_MILP_ITERATIONS, `must be at most ${MAX_MILP_ITERATIONS}`),
});
export const DEFAULT_OPTIMIZER_SPEC: Readonly<z.output<typeof OptimizerSpecSchema>> = Object.freeze({
  unlimited: false,
  heterogeneous: false,
  milpSolver: false,
  useCplex: false,
  delayedBestEffort: false,
  saturationPolicy: 'None',
  milpTimeLimit: 0,
  milpIterationLimit: 0,
});
export const OptimizerDataSchema = goObject({ optimizer: OptimizerSpecSchema.prefault({}) });

export const SystemSpecSchema = goObject({
  acceleratorData: AcceleratorDataSchema.prefault({}),
  modelData: ModelDataSchema.prefault({}),
  serviceClassData: ServiceClassDataSchema.prefault({}),
  serverData: ServerDataSchema.prefault({}),
  optimizerData: OptimizerDataSchema.prefault({}),
  capacityData: CapacityDataSchema.prefault({}),
});
export const SystemDataSchema = goObject({ system: SystemSpecSchema.prefault({}) });

/** The version of the snapshot format System.toSnapshot writes. */
export const SNAPSHOT_VERSION = 1;

/**
 * A System as it is stored (System.toSnapshot): lossless plain JSON, since SystemData cannot
 * hold a model without perf data. Every snapshot read from storage is parsed with this. Older
 * snapshots load: one without a version is version 1, and fields added since take their zero
 * values as in any request. One written by a newer version is refused, saying so.
 */
export const SystemSnapshotSchema = z.object({
  version: z
    .number()
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(SNAPSHOT_VERSION, {
      message: `is newer than this inferno-edge reads (${SNAPSHOT_VERSION}): the snapshot was written by a newer version`,
    })
    .default(SNAPSHOT_VERSION),
  system: SystemSpecSchema,
  /** every model name, those without perf data included */
  models: z.array(z.string()),
});

/** A system to explain, and optionally a what-if: every arrival rate scaled, capacity added. */
export const ExplainRequestSchema = goObject({
  system: SystemSpecSchema.prefault({}),
  scaleLoad: z
    .number()
    .gt(0, { message: 'must be above 0' })
    .max(1000, { message: 'must be at most 1000' })
    .optional(),
  /** extra units by accelerator type */
  extraCapacity: z.record(z.string(), count()).optional(),
});

/** One stage of the MILP: a priority's count of servers within SLO, or the total value. */
export const SolverStageSchema = z.object({
  /** "priority N": serve as many of its servers within SLO as possible; "cost": least total value */
  stage: z.string(),
  /** how the stage ended; "skipped": no time or iterations were left for it */
  status: z.enum(['optimal', 'time-limit', 'iteration-limit', 'skipped', 'failed']),
  /**
   * the best of the feasible solutions the stage could start from: "greedy", the greedy's
   * answer; "heuristic", the previous stage's solution with this priority's servers added (in
   * the greedy's order or fewest units first), or for the cost stage with servers moved to
   * cheaper candidates that fit; "relaxation", the LP relaxation's solution, its fractional
   * servers placed again
   */
  start: z.enum(['greedy', 'heuristic', 'relaxation']),
  /** whose solution it kept: the solver's, or its start when the solver found nothing better */
  kept: z.enum(['solver', 'start']),
  /** of the solution kept: servers of the priority within SLO, or the total value */
  objective: z.number(),
  /** the bound HiGHS proved on the objective; absent when it proved none */
  bound: z.number().optional(),
  /** |objective − bound| / max(|objective|, |bound|); absent without a bound */
  gap: z.number().optional(),
  ms: z.number(),
});

/** How the MILP solver did (an extension; clients that read only `allocations` ignore it). */
export const SolverSummarySchema = z.object({
  /** e.g. "HiGHS 1.15.1" */
  solver: z.string(),
  formulation: z.enum(['single', 'heterogeneous']),
  /** optimal only when every stage was; otherwise the limit that stopped a stage */
  status: z.enum(['optimal', 'time-limit', 'iteration-limit', 'failed']),
  /** whose answer this is: the MILP's, or the greedy's when the MILP found nothing better */
  answer: z.enum(['milp', 'greedy']),
  /** set when a limit cut a stage short: "time" means that a rerun may give another answer */
  limitedBy: z.enum(['time', 'iterations']).optional(),
  /** the answer's total value (cost with transition penalties) of the servers within SLO */
  objective: z.number(),
  /** a proven lower bound on that value, when every stage was solved to optimality and HiGHS proved one */
  bound: z.number().optional(),
  gap: z.number().optional(),
  /** by the injected clock, from the start of the optimization (candidates included) */
  ms: z.number(),
  /** servers served within their SLOs by the answer, by priority */
  servedWithinSLO: z.record(z.string(), z.number()),
  /** the same for the greedy's answer on the same input */
  greedyServedWithinSLO: z.record(z.string(), z.number()),
  stages: z.array(SolverStageSchema),
  note: z.string().optional(),
});

export const SolvedAllocationSchema = z.object({
  accelerator: z.string(),
  numReplicas: z.number(),
  maxBatch: z.number(),
  cost: z.number(),
  itlAverage: z.number(),
  ttftAverage: z.number(),
  load: z.object({ arrivalRate: z.number(), throughput: z.number().optional(), avgInTokens: z.number(), avgOutTokens: z.number() }),
  placements: z.array(PlacementSchema).optional(),
  /** fewer replicas than the SLOs need (saturation policy); ITL/TTFT are those of the replicas given */
  bestEffort: z.boolean().optional(),
});

export const AllocationSolutionSchema = z.object({
  allocations: z.record(z.string(), SolvedAllocationSchema),
  summary: SolverSummarySchema.optional(),
  /** what the answer cannot say by itself: perf data that sized nothing, and the servers it left out */
  warnings: z.array(z.string()).optional(),
});

/** Which solver an optimization used. */
export const SolverKindSchema = z.enum(['greedy', 'unlimited', 'milp']);

export const ServerStatusSchema = z.enum(['allocated', 'best-effort', 'unallocated', 'not-needed']);

/** One accelerator considered for a server, and why it was or was not chosen. */
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
  /** the class's SLO targets for the model (ms, ms, tokens/s), if any */
  targets: z.object({ itl: z.number(), ttft: z.number(), tps: z.number() }).nullable(),
  status: ServerStatusSchema,
  decision: z.string(),
  allocation: SolvedAllocationSchema.nullable(),
  candidates: z.array(CandidateExplanationSchema),
});

export const ExplanationSchema = z.object({
  solver: SolverKindSchema,
  optimizer: OptimizerSpecSchema,
  totalCost: z.number().describe('cents per hour'),
  servers: z.array(ServerExplanationSchema),
  warnings: z
    .array(z.string())
    .optional()
    .describe('POST /explain: unknown keys (ignored) and references to what the system does not have; then perf data that sized nothing, and the servers it left out'),
});

const AllocationSummarySchema = z.object({ accelerator: z.string(), numReplicas: z.number(), cost: z.number(), status: ServerStatusSchema });

/** The system as it is against a scenario (ExplainRequest's scaleLoad, extraCapacity). */
export const WhatIfResultSchema = z.object({
  baseline: ExplanationSchema,
  scenario: ExplanationSchema,
  /** servers whose allocation differs between baseline and scenario, by name */
  changes: z.array(z.object({ server: z.string(), before: AllocationSummarySchema, after: AllocationSummarySchema })),
});

export const ExplainResponseSchema = z.union([
  ExplanationSchema,
  WhatIfResultSchema.extend({ warnings: z.array(z.string()).optional().describe('unknown keys (ignored) and references to what the system does not have') }),
]);

/** The answers of the verbs that answer a name, the model names, or that it is done. */
export const ModelNamesSchema = z.array(z.string());
export const NameSchema = z.string();
export const DoneSchema = z.literal('Done');

export const API_MODES = ['stateful', 'stateless'] as const;
export const HealthSchema = z.object({ status: z.literal('ok'), mode: z.enum(API_MODES) });

/** A field at fault: its dotted path ('(body)' for the whole body) and what is wrong with it. */
export const IssueSchema = z.object({ path: z.string(), message: z.string() });
/** Every failure's body: `issues` name each bad field (empty when no field is at fault). */
export const ErrorBodySchema = z.object({ message: z.string(), issues: z.array(IssueSchema) });

export type PowerSpec = z.output<typeof PowerSpecSchema>;
export type AcceleratorSpec = z.output<typeof AcceleratorSpecSchema>;
export type AcceleratorData = z.output<typeof AcceleratorDataSchema>;
export type AcceleratorCount = z.output<typeof AcceleratorCountSchema>;
export type CapacityData = z.output<typeof CapacityDataSchema>;
export type ModelAcceleratorPerfData = z.output<typeof ModelAcceleratorPerfDataSchema>;
export type ModelData = z.output<typeof ModelDataSchema>;
export type ModelTarget = z.output<typeof ModelTargetSchema>;
export type ServiceClassSpec = z.output<typeof ServiceClassSpecSchema>;
export type ServiceClassData = z.output<typeof ServiceClassDataSchema>;
export type ServerLoadSpec = z.output<typeof ServerLoadSpecSchema>;
export type AllocationData = z.output<typeof AllocationDataSchema>;
export type ServerSpec = z.output<typeof ServerSpecSchema>;
export type ServerData = z.output<typeof ServerDataSchema>;
export type OptimizerSpec = z.output<typeof OptimizerSpecSchema>;
export type OptimizerData = z.output<typeof OptimizerDataSchema>;
export type SystemSpec = z.output<typeof SystemSpecSchema>;
export type SystemData = z.output<typeof SystemDataSchema>;
export type ExplainRequest = z.output<typeof ExplainRequestSchema>;
export type SystemSnapshot = z.output<typeof SystemSnapshotSchema>;
export type Placement = z.output<typeof PlacementSchema>;
export type SolverSummary = z.output<typeof SolverSummarySchema>;
export type SolvedAllocation = z.output<typeof SolvedAllocationSchema>;
export type AllocationSolution = z.output<typeof AllocationSolutionSchema>;
export type SolverStage = z.output<typeof SolverStageSchema>;
export type SolverKind = z.output<typeof SolverKindSchema>;
export type ServerStatus = z.output<typeof ServerStatusSchema>;
export type CandidateExplanation = z.output<typeof CandidateExplanationSchema>;
export type ServerExplanation = z.output<typeof ServerExplanationSchema>;
export type Explanation = z.output<typeof ExplanationSchema>;
export type AllocationSummary = z.output<typeof AllocationSummarySchema>;
export type WhatIfResult = z.output<typeof WhatIfResultSchema>;
export type ApiMode = (typeof API_MODES)[number];
export type Health = z.output<typeof HealthSchema>;
export type Issue = z.output<typeof IssueSchema>;
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** Input that failed validation; `issues` name each field by its path. */
export class ValidationError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** Parses `input` with `schema`, throwing a ValidationError that names each bad field. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, root = ''): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      path: [root, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(body)',
      message: issue.message,
    })),
  );
}

/** The zero value of an allocation, as the reference reports a server with none. */
export function emptyAllocation(load: ServerLoadSpec = { arrivalRate: 0, avgInTokens: 0, avgOutTokens: 0 }): AllocationData {
  return { accelerator: '', numReplicas: 0, maxBatch: 0, cost: 0, itlAverage: 0, ttftAverage: 0, load: { ...load } };
}
