/**
 * Where the core's optimizations run. By default right here, in the caller's thread (the
 * Worker, tests); the Node server runs them in worker threads (src/node/optimizer-pool.ts), so
 * that a long MILP never stalls /health and the other verbs.
 */
import {
  explain,
  optimize,
  whatIf,
  type AllocationSolution,
  type Explanation,
  type OptimizeOptions,
  type OptimizerSpec,
  type System,
  type WhatIf,
  type WhatIfResult,
} from '../core/index.js';
import { runFactsOf, type RunFacts } from './metrics.js';

/** An optimization's answer, with what the metrics keep of it. */
export interface OptimizationOutcome {
  solution: AllocationSolution;
  facts: RunFacts;
}

export interface CoreRunner {
  /** The solution of `system` (left unchanged) under `spec`. */
  optimize(system: System, spec: OptimizerSpec, options: OptimizeOptions): Promise<OptimizationOutcome>;
  /** Why each server of `system` gets what it gets; with a scenario, against that scenario. */
  explain(system: System, spec: OptimizerSpec, scenario: WhatIf | undefined, options: OptimizeOptions): Promise<Explanation | WhatIfResult>;
}

export const IN_PROCESS: CoreRunner = {
  optimize: async (system, spec, options) => {
    const result = optimize(system, spec, options);
    return { solution: result.solution, facts: runFactsOf(result) };
  },
  explain: async (system, spec, scenario, options) => (scenario ? whatIf(system, spec, scenario, options) : explain(system, spec, options)),
};
