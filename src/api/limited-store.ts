/**
 * The per-system limits of limits.ts, over any SystemStore: a change that would make the system
 * hold more than a limit allows is refused with a 400 naming it, and nothing is stored. A count
 * already over its limit (a system stored before the limits existed) may stay or shrink.
 */
import {
  MAX_ACCELERATORS,
  MAX_CAPACITIES,
  MAX_MODEL_PERF,
  MAX_MODEL_TARGETS,
  MAX_MODELS,
  MAX_SERVERS,
  MAX_SERVICE_CLASSES,
  ValidationError,
  type System,
} from '../core/index.js';
import type { SystemStore } from './store.js';

interface Limit {
  /** the issue's path */
  path: string;
  what: string;
  max: number;
  count(system: System): number;
}

function sum<V>(values: Iterable<V>, size: (value: V) => number): number {
  let total = 0;
  for (const value of values) total += size(value);
  return total;
}

const LIMITS: readonly Limit[] = [
  { path: 'servers', what: 'servers', max: MAX_SERVERS, count: (system) => system.servers.size },
  { path: 'accelerators', what: 'accelerators', max: MAX_ACCELERATORS, count: (system) => system.accelerators.size },
  { path: 'capacities', what: 'capacity counts', max: MAX_CAPACITIES, count: (system) => system.capacity.size },
  { path: 'serviceClasses', what: 'service classes', max: MAX_SERVICE_CLASSES, count: (system) => system.serviceClasses.size },
  { path: 'models', what: 'models', max: MAX_MODELS, count: (system) => system.models.size },
  {
    path: 'modelAcceleratorPerf',
    what: 'perf data entries',
    max: MAX_MODEL_PERF,
    count: (system) => sum(system.models.values(), (perf) => perf.size),
  },
  {
    path: 'modelTargets',
    what: 'model targets',
    max: MAX_MODEL_TARGETS,
    count: (system) => sum(system.serviceClasses.values(), (svc) => svc.targets.size),
  },
];

function counts(system: System): number[] {
  return LIMITS.map((limit) => limit.count(system));
}

/** Throws naming every limit `system` exceeds where it holds more than `before` did. */
function check(system: System, before?: readonly number[]): void {
  const after = counts(system);
  const issues = LIMITS.flatMap((limit, i) =>
    after[i] > limit.max && after[i] > (before?.[i] ?? 0)
      ? [{ path: limit.path, message: `the system would hold ${after[i]} ${limit.what}; at most ${limit.max} are allowed` }]
      : [],
  );
  if (issues.length > 0) throw new ValidationError(issues);
}

export function withinLimits(store: SystemStore): SystemStore {
  return {
    read: () => store.read(),
    update: (fn) =>
      store.update((system) => {
        const before = counts(system);
        const result = fn(system);
        check(system, before);
        return result;
      }),
    replace: async (system) => {
      check(system);
      await store.replace(system);
    },
  };
}
