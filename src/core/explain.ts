/**
 * Why each server got what it got: every candidate considered, why infeasible ones were, why the
 * chosen one won, why a server was left out; and what-if scenarios (scaled load, more capacity).
 */
import { f32, shortestFloat32 } from './float32.js';
import type { Allocation, CapacityRefusal } from './greedy.js';
import { optimize, type OptimizeOptions, type OptimizeResult, type SolverKind } from './optimize.js';
import { NO_USABLE_PARAMETERS } from './perf-models.js';
import { FLOAT32_MAX, type OptimizerSpec, type ServerLoadSpec, type SolvedAllocation } from './schemas.js';
import type { System } from './system.js';

export interface CandidateExplanation {
  accelerator: string;
  feasible: boolean;
  /** why no allocation on this accelerator meets the SLOs */
  reason?: string;
  numReplicas?: number;
  batchSize?: number;
  /** cents per hour */
  cost?: number;
  /** what the solver minimises: the transition penalty from the current allocation */
  value?: number;
  /** requests per second one replica takes within the SLOs */
  maxRatePerReplica?: number;
  /** ms, at the server's load spread over the replicas */
  itl?: number;
  ttft?: number;
  chosen: boolean;
  /** for a feasible candidate that was not chosen: why */
  note?: string;
}

export type ServerStatus = 'allocated' | 'best-effort' | 'unallocated' | 'not-needed';

export interface ServerExplanation {
  server: string;
  class: string;
  model: string;
  priority: number;
  load: ServerLoadSpec;
  /** the class's SLO targets for the model (ms, ms, tokens/s), if any */
  targets: { itl: number; ttft: number; tps: number } | null;
  status: ServerStatus;
  decision: string;
  allocation: SolvedAllocation | null;
  candidates: CandidateExplanation[];
}

export interface Explanation {
  solver: SolverKind;
  optimizer: OptimizerSpec;
  /** cents per hour, all allocations */
  totalCost: number;
  servers: ServerExplanation[];
  /** the solution's warnings (perf data that sized nothing), if any */
  warnings?: string[];
}

/** Explains the optimization of `system` under `spec`, leaving `system` unchanged. */
export function explain(system: System, spec: OptimizerSpec, options: OptimizeOptions = {}): Explanation {
  const copy = system.clone();
  return explainResult(copy, spec, optimize(copy, spec, options));
}

export function explainResult(system: System, optimizerSpec: OptimizerSpec, result: OptimizeResult): Explanation {
  const servers = result.candidates.map((s): ServerExplanation => {
    const spec = system.servers.get(s.server);
    const className = spec ? system.serviceClassOf(spec) : '';
    const target = system.serviceClasses.get(className)?.targets.get(spec?.model ?? '');
    const allocation = result.allocations.get(s.server);
    const refusals = result.refusals.get(s.server) ?? [];
    const feasible = s.candidates.filter((c) => c.accelerator !== '');
    const candidates: CandidateExplanation[] = [
      ...feasible.map((c): CandidateExplanation => {
        const chosen = allocation !== undefined && (allocation.placements?.some((p) => p.accelerator === c.accelerator) ?? allocation.accelerator === c.accelerator);
        const refusal = refusals.find((r) => r.accelerator === c.accelerator);
        return {
          accelerator: c.accelerator,
          feasible: true,
          numReplicas: c.numReplicas,
          batchSize: c.batchSize,
          cost: shortestFloat32(c.cost),
          value: shortestFloat32(c.value),
          maxRatePerReplica: c.maxRatePerReplica,
          itl: c.itl,
          ttft: c.ttft,
          chosen,
          ...(chosen ? {} : { note: refusal ? refusalText(refusal, result.solver) : notChosenText(c.value, allocation) }),
        };
      }),
      ...s.rejected.map((r): CandidateExplanation => ({ accelerator: r.accelerator, feasible: false, reason: r.reason, chosen: false })),
    ];
    const needed = feasible.find((c) => c.accelerator === allocation?.accelerator)?.numReplicas ?? 0;
    const { status, decision: why } = decide(s.reason, s.candidates.length > 0 && feasible.length === 0, feasible.length, allocation, needed, refusals, result.solver, spec);
    const noParameters = status === 'unallocated' && feasible.length === 0 && s.rejected.length > 0 && s.rejected.every((r) => r.reason === NO_USABLE_PARAMETERS);
    const decision = noParameters ? `no accelerator has usable performance parameters for model ${spec?.model ?? ''} (see each candidate)` : why;
    return {
      server: s.server,
      class: className,
      model: spec?.model ?? '',
      priority: s.priority,
      load: { ...(spec?.currentAlloc.load ?? { arrivalRate: 0, avgInTokens: 0, avgOutTokens: 0 }) },
      targets: target ? { itl: target['slo-itl'], ttft: target['slo-ttft'], tps: target['slo-tps'] } : null,
      status,
      decision,
      allocation: result.solution.allocations[s.server] ?? null,
      candidates,
    };
  });
  const totalCost = shortestFloat32(Object.values(result.solution.allocations).reduce((sum, a) => f32(sum + a.cost), 0));
  const explanation: Explanation = { solver: result.solver, optimizer: { ...optimizerSpec }, totalCost, servers };
  if (result.solution.warnings) explanation.warnings = [...result.solution.warnings];
  return explanation;
}

function refusalText(refusal: CapacityRefusal, solver: SolverKind): string {
  const after = solver === 'milp' ? 'servers of higher priority and those of its own served' : 'servers served before it';
  return `no room: needs ${refusal.unitsNeeded} units of ${refusal.acceleratorType}, ${refusal.unitsLeft} left after ${after}${heldByText(refusal)}`;
}

function heldByText(refusal: CapacityRefusal): string {
  const held = refusal.heldBy;
  if (!held) return '';
  const more = held.count - held.servers.length;
  return `; held by ${held.count === 1 ? 'the higher-priority server' : `${held.count} higher-priority servers:`} ${held.servers.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Why a server got nothing within its SLOs, from what each candidate needed and found left. */
function leftOutText(refusals: readonly CapacityRefusal[]): string {
  const list = refusals.map((r) => `${r.accelerator}: ${r.unitsNeeded} ${r.acceleratorType} units needed, ${r.unitsLeft} left${heldByText(r)}`).join('; ');
  // Only a MILP stopped by its limit leaves out a server that fits.
  return refusals.some((r) => r.unitsNeeded <= r.unitsLeft)
    ? `the MILP stopped at its limit before it placed it (${list})`
    : `no candidate fits the capacity left (${list})`;
}

function notChosenText(value: number, allocation: Allocation | undefined): string {
  if (!allocation) return 'not tried: the server got no allocation';
  return value > allocation.value ? 'costs more than the chosen one' : 'not needed: the solver chose another accelerator';
}

function decide(
  serverReason: string | undefined,
  onlyEmpty: boolean,
  feasibleCount: number,
  allocation: Allocation | undefined,
  /** replicas the chosen accelerator needs to meet the SLOs */
  needed: number,
  refusals: CapacityRefusal[],
  solver: SolverKind,
  spec: { minNumReplicas: number } | undefined,
): { status: ServerStatus; decision: string } {
  if (serverReason) return { status: 'unallocated', decision: serverReason };
  if (onlyEmpty || allocation?.accelerator === '') {
    return { status: 'not-needed', decision: `no load and minNumReplicas ${spec?.minNumReplicas ?? 0}: no replicas needed` };
  }
  if (feasibleCount === 0) return { status: 'unallocated', decision: 'no accelerator can meet its SLOs (see each candidate)' };
  if (!allocation) return { status: 'unallocated', decision: `${leftOutText(refusals)}; the saturation policy gave it nothing` };
  if (allocation.bestEffort) {
    return {
      status: 'best-effort',
      decision:
        `best effort under the saturation policy: ${allocation.numReplicas} of the ${needed} replicas its SLOs need on ${allocation.accelerator}; ` +
        (allocation.ttft < FLOAT32_MAX
          ? 'its ITL and TTFT are those of its load on these replicas'
          : 'they cannot take its load, so its queue grows without bound: TTFT unbounded (reported as the largest float32)'),
    };
  }
  if (allocation.placements) {
    return {
      status: 'allocated',
      decision: `replicas split across ${allocation.placements.map((p) => `${p.numReplicas} × ${p.accelerator}`).join(' and ')} so that more servers meet their SLOs at least cost`,
    };
  }
  if (refusals.length > 0) {
    return {
      status: 'allocated',
      decision: `capacity forced candidate ${allocation.accelerator}: ${refusals.map((r) => `${r.accelerator} had no room`).join(', ')}`,
    };
  }
  if (feasibleCount === 1) return { status: 'allocated', decision: 'the only feasible candidate' };
  if (solver === 'milp') return { status: 'allocated', decision: 'chosen by the MILP: most servers within SLOs by priority, then least total cost' };
  return { status: 'allocated', decision: `the least value (cost with transition penalty) of ${feasibleCount} feasible candidates` };
}

export interface WhatIf {
  /** multiplies every server's arrival rate */
  scaleLoad?: number;
  /** extra units by accelerator type */
  extraCapacity?: Record<string, number>;
}

export interface AllocationSummary {
  accelerator: string;
  numReplicas: number;
  cost: number;
  status: ServerStatus;
}

export interface WhatIfResult {
  baseline: Explanation;
  scenario: Explanation;
  /** servers whose allocation differs between baseline and scenario, by name */
  changes: { server: string; before: AllocationSummary; after: AllocationSummary }[];
}

/** The system as it is, against the system with scaled load and added capacity. */
export function whatIf(system: System, spec: OptimizerSpec, scenario: WhatIf, options: OptimizeOptions = {}): WhatIfResult {
  const baseline = explain(system, spec, options);
  const changed = system.clone();
  const scale = scenario.scaleLoad ?? 1;
  for (const server of changed.servers.values()) {
    server.currentAlloc.load.arrivalRate = f32(server.currentAlloc.load.arrivalRate * scale);
  }
  for (const [type, extra] of Object.entries(scenario.extraCapacity ?? {})) {
    changed.setCapacity({ type, count: (changed.capacity.get(type) ?? 0) + extra });
  }
  const after = explain(changed, spec, options);
  const summary = (s: ServerExplanation): AllocationSummary => ({
    accelerator: s.allocation?.accelerator ?? '',
    numReplicas: s.allocation?.numReplicas ?? 0,
    cost: s.allocation?.cost ?? 0,
    status: s.status,
  });
  const changes = baseline.servers.flatMap((s, index) => {
    const before = summary(s);
    const next = summary(after.servers[index]);
    const same = before.accelerator === next.accelerator && before.numReplicas === next.numReplicas && before.status === next.status;
    return same ? [] : [{ server: s.server, before, after: next }];
  });
  return { baseline, scenario: after, changes };
}
