/**
 * Why each server got what it got: every candidate considered, why infeasible ones were, why the
 * chosen one won, why a server was left out; and what-if scenarios (scaled load, more capacity).
 */
import { f32, shortestFloat32 } from './float32.js';
import type { Allocation, CapacityRefusal } from './greedy.js';
import { optimize, type OptimizeOptions, type OptimizeResult } from './optimize.js';
import { NO_USABLE_PARAMETERS } from './perf-models.js';
import {
  FLOAT32_MAX,
  type AllocationSummary,
  type CandidateExplanation,
  type ExplainRequest,
  type Explanation,
  type OptimizerSpec,
  type ServerExplanation,
  type ServerStatus,
  type SolverKind,
  type WhatIfResult,
} from './schemas.js';
import { serviceClassOf, type SystemView } from './system.js';

/** Explains the optimization of `system` under `spec`. */
export function explain(system: SystemView, spec: OptimizerSpec, options: OptimizeOptions = {}): Explanation {
  return explainResult(system, spec, optimize(system, spec, options));
}

/** The explanation of `result`, optimize's answer for `system` under `optimizerSpec`. */
export function explainResult(system: SystemView, optimizerSpec: OptimizerSpec, result: OptimizeResult): Explanation {
  const servers = result.candidates.map((s): ServerExplanation => {
    const spec = system.servers.get(s.server);
    const className = spec ? serviceClassOf(spec) : '';
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
    const { status, decision: why } = decide({
      serverReason: s.reason,
      onlyEmpty: s.candidates.length > 0 && feasible.length === 0,
      feasibleCount: feasible.length,
      allocation,
      needed,
      refusals,
      solver: result.solver,
      minNumReplicas: spec?.minNumReplicas ?? 0,
    });
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

interface DecisionInputs {
  /** why a rule about the server itself left it without candidates */
  serverReason: string | undefined;
  /** its only candidate is the empty allocation of a server without load */
  onlyEmpty: boolean;
  feasibleCount: number;
  allocation: Allocation | undefined;
  /** replicas the chosen accelerator needs to meet the SLOs */
  needed: number;
  refusals: CapacityRefusal[];
  solver: SolverKind;
  minNumReplicas: number;
}

function decide({
  serverReason,
  onlyEmpty,
  feasibleCount,
  allocation,
  needed,
  refusals,
  solver,
  minNumReplicas,
}: DecisionInputs): { status: ServerStatus; decision: string } {
  if (serverReason) return { status: 'unallocated', decision: serverReason };
  if (onlyEmpty || allocation?.accelerator === '') {
    return { status: 'not-needed', decision: `no load and minNumReplicas ${minNumReplicas}: no replicas needed` };
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

/** A scenario: every arrival rate scaled, extra units by accelerator type. */
export type WhatIf = Pick<ExplainRequest, 'scaleLoad' | 'extraCapacity'>;

/** `system` with every arrival rate scaled and capacity added; it shares all else with `system`. */
function scenarioOf(system: SystemView, scenario: WhatIf): SystemView {
  const scale = scenario.scaleLoad ?? 1;
  const servers = new Map(
    [...system.servers].map(([name, server]) => {
      const { load } = server.currentAlloc;
      const scaled = { ...load, arrivalRate: f32(load.arrivalRate * scale) };
      return [name, { ...server, currentAlloc: { ...server.currentAlloc, load: scaled } }];
    }),
  );
  const capacity = new Map(system.capacity);
  for (const [type, extra] of Object.entries(scenario.extraCapacity ?? {})) capacity.set(type, (capacity.get(type) ?? 0) + extra);
  const { accelerators, models, serviceClasses, optimizer } = system;
  return { accelerators, capacity, models, serviceClasses, servers, optimizer };
}

/** The system as it is, against the system with scaled load and added capacity. */
export function whatIf(system: SystemView, spec: OptimizerSpec, scenario: WhatIf, options: OptimizeOptions = {}): WhatIfResult {
  const baseline = explain(system, spec, options);
  const after = explain(scenarioOf(system, scenario), spec, options);
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
