/**
 * A run of the optimizer as the page shows it: the input (the document with the page's flags
 * and what-if scaling) and, from the core's result, one row per server, the counts of how the
 * servers came out and usage per type. Explanations are the core's, computed per server when
 * asked for: a fleet has 10,000 servers, and the page opens a few.
 */
import {
  byName,
  DEFAULT_MILP_TIME_LIMIT,
  explainResult,
  serviceClassOf,
  System,
  type Allocation,
  type ServerCandidates,
  type OptimizeResult,
  type OptimizerSpec,
  type ServerExplanation,
  type SolvedAllocation,
  type SystemData,
} from '../src/core/index.js';
import type { OptimizerFlags, RunReport, ServerCounts, ServerRow, SloStatus, TypeUsage } from './protocol.js';
import { headroom, meets } from './slo.js';
import { filterOptions } from './table-query.js';

/** More servers than this, and the headroom chart shows those with the least headroom. */
export const HEADROOM_SERVERS = 30;

/** The report, and its rows: by priority, then server name. */
export type DescribedRun = RunReport & { rows: ServerRow[] };

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

/** The core's explanations of `servers` (by name) in `result`, in the result's order. */
export function explainServers(run: PreparedRun, result: OptimizeResult, servers: ReadonlySet<string>): ServerExplanation[] {
  if (servers.size === 0) return [];
  return explainResult(run.system, run.spec, { ...result, candidates: result.candidates.filter((s) => servers.has(s.server)) }).servers;
}

export function sloStatus(row: Pick<ServerRow, 'allocation'>): SloStatus {
  const { allocation } = row;
  if (!allocation) return 'unallocated';
  if (allocation.bestEffort) return 'best-effort';
  return meets(allocation.itl) && meets(allocation.ttft) ? 'within-slo' : 'missed-slo';
}

export function countServers(rows: readonly Pick<ServerRow, 'status'>[]): ServerCounts {
  const counts: ServerCounts = { servers: rows.length, withinSlo: 0, missedSlo: 0, bestEffort: 0, unallocated: 0 };
  const field = { 'within-slo': 'withinSlo', 'missed-slo': 'missedSlo', 'best-effort': 'bestEffort', unallocated: 'unallocated' } as const;
  for (const row of rows) counts[field[row.status]]++;
  return counts;
}

/**
 * The rows take their reasons from the core's explanation of the servers left out, so that
 * the table and the explanation panel never disagree.
 */
export function describeRun(run: PreparedRun, result: OptimizeResult): DescribedRun {
  const { system } = run;
  const { solution } = result;
  const usage = new Map<string, TypeUsage>();
  const usageOf = (type: string): TypeUsage => {
    let entry = usage.get(type);
    if (!entry) usage.set(type, (entry = { type, cost: 0, used: 0, available: system.capacity.get(type) ?? 0 }));
    return entry;
  };
  for (const type of system.capacity.keys()) usageOf(type);
  const leftOut = new Set(result.candidates.filter((s) => !solution.allocations[s.server]).map((s) => s.server));
  const reasons = new Map(explainServers(run, result, leftOut).map((server) => [server.server, server.decision]));

  let totalCost = 0;
  const rows: ServerRow[] = result.candidates.map((candidates) => {
    const name = candidates.server;
    const spec = system.servers.get(name);
    const serviceClass = spec ? serviceClassOf(spec) : '';
    const target = system.serviceClasses.get(serviceClass)?.targets.get(spec?.model ?? '');
    const row: ServerRow = {
      server: name,
      serviceClass,
      model: spec?.model ?? '',
      priority: candidates.priority,
      arrivalRate: spec?.currentAlloc.load.arrivalRate ?? 0,
      status: 'unallocated',
    };
    const reported = solution.allocations[name];
    const chosen = result.allocations.get(name);
    if (!reported || !chosen) return { ...row, reason: reasons.get(name) ?? '' };

    totalCost += reported.cost;
    for (const share of typeShares(reported, chosen, candidates)) {
      const type = usageOf(share.type);
      type.cost += share.cost;
      type.used += share.units;
    }
    // what the solver read is sized: the page sizes nothing more for the allocated servers
    const full = candidates.candidateOn(chosen.accelerator);
    row.allocation = {
      accelerator: reported.accelerator,
      acceleratorType: chosen.acceleratorType,
      numReplicas: reported.numReplicas,
      replicasNeeded: chosen.bestEffort && full ? full.numReplicas : reported.numReplicas,
      maxBatch: reported.maxBatch,
      cost: reported.cost,
      itl: { value: reported.itlAverage, target: target?.['slo-itl'] ?? 0 },
      ttft: { value: reported.ttftAverage, target: target?.['slo-ttft'] ?? 0 },
      bestEffort: chosen.bestEffort,
      ...(reported.placements ? { placements: reported.placements } : {}),
    };
    row.status = sloStatus(row);
    return row;
  });
  rows.sort((a, b) => a.priority - b.priority || byName(a.server, b.server));

  return {
    flags: run.flags,
    arrivalScale: run.arrivalScale,
    solver: result.solver,
    ...(solution.summary ? { summary: solution.summary } : {}),
    milpTimeLimit: run.spec.milpTimeLimit > 0 ? run.spec.milpTimeLimit : DEFAULT_MILP_TIME_LIMIT,
    warnings: solution.warnings ?? [],
    rows,
    counts: countServers(rows),
    options: filterOptions(rows),
    headroom: headroomRows(rows),
    totalCost,
    types: [...usage.values()].sort((a, b) => byName(a.type, b.type)),
  };
}

/**
 * The allocated servers with an ITL or TTFT target; when there are more than HEADROOM_SERVERS,
 * the best effort ones (their SLOs are missed whatever the numbers) and then those with the
 * least headroom. In the rows' order.
 */
export function headroomRows(rows: readonly ServerRow[]): { rows: ServerRow[]; of: number } {
  const withTargets = rows.filter((row) => row.allocation && (row.allocation.itl.target > 0 || row.allocation.ttft.target > 0));
  if (withTargets.length <= HEADROOM_SERVERS) return { rows: withTargets, of: withTargets.length };
  const least = (row: ServerRow): number => {
    const allocation = row.allocation!;
    if (allocation.bestEffort) return -Infinity;
    return Math.min(...[allocation.itl, allocation.ttft].filter((check) => check.target > 0).map(headroom));
  };
  const ranked = withTargets.map((row, index) => ({ row, index, least: least(row) }));
  ranked.sort((a, b) => a.least - b.least || a.index - b.index);
  const picked = ranked.slice(0, HEADROOM_SERVERS).sort((a, b) => a.index - b.index);
  return { rows: picked.map(({ row }) => row), of: withTargets.length };
}

/**
 * What an allocation takes of each accelerator type: units and cents per hour. A heterogeneous
 * one takes from the type of each of its placements; one without load takes nothing.
 */
function typeShares(reported: SolvedAllocation, chosen: Allocation, candidates: ServerCandidates): { type: string; units: number; cost: number }[] {
  if (!reported.placements) {
    return chosen.acceleratorType === '' ? [] : [{ type: chosen.acceleratorType, units: chosen.numReplicas * chosen.unitsPerReplica, cost: reported.cost }];
  }
  return reported.placements.map((placement) => {
    const candidate = candidates.candidateOn(placement.accelerator);
    if (!candidate) throw new Error(`placement on ${placement.accelerator} is not among the server's candidates`);
    return { type: candidate.acceleratorType, units: placement.numReplicas * candidate.unitsPerReplica, cost: placement.cost };
  });
}
