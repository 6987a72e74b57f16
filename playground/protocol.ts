/**
 * Messages between the page and the optimizer worker. The worker owns the core: it parses and
 * validates the document and runs the optimizer; the page only renders what it gets back.
 */
import type { AllocationSolution, Explanation, OptimizerSpec, Placement, SystemData } from '../src/core/index.js';

/**
 * The optimizer flags the page's controls set; they override the document's optimizerData,
 * whose other fields the run keeps.
 */
export type OptimizerFlags = Pick<OptimizerSpec, 'unlimited' | 'heterogeneous' | 'milpSolver' | 'delayedBestEffort' | 'saturationPolicy'>;

export type WorkerRequest =
  | { type: 'validate'; id: number; text: string }
  | { type: 'run'; id: number; text: string; flags: OptimizerFlags; arrivalScale: number };

export type WorkerResponse =
  | { type: 'validated'; id: number; problems: Problem[]; optimizer?: OptimizerSpec }
  | { type: 'result'; id: number; report: RunReport }
  /** internal: a bug in the page or the core, as opposed to input the optimizer refuses */
  | { type: 'failed'; id: number; message: string; problems: Problem[]; internal: boolean };

/** A syntax or schema problem in the document, at the line (1-based) it concerns. */
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

export interface ServerRow {
  server: string;
  serviceClass: string;
  model: string;
  priority: number;
  /** requests per minute, after the what-if scaling */
  arrivalRate: number;
  /** tokens per second; 0 when none */
  sloTps: number;
  allocation?: AllocatedServer;
  /** why the server got no allocation: the core's decision text */
  reason?: string;
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

export interface RunReport {
  flags: OptimizerFlags;
  arrivalScale: number;
  /** the exact input of this run: the document with the flags and the scaled arrival rates */
  systemData: SystemData;
  solution: AllocationSolution;
  /** the core's account of every server's decision, as explainResult gives it */
  explanation: Explanation;
  /** by priority, then server name */
  rows: ServerRow[];
  /** cents per hour: the sum of the allocations' costs */
  totalCost: number;
  /** by accelerator type name */
  types: TypeUsage[];
}
