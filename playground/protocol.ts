/**
 * Messages between the page and an optimizer worker. The worker owns the core: it parses and
 * validates the document, runs the optimizer and keeps that run, so that the explanation of a
 * server and the exports are computed when asked for; the page renders what it gets back.
 *
 * The page gives every run a worker of its own and terminates it when the run is superseded
 * (a new run, another document) or cancelled, so that a superseded run can never answer.
 */
import type { MilpProgress, OptimizerSpec, Placement, ServerExplanation, SolverKind, SolverSummary } from '../src/core/index.js';
import type { CombinedFiles, LoadedFile } from './input-files.js';
import type { FilterOptions, RowQuery, RowsPage } from './table-query.js';

/**
 * The optimizer flags the page's controls set; they override the document's optimizerData,
 * whose other fields the run keeps.
 */
export type OptimizerFlags = Pick<
  OptimizerSpec,
  'unlimited' | 'heterogeneous' | 'milpSolver' | 'delayedBestEffort' | 'saturationPolicy' | 'milpTimeLimit' | 'milpIterationLimit'
>;

/** What the run of a worker can be asked to write out, as JSON text: the page's report, the solution, the input. */
export type ExportKind = 'report' | 'solution' | 'system';

export type WorkerRequest =
  | { type: 'validate'; id: number; text: string }
  /** loaded files made into one document (`current`: the editor's, for the sections they do not bring) */
  | { type: 'combine'; id: number; files: LoadedFile[]; current: string }
  | { type: 'run'; id: number; text: string; flags: OptimizerFlags; arrivalScale: number }
  /** the explanation of one server of this worker's run */
  | { type: 'explain'; id: number; server: string }
  /** a page of this worker's run's rows */
  | { type: 'rows'; id: number; query: RowQuery }
  | { type: 'export'; id: number; what: ExportKind };

export type WorkerResponse =
  | { type: 'validated'; id: number; problems: Problem[]; warnings: Problem[]; optimizer?: OptimizerSpec }
  | { type: 'combined'; id: number; combined: CombinedFiles }
  /** sent while a run works, any number of times, before its answer */
  | { type: 'progress'; id: number; progress: RunProgress }
  | { type: 'result'; id: number; report: RunReport }
  | { type: 'explained'; id: number; explanation: ServerExplanation | null }
  | { type: 'rows'; id: number; page: RowsPage }
  | { type: 'exported'; id: number; text: string }
  /** internal: a bug in the page or the core, as opposed to input the optimizer refuses */
  | { type: 'failed'; id: number; message: string; problems: Problem[]; internal: boolean };

export type RunStage = 'reading' | 'loading-solver' | 'optimizing' | 'reporting';

/**
 * Where a run is: its own stage and, during a MILP, what the core's progress callback last
 * reported (the MILP's stage, its best solution so far and the gap to the proven bound).
 */
export interface RunProgress {
  stage: RunStage;
  solver?: SolverKind;
  milp?: MilpProgress;
}

/** A syntax or schema problem in the document (or a warning), at the line (1-based) it concerns. */
export interface Problem {
  /** dotted field path, or '' for a JSON syntax error */
  path: string;
  message: string;
  line: number;
}

export interface SloCheck {
  /** ms */
  value: number;
  /** ms; 0 when the service class sets no target */
  target: number;
}

export interface AllocatedServer {
  accelerator: string;
  acceleratorType: string;
  numReplicas: number;
  /** replicas the SLOs need; more than numReplicas for a best-effort allocation */
  replicasNeeded: number;
  maxBatch: number;
  /** cents per hour */
  cost: number;
  itl: SloCheck;
  ttft: SloCheck;
  bestEffort: boolean;
  /** set when the replicas are split across accelerators (heterogeneous) */
  placements?: Placement[];
}

/**
 * How a server came out: within its SLOs; allocated in full but an SLO is still missed (a
 * target that no batch size can reach); given fewer replicas than its SLOs need; or nothing.
 */
export type SloStatus = 'within-slo' | 'missed-slo' | 'best-effort' | 'unallocated';

export interface ServerRow {
  server: string;
  serviceClass: string;
  model: string;
  priority: number;
  /** requests per minute, after the what-if scaling */
  arrivalRate: number;
  status: SloStatus;
  allocation?: AllocatedServer;
  /** why the server got no allocation: the core's decision text */
  reason?: string;
}

/** Servers by how they came out; `servers` is their sum. */
export interface ServerCounts {
  servers: number;
  withinSlo: number;
  missedSlo: number;
  bestEffort: number;
  unallocated: number;
}

export interface TypeUsage {
  type: string;
  /** cents per hour */
  cost: number;
  /** accelerator units taken by the allocations */
  used: number;
  /** units available (capacityData); meaningless when the run was unlimited */
  available: number;
}

/**
 * A run as the page shows it, the table aside: the worker keeps the rows (a fleet has 10,000)
 * and answers for a page of them at a time.
 */
export interface RunReport {
  flags: OptimizerFlags;
  arrivalScale: number;
  solver: SolverKind;
  /** the MILP's account of itself; greedy runs have none */
  summary?: SolverSummary;
  /** seconds the MILP was given: the flag, or the default when it is 0 */
  milpTimeLimit: number;
  /** what the answer cannot say by itself (perf data that sized nothing), as the solution carries it */
  warnings: string[];
  counts: ServerCounts;
  /** what the table's filters offer */
  options: FilterOptions;
  /** the rows of the SLO headroom chart: all allocated servers with a target when few, else those with the least headroom */
  headroom: { rows: ServerRow[]; of: number };
  /** cents per hour: the sum of the allocations' costs */
  totalCost: number;
  /** by accelerator type name */
  types: TypeUsage[];
}
