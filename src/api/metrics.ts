/**
 * What GET /metrics tells, for Prometheus: every metric's definition, once, for Node and the
 * Worker alike. Most values are a pure function of the stored system (its servers' desired
 * and current allocations, SLO targets and capacity) and of a small record of its last
 * optimization, which each runtime keeps beside the system (LastRunStore). Counters and the
 * duration histogram live in memory, per API instance: per process on Node, per Durable Object
 * (one system) on the Worker.
 */
import { z } from 'zod';
import {
  LOWEST_PRIORITY,
  serviceClassOf,
  SolverSummarySchema,
  type Allocation,
  type OptimizeResult,
  type OptimizerSpec,
  type ServerCandidates,
  type SolverKind,
  type System,
} from '../core/index.js';
import {
  CONTENT_TYPES,
  LabeledCounter,
  LabeledHistogram,
  negotiateFormat,
  renderExposition,
  type Labels,
  type MetricFamily,
  type Sample,
} from './exposition.js';
import { ApiError } from './errors.js';
import type { Route } from './route.js';
import type { SystemStore } from './store.js';

const SOLVERS = ['greedy', 'unlimited', 'milp'] as const satisfies readonly SolverKind[];
/** how each server came out of an optimization (explain's statuses, in Prometheus's spelling) */
export const SERVER_STATES = ['within_slo', 'best_effort', 'unallocated', 'not_needed'] as const;
export type ServerState = (typeof SERVER_STATES)[number];
/** every status a MILP summary may report */
export const MILP_STATUSES: readonly string[] = SolverSummarySchema.shape.status.options;

/** Seconds; optimizations take from under a millisecond (small systems) to the MILP's time limit. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the last solved optimization of a system did that its stored state does not tell. */
export const OptimizationRecordSchema = z.object({
  solver: z.enum(SOLVERS),
  /** when it finished, seconds since the epoch */
  finishedAtSeconds: z.number(),
  durationSeconds: z.number(),
  /** MILP only: the summary's status, and its relative gap when a bound was proved */
  milp: z.object({ status: z.string(), gap: z.number().optional() }).optional(),
  /** servers by priority and state; states with none are left out */
  servers: z.array(z.object({ priority: z.number(), state: z.enum(SERVER_STATES), count: z.number() })),
  /** accelerator units the allocations take, by accelerator type */
  unitsUsed: z.record(z.string(), z.number()),
});
export type OptimizationRecord = z.output<typeof OptimizationRecordSchema>;

/** Where a runtime keeps the record of a system's last optimization, beside the system. */
export interface LastRunStore {
  load(): OptimizationRecord | undefined;
  save(record: OptimizationRecord): void;
}

type MetricType = MetricFamily['type'];

export interface MetricDefinition {
  /** for a counter, without `_total` */
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  unit?: string;
  /** where the value comes from (README's list says what each means) */
  source: 'counters' | 'last optimization' | 'system';
}

function metric(name: string, type: MetricType, source: MetricDefinition['source'], labels: readonly string[], help: string): MetricDefinition {
  const unit = ['seconds', 'ratio'].find((u) => name.endsWith(`_${u}`));
  return { name: `inferno_${name}`, type, help, labels, source, ...(unit ? { unit } : {}) };
}

/** Every metric /metrics can expose, in the order it exposes them. */
export const METRICS = {
  optimizations: metric('optimizations', 'counter', 'counters', ['solver', 'outcome'],
    'Optimizations (/optimize, /optimizeOne) by solver and outcome (solved, or failed with no answer).'),
  optimizationDuration: metric('optimization_duration_seconds', 'histogram', 'counters', ['solver'],
    'Time the optimizations took, by solver.'),
  httpRequests: metric('http_requests', 'counter', 'counters', ['verb', 'status'],
    'API requests by verb (the route, e.g. /getServer/:name; "other" for none) and HTTP status.'),
  stateFileWrites: metric('state_file_writes', 'counter', 'counters', [],
    'Writes of the state file (INFERNO_STATE_FILE) that succeeded; Node only.'),
  stateFileWriteFailures: metric('state_file_write_failures', 'counter', 'counters', [],
    'Writes of the state file that failed (the change was refused); Node only.'),
  lastTimestamp: metric('last_optimization_timestamp_seconds', 'gauge', 'last optimization', ['solver'],
    'When the last solved optimization of this system finished, in seconds since the epoch.'),
  lastDuration: metric('last_optimization_duration_seconds', 'gauge', 'last optimization', ['solver'],
    'How long the last solved optimization of this system took.'),
  milpStatus: metric('milp_status', 'gauge', 'last optimization', ['status'],
    'The MILP status of the last optimization (1 for its status, 0 for the others); only after a MILP.'),
  milpGap: metric('milp_gap_ratio', 'gauge', 'last optimization', [],
    'Relative gap between the objective and the best bound of the last MILP; only after a MILP.'),
  servers: metric('servers', 'gauge', 'last optimization', ['priority', 'state'],
    'Servers of each priority by how the last optimization left them: within_slo, best_effort, unallocated, not_needed (no load).'),
  unitsUsed: metric('accelerator_units_used', 'gauge', 'last optimization', ['type'],
    'Accelerator units the allocations of the last optimization take, by accelerator type.'),
  unitsAvailable: metric('accelerator_units_available', 'gauge', 'system', ['type'],
    'Accelerator units available, by accelerator type (the capacity).'),
  totalCost: metric('total_cost_cents_per_hour', 'gauge', 'system', [],
    'Cost of all desired allocations, in cents per hour.'),
  serverInfo: metric('server_info', 'gauge', 'system', ['server', 'class', 'model', 'priority'],
    'Always 1: the class, model and priority of each server, to join the per-server metrics on.'),
  desiredReplicas: metric('server_desired_replicas', 'gauge', 'system', ['server'],
    'Replicas of the desired allocation.'),
  currentReplicas: metric('server_current_replicas', 'gauge', 'system', ['server'],
    'Replicas of the current allocation.'),
  replicaChange: metric('server_replica_change', 'gauge', 'system', ['server'],
    'Desired minus current replicas: what scaling to the desired allocation adds (or removes, below 0).'),
  desiredAccelerator: metric('server_desired_accelerator_info', 'gauge', 'system', ['server', 'accelerator'],
    'Always 1: the accelerator of the desired allocation (servers with one).'),
  desiredBatchSize: metric('server_desired_max_batch_size', 'gauge', 'system', ['server'],
    'Max batch size of the desired allocation.'),
  desiredCost: metric('server_desired_cost_cents_per_hour', 'gauge', 'system', ['server'],
    'Cost of the desired allocation, in cents per hour.'),
  predictedItl: metric('server_predicted_itl_seconds', 'gauge', 'system', ['server'],
    'Average inter-token latency the desired allocation is predicted to give (servers with replicas).'),
  predictedTtft: metric('server_predicted_ttft_seconds', 'gauge', 'system', ['server'],
    'Average time to first token, queueing included, the desired allocation is predicted to give (servers with replicas).'),
  sloItl: metric('server_slo_itl_seconds', 'gauge', 'system', ['server'],
    "The ITL target of the server's class for its model (servers with one)."),
  sloTtft: metric('server_slo_ttft_seconds', 'gauge', 'system', ['server'],
    "The TTFT target of the server's class for its model (servers with one)."),
  headroom: metric('server_slo_headroom_ratio', 'gauge', 'system', ['server'],
    'The smaller of (target - predicted) / target over ITL and TTFT: 0.2 is 20% to spare, below 0 a miss.'),
} as const satisfies Record<string, MetricDefinition>;

/** The names a metric's samples carry (a counter's end in _total, a histogram's in _bucket, _sum, _count). */
export function sampleNames(definition: MetricDefinition): string[] {
  if (definition.type === 'counter') return [`${definition.name}_total`];
  if (definition.type === 'histogram') return ['_bucket', '_sum', '_count'].map((suffix) => definition.name + suffix);
  return [definition.name];
}

function family(definition: MetricDefinition, samples: readonly Sample[]): MetricFamily {
  const { name, help, unit } = definition;
  if (definition.type === 'histogram') throw new Error(`${name} is a histogram`);
  return { name, help, type: definition.type, samples, ...(unit ? { unit } : {}) };
}

/** How the optimizer left one server: explain's status, from the same facts. */
function serverState(server: ServerCandidates, allocation: Allocation | undefined): ServerState {
  // the empty allocation of a server without load is its only candidate
  const onlyEmpty = server.candidateAt(0)?.accelerator === '';
  if (onlyEmpty || allocation?.accelerator === '') return 'not_needed';
  if (!allocation) return 'unallocated';
  return allocation.bestEffort ? 'best_effort' : 'within_slo';
}

/** Units of each accelerator type that `allocation` takes (each placement on its own type). */
function addUnits(units: Record<string, number>, server: ServerCandidates, allocation: Allocation): void {
  const placements = allocation.placements ?? [allocation];
  for (const placement of placements) {
    const candidate = server.candidateOn(placement.accelerator);
    if (!candidate || candidate.accelerator === '') continue;
    units[candidate.acceleratorType] = (units[candidate.acceleratorType] ?? 0) + placement.numReplicas * candidate.unitsPerReplica;
  }
}

/** What the record of an optimization keeps of its result; computed where it ran (maybe another thread). */
export type RunFacts = Omit<OptimizationRecord, 'finishedAtSeconds' | 'durationSeconds'>;

/** The facts of a solved optimization. */
export function runFactsOf(result: OptimizeResult): RunFacts {
  const counts = new Map<string, { priority: number; state: ServerState; count: number }>();
  const unitsUsed: Record<string, number> = {};
  for (const server of result.candidates) {
    const allocation = result.allocations.get(server.server);
    const state = serverState(server, allocation);
    const key = `${server.priority} ${state}`;
    const entry = counts.get(key) ?? { priority: server.priority, state, count: 0 };
    entry.count++;
    counts.set(key, entry);
    if (allocation) addUnits(unitsUsed, server, allocation);
  }
  const servers = [...counts.values()].sort(
    (a, b) => a.priority - b.priority || SERVER_STATES.indexOf(a.state) - SERVER_STATES.indexOf(b.state),
  );
  const summary = result.solution.summary;
  return {
    solver: result.solver,
    ...(summary ? { milp: { status: summary.status, ...(summary.gap !== undefined ? { gap: summary.gap } : {}) } } : {}),
    servers,
    unitsUsed: Object.fromEntries(Object.keys(unitsUsed).sort().map((type) => [type, unitsUsed[type]])),
  };
}

function lastRunFamilies(record: OptimizationRecord | undefined): MetricFamily[] {
  const solver = { solver: record?.solver ?? '' };
  const milp = record?.milp;
  return [
    family(METRICS.lastTimestamp, record ? [{ labels: solver, value: record.finishedAtSeconds }] : []),
    family(METRICS.lastDuration, record ? [{ labels: solver, value: record.durationSeconds }] : []),
    family(METRICS.milpStatus, milp ? MILP_STATUSES.map((status) => ({ labels: { status }, value: status === milp.status ? 1 : 0 })) : []),
    family(METRICS.milpGap, milp?.gap !== undefined && Number.isFinite(milp.gap) ? [{ labels: {}, value: milp.gap }] : []),
    family(METRICS.servers, (record?.servers ?? []).map(({ priority, state, count }) => ({ labels: { priority: String(priority), state }, value: count }))),
    family(METRICS.unitsUsed, Object.entries(record?.unitsUsed ?? {}).map(([type, units]) => ({ labels: { type }, value: units }))),
  ];
}

const MS_PER_SECOND = 1000;

/** What the stored system says: capacity, cost and every server's allocations and targets. */
function systemFamilies(system: System): MetricFamily[] {
  const ids = ['serverInfo', 'desiredReplicas', 'currentReplicas', 'replicaChange', 'desiredAccelerator', 'desiredBatchSize',
    'desiredCost', 'predictedItl', 'predictedTtft', 'sloItl', 'sloTtft', 'headroom'] as const;
  const samples = Object.fromEntries(ids.map((id) => [id, [] as Sample[]])) as Record<(typeof ids)[number], Sample[]>;
  let totalCost = 0;
  for (const server of system.listServers()) {
    const labels: Labels = { server: server.name };
    const className = serviceClassOf(server);
    const serviceClass = system.getServiceClass(className);
    const target = serviceClass?.modelTargets.find((t) => t.model === server.model);
    const { desiredAlloc: desired, currentAlloc: current } = server;
    const priority = String(serviceClass?.priority ?? LOWEST_PRIORITY);
    totalCost += desired.cost;
    samples.serverInfo.push({ labels: { server: server.name, class: className, model: server.model, priority }, value: 1 });
    samples.desiredReplicas.push({ labels, value: desired.numReplicas });
    samples.currentReplicas.push({ labels, value: current.numReplicas });
    samples.replicaChange.push({ labels, value: desired.numReplicas - current.numReplicas });
    if (desired.accelerator !== '') samples.desiredAccelerator.push({ labels: { ...labels, accelerator: desired.accelerator }, value: 1 });
    samples.desiredBatchSize.push({ labels, value: desired.maxBatch });
    samples.desiredCost.push({ labels, value: desired.cost });
    const itlTarget = target?.['slo-itl'] ?? 0;
    const ttftTarget = target?.['slo-ttft'] ?? 0;
    if (itlTarget > 0) samples.sloItl.push({ labels, value: itlTarget / MS_PER_SECOND });
    if (ttftTarget > 0) samples.sloTtft.push({ labels, value: ttftTarget / MS_PER_SECOND });
    if (desired.numReplicas === 0) continue;
    samples.predictedItl.push({ labels, value: desired.itlAverage / MS_PER_SECOND });
    samples.predictedTtft.push({ labels, value: desired.ttftAverage / MS_PER_SECOND });
    const margins = [
      [itlTarget, desired.itlAverage],
      [ttftTarget, desired.ttftAverage],
    ].flatMap(([goal, predicted]) => (goal > 0 ? [(goal - predicted) / goal] : []));
    if (margins.length > 0) samples.headroom.push({ labels, value: Math.min(...margins) });
  }
  const capacity = system.listCapacities().map(({ type, count }) => ({ labels: { type }, value: count }));
  return [
    family(METRICS.unitsAvailable, capacity),
    family(METRICS.totalCost, [{ labels: {}, value: totalCost }]),
    ...ids.map((id) => family(METRICS[id], samples[id])),
  ];
}

/** The solver an optimizer spec asks for, to label a run that failed before it chose one. */
function requestedSolver(spec: OptimizerSpec): SolverKind {
  if (spec.milpSolver) return 'milp';
  return spec.unlimited ? 'unlimited' : 'greedy';
}

export interface ApiMetricsOptions {
  /** milliseconds, for durations (default performance.now) */
  now?: () => number;
  /** milliseconds since the epoch, for timestamps (default Date.now) */
  wallClock?: () => number;
  /** where the record of the last optimization is kept (default: in this object's memory) */
  lastRun?: LastRunStore;
  /** exposes the state-file write counters (Node with INFERNO_STATE_FILE) */
  stateFile?: boolean;
}

/** What an optimization gives the metrics: its facts, beside whatever else it answers. */
interface WithFacts {
  facts: RunFacts;
}

/** One optimization as the metrics see it: timed, counted, and its record kept once stored. */
export interface OptimizationRun {
  /**
   * Runs `optimize` (the core's call, here or in another thread), timing and counting it; passes
   * on what it returns or throws. A 503 (no room for one more run) is no optimization: not counted.
   */
  optimize<T extends WithFacts>(optimize: () => Promise<T>): Promise<T>;
  /** Call once the system it changed is stored: its record becomes the system's last run. */
  stored(): void;
}

function memoryLastRun(): LastRunStore {
  let record: OptimizationRecord | undefined;
  return { load: () => record, save: (next) => void (record = next) };
}

/** The metrics of one API instance: its counters, and the record of its system's last optimization. */
export class ApiMetrics {
  private readonly optimizations = new LabeledCounter();
  private readonly durations = new LabeledHistogram(DURATION_BUCKETS);
  private readonly requests = new LabeledCounter();
  private readonly writes = new LabeledCounter();
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly lastRun: LastRunStore;
  private readonly stateFile: boolean;

  constructor(options: ApiMetricsOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.wallClock = options.wallClock ?? Date.now;
    this.lastRun = options.lastRun ?? memoryLastRun();
    this.stateFile = options.stateFile ?? false;
  }

  startRun(spec: OptimizerSpec): OptimizationRun {
    let record: OptimizationRecord | undefined;
    return {
      optimize: async (optimize) => {
        const started = this.now();
        const seconds = () => Math.max(0, this.now() - started) / MS_PER_SECOND;
        let result;
        try {
          result = await optimize();
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 503)) this.countRun(requestedSolver(spec), 'failed', seconds());
          throw error;
        }
        const durationSeconds = seconds();
        this.countRun(result.facts.solver, 'solved', durationSeconds);
        record = { ...result.facts, finishedAtSeconds: this.wallClock() / MS_PER_SECOND, durationSeconds };
        return result;
      },
      stored: () => {
        if (!record) return;
        try {
          this.lastRun.save(record);
        } catch (error) {
          // the system is stored: its answer stands, only the record is missing
          console.error('cannot keep the record of the last optimization:', error);
        }
      },
    };
  }

  countRequest(verb: string, status: number): void {
    this.requests.add({ verb, status: String(status) });
  }

  countStateFileWrite(succeeded: boolean): void {
    this.writes.add({ outcome: succeeded ? 'written' : 'failed' });
  }

  /** Every family, for `system` (the stored one). */
  families(system: System): MetricFamily[] {
    const { optimizationDuration: duration } = METRICS;
    const runs: MetricFamily[] = [
      family(METRICS.optimizations, this.optimizations.samples()),
      { name: duration.name, help: duration.help, type: 'histogram', unit: duration.unit, bounds: DURATION_BUCKETS, series: this.durations.snapshot() },
      family(METRICS.httpRequests, this.requests.samples()),
    ];
    if (this.stateFile) {
      runs.push(family(METRICS.stateFileWrites, [{ labels: {}, value: this.writes.value({ outcome: 'written' }) }]));
      runs.push(family(METRICS.stateFileWriteFailures, [{ labels: {}, value: this.writes.value({ outcome: 'failed' }) }]));
    }
    return [...runs, ...lastRunFamilies(this.lastRun.load()), ...systemFamilies(system)];
  }

  private countRun(solver: SolverKind, outcome: 'solved' | 'failed', seconds: number): void {
    this.optimizations.add({ solver, outcome });
    this.durations.observe({ solver }, seconds);
  }
}

/**
 * `store`, counting the writes it makes into `metrics`: an update or replace that is stored
 * counts as written, one whose change was made but could not be stored as failed (a change
 * refused before it is made, e.g. a 404, writes nothing).
 */
export function countingWrites(store: SystemStore, metrics: ApiMetrics): SystemStore {
  const counted = async <T>(write: (mark: () => void) => Promise<T>): Promise<T> => {
    let attempted = false;
    try {
      const result = await write(() => (attempted = true));
      metrics.countStateFileWrite(true);
      return result;
    } catch (error) {
      if (attempted) metrics.countStateFileWrite(false);
      throw error;
    }
  };
  return {
    read: () => store.read(),
    update: (fn) =>
      counted((mark) =>
        store.update((system) => {
          const result = fn(system);
          mark();
          return result;
        }),
      ),
    replace: (system) =>
      counted((mark) => {
        mark();
        return store.replace(system);
      }),
  };
}

/** The body of GET /metrics, as OpenAPI describes it. */
export const MetricsTextSchema = z.string().describe('Prometheus text exposition format 0.0.4, or OpenMetrics 1.0.0 when Accept asks for it');

/** GET /metrics: the stored system's metrics, in the format the scraper's Accept header prefers. */
export const metricsRoute: Route = {
  method: 'GET',
  path: '/metrics',
  access: 'read',
  summary: 'Metrics for Prometheus: runs, requests, the last optimization, capacity, cost and every server',
  stateless: true,
  response: MetricsTextSchema,
  contentTypes: [CONTENT_TYPES.prometheus, CONTENT_TYPES.openmetrics],
  handle: async (_params, _json, { store, metrics }, request) => {
    const format = negotiateFormat(request.headers.get('accept'));
    const text = renderExposition(metrics.families(await store.read()), format);
    return new Response(text, { headers: { 'content-type': CONTENT_TYPES[format] } });
  },
};
