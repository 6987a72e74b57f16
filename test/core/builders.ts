/** Small systems for core tests, as raw JSON the way users write it. */
import type { AcceleratorSpec } from '../../src/core/index.js';
export interface ServerInput {
  name: string;
  class?: string;
  model?: string;
  arrivalRate?: number;
  avgInTokens?: number;
  avgOutTokens?: number;
  keepAccelerator?: boolean;
  minNumReplicas?: number;
  maxBatchSize?: number;
  currentAlloc?: Record<string, unknown>;
}

export function server(input: ServerInput): Record<string, unknown> {
  const { arrivalRate = 60, avgInTokens = 128, avgOutTokens = 1024, currentAlloc = {}, ...rest } = input;
  return {
    class: 'Premium',
    model: 'granite_13b',
    ...rest,
    currentAlloc: { ...currentAlloc, load: { arrivalRate, avgInTokens, avgOutTokens } },
  };
}

export const ACCELERATORS = [
  { name: 'A100', type: 'A100', multiplicity: 1, cost: 40 },
  { name: 'G2', type: 'G2', multiplicity: 1, cost: 23 },
  { name: '2xG2', type: 'G2', multiplicity: 2, cost: 46 },
];

export const PERF = [
  { name: 'granite_13b', acc: 'A100', accCount: 1, maxBatchSize: 32, atTokens: 512, decodeParms: { alpha: 20.58, beta: 0.41 }, prefillParms: { gamma: 200, delta: 0.021 } },
  { name: 'granite_13b', acc: 'G2', accCount: 1, maxBatchSize: 38, atTokens: 512, decodeParms: { alpha: 17.15, beta: 0.34 }, prefillParms: { gamma: 170, delta: 0.017 } },
  { name: 'granite_13b', acc: '2xG2', accCount: 1, maxBatchSize: 76, atTokens: 512, decodeParms: { alpha: 12, beta: 0.2 }, prefillParms: { gamma: 120, delta: 0.01 } },
];

export const CLASSES = [
  { name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 40, 'slo-ttft': 1000 }] },
  { name: 'Bronze', priority: 2, modelTargets: [{ model: 'granite_13b', 'slo-itl': 80, 'slo-ttft': 2000 }] },
  { name: 'Batch', priority: 3, modelTargets: [{ model: 'granite_13b', 'slo-tps': 2000 }] },
];

export function systemData(options: {
  servers: Record<string, unknown>[];
  capacity?: Record<string, number>;
  optimizer?: Record<string, unknown>;
  accelerators?: Record<string, unknown>[];
  perf?: Record<string, unknown>[];
  classes?: Record<string, unknown>[];
}): Record<string, unknown> {
  const capacity = options.capacity ?? { A100: 1000, G2: 1000 };
  return {
    system: {
      acceleratorData: { accelerators: options.accelerators ?? ACCELERATORS },
      modelData: { models: options.perf ?? PERF },
      serviceClassData: { serviceClasses: options.classes ?? CLASSES },
      serverData: { servers: options.servers },
      optimizerData: { optimizer: options.optimizer ?? {} },
      capacityData: { count: Object.entries(capacity).map(([type, count]) => ({ type, count })) },
    },
  };
}

/** An accelerator as the schemas give it (every field present), one card of its own type. */
export function acceleratorSpec(name: string, cost = 1): AcceleratorSpec {
  return { name, type: name, multiplicity: 1, memSize: 0, memBW: 0, power: { idle: 0, full: 0, midPower: 0, midUtil: 0 }, cost };
}
