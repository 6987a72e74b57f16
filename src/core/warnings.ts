/**
 * What an answer cannot say by itself about perf data: entries that sized nothing (missing or
 * all-zero parameters), the servers left without an allocation while such entries were skipped,
 * and entries whose seed parameters were ignored for their perfParms. Added to the solution as
 * `warnings`; Go clients ignore the field, the CLI prints it on stderr.
 */
import type { ServerCandidates } from './candidates.js';
import { NO_USABLE_PARAMETERS, perfModelOf } from './perf-models.js';
import type { ModelAcceleratorPerfData } from './schemas.js';
import { byName, type SystemView } from './system.js';

/** Whether `perf` carries seed parameters that its perfParms override (memoised in `memo`). */
function ignoresSeed(perf: ModelAcceleratorPerfData | undefined, memo: Map<ModelAcceleratorPerfData, boolean>): boolean {
  if (!perf) return false;
  let ignores = memo.get(perf);
  if (ignores === undefined) {
    const model = perfModelOf(perf);
    ignores = model.kind === 'iteration-time' && model.ignored !== undefined;
    memo.set(perf, ignores);
  }
  return ignores;
}

export function perfDataWarnings(
  system: SystemView,
  servers: readonly ServerCandidates[],
  allocations: ReadonlyMap<string, unknown>,
): string[] {
  /** servers that skipped each unusable entry, by "model on accelerator" */
  const unusable = new Map<string, number>();
  const ignored = new Set<string>();
  const leftOut: string[] = [];
  // each perf entry is read once, not once for every server of its model
  const seedIgnored = new Map<ModelAcceleratorPerfData, boolean>();
  for (const entry of servers) {
    const model = system.servers.get(entry.server)?.model ?? '';
    const perfByAccelerator = system.models.get(model);
    if (!perfByAccelerator) continue;
    // found before sizing: the warnings size nothing
    const skipped = entry.rejectedBeforeSizing(NO_USABLE_PARAMETERS);
    for (const accelerator of skipped) {
      const pair = `model ${model} on ${accelerator}`;
      unusable.set(pair, (unusable.get(pair) ?? 0) + 1);
    }
    for (const accelerator of entry.considered) {
      if (ignoresSeed(perfByAccelerator.get(accelerator), seedIgnored)) ignored.add(`model ${model} on ${accelerator}`);
    }
    if (skipped.length > 0 && !allocations.has(entry.server)) {
      leftOut.push(
        `server ${entry.server} is left without an allocation; model ${model} has no usable performance parameters on ${skipped.sort(byName).join(', ')}, which it could not consider`,
      );
    }
  }
  const skippedPairs = [...unusable.keys()].sort(byName).map((pair) => {
    const count = unusable.get(pair) as number;
    return `${pair} has no usable performance parameters (perfParms and decodeParms/prefillParms missing or all zero; a model tuner may not have converged yet): ${count} server${count === 1 ? '' : 's'} with load skipped it`;
  });
  const ignoredPairs = [...ignored].sort(byName).map((pair) => `${pair} carries both perfParms and decodeParms/prefillParms: perfParms is used, the others are ignored`);
  return [...skippedPairs, ...ignoredPairs, ...leftOut];
}
