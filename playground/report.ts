/**
 * A run of the optimizer as the page shows it: the input (the document with the page's flags
 * and what-if scaling) and, from the core's result and its explanation, one row per server and
 * usage per type.
 */
import {
  byName,
  System,
  type Allocation,
  type Candidate,
  type Explanation,
  type OptimizeResult,
  type OptimizerSpec,
  type SolvedAllocation,
  type SystemData,
} from '../src/core/index.js';
import type { OptimizerFlags, RunReport, ServerRow, TypeUsage } from './protocol.js';

export interface PreparedRun {
  flags: OptimizerFlags;
  arrivalScale: number;
  systemData: SystemData;
  system: System;
  spec: OptimizerSpec;
}

export function prepareRun(data: SystemData, flags: OptimizerFlags, arrivalScale: number): PreparedRun {
  const systemData = structuredClone(data);
  const spec: OptimizerSpec = { ...data.system.optimizerData.optimizer, ...flags };
  systemData.system.optimizerData.optimizer = spec;
  for (const server of systemData.system.serverData.servers) server.currentAlloc.load.arrivalRate *= arrivalScale;
  return { flags, arrivalScale, systemData, system: System.fromSpec(systemData.system), spec };
}

/**
 * `explanation` is the core's explainResult of `result`: the rows take their names, loads,
 * targets and reasons from it, so that the table and the explanation panel never disagree.
 */
export function describeRun(run: PreparedRun, result: OptimizeResult, explanation: Explanation): RunReport {
  const { system } = run;
  const { solution } = result;
  const usage = new Map<string, TypeUsage>();
  const usageOf = (type: string): TypeUsage => {
    let entry = usage.get(type);
    if (!entry) usage.set(type, (entry = { type, cost: 0, used: 0, available: system.capacity.get(type) ?? 0 }));
    return entry;
  };
  for (const type of system.capacity.keys()) usageOf(type);
  const candidatesOf = new Map(result.candidates.map((server) => [server.server, server.candidates]));

  let totalCost = 0;
  const rows: ServerRow[] = explanation.servers.map((server) => {
    const row: ServerRow = {
      server: server.server,
      serviceClass: server.class,
      model: server.model,
      priority: server.priority,
      arrivalRate: server.load.arrivalRate,
      sloTps: server.targets?.tps ?? 0,
    };
    const reported = server.allocation;
    const chosen = result.allocations.get(server.server);
    if (!reported || !chosen) return { ...row, reason: server.decision };

    totalCost += reported.cost;
    const candidates = candidatesOf.get(server.server) ?? [];
    for (const share of typeShares(reported, chosen, candidates)) {
      const type = usageOf(share.type);
      type.cost += share.cost;
      type.used += share.units;
    }
    const full = candidates.find((c) => c.accelerator === chosen.accelerator);
    row.allocation = {
      accelerator: reported.accelerator,
      acceleratorType: chosen.acceleratorType,
      numReplicas: reported.numReplicas,
      replicasNeeded: chosen.bestEffort && full ? full.numReplicas : reported.numReplicas,
      maxBatch: reported.maxBatch,
      cost: reported.cost,
      itl: { value: reported.itlAverage, target: server.targets?.itl ?? 0 },
      ttft: { value: reported.ttftAverage, target: server.targets?.ttft ?? 0 },
      bestEffort: chosen.bestEffort,
      ...(reported.placements ? { placements: reported.placements } : {}),
    };
    return row;
  });
  rows.sort((a, b) => a.priority - b.priority || byName(a.server, b.server));

  return {
    flags: run.flags,
    arrivalScale: run.arrivalScale,
    systemData: run.systemData,
    solution,
    explanation,
    rows,
    totalCost,
    types: [...usage.values()].sort((a, b) => byName(a.type, b.type)),
  };
}

/**
 * What an allocation takes of each accelerator type: units and cents per hour. A heterogeneous
 * one takes from the type of each of its placements; one without load takes nothing.
 */
function typeShares(reported: SolvedAllocation, chosen: Allocation, candidates: readonly Candidate[]): { type: string; units: number; cost: number }[] {
  if (!reported.placements) {
    return chosen.acceleratorType === '' ? [] : [{ type: chosen.acceleratorType, units: chosen.numReplicas * chosen.unitsPerReplica, cost: reported.cost }];
  }
  return reported.placements.map((placement) => {
    const candidate = candidates.find((c) => c.accelerator === placement.accelerator);
    if (!candidate) throw new Error(`placement on ${placement.accelerator} is not among the server's candidates`);
    return { type: candidate.acceleratorType, units: placement.numReplicas * candidate.unitsPerReplica, cost: placement.cost };
  });
}
