/**
 * A run of the optimizer as the page shows it: the input (the document with the page's flags
 * and what-if scaling) and, from the core's result, one row per server and usage per type.
 */
import { byName, System, type OptimizeResult, type OptimizerSpec, type SystemData } from '../src/core/index.js';
import type { OptimizerFlags, RunReport, ServerRow, TypeUsage } from './protocol.js';
import { unallocatedReason } from './reasons.js';

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

export function describeRun(run: PreparedRun, result: OptimizeResult): RunReport {
  const { system } = run;
  const { solution } = result;
  const usage = new Map<string, TypeUsage>();
  const usageOf = (type: string): TypeUsage => {
    let entry = usage.get(type);
    if (!entry) usage.set(type, (entry = { type, cost: 0, used: 0, available: system.capacity.get(type) ?? 0 }));
    return entry;
  };
  for (const type of system.capacity.keys()) usageOf(type);

  let totalCost = 0;
  const rows: ServerRow[] = result.candidates.map((candidates) => {
    const server = system.getServer(candidates.server);
    if (!server) throw new Error(`server ${candidates.server} has candidates but is not in the system`);
    const serviceClass = system.serviceClassOf(server);
    const target = system.getServiceClassModelTarget(serviceClass, server.model);
    const row: ServerRow = {
      server: server.name,
      serviceClass,
      model: server.model,
      priority: candidates.priority,
      arrivalRate: server.currentAlloc.load.arrivalRate,
      sloTps: target?.['slo-tps'] ?? 0,
    };
    const reported = solution.allocations[server.name];
    const chosen = result.allocations.get(server.name);
    if (!reported || !chosen) return { ...row, reason: unallocatedReason(candidates) };

    totalCost += reported.cost;
    if (chosen.acceleratorType !== '') {
      const type = usageOf(chosen.acceleratorType);
      type.cost += reported.cost;
      type.used += chosen.numReplicas * chosen.unitsPerReplica;
    }
    const full = candidates.candidates.find((c) => c.accelerator === chosen.accelerator);
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
    };
    return row;
  });
  rows.sort((a, b) => a.priority - b.priority || byName(a.server, b.server));

  return {
    flags: run.flags,
    arrivalScale: run.arrivalScale,
    systemData: run.systemData,
    solution,
    rows,
    totalCost,
    types: [...usage.values()].sort((a, b) => byName(a.type, b.type)),
  };
}
