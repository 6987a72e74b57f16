/**
 * Seeded generator of SystemData for benchmarks and tests: realistic accelerators, models with
 * perf data on several accelerators, three service classes, and servers with varied loads.
 * The same options (seed included) always give the same system.
 *
 * Perf data follow the pattern of the sample systems: decode time per token grows with the
 * model's active parameters and shrinks with the accelerator's speed and card count; prefill
 * gamma ≈ 8·alpha, delta ≈ beta/32; the batch size is what fits in memory beside the weights.
 */
import {
  DEFAULT_OPTIMIZER_SPEC,
  emptyAllocation,
  optimize,
  SATURATION_POLICIES,
  System,
  type AcceleratorSpec,
  type ModelAcceleratorPerfData,
  type ModelTarget,
  type SaturationPolicy,
  type ServerSpec,
  type ServiceClassSpec,
  type SystemData,
  type SystemSpec,
} from '../src/core/index.js';

export interface GeneratorOptions {
  /** number of servers */
  servers: number;
  /** any integer; the same seed gives the same system */
  seed?: number;
  /** number of accelerator entries (types and their 2x/4x/8x multiples), 1..MAX_ACCELERATORS */
  accelerators?: number;
  /** number of models; beyond the catalog, versions of its models (e.g. llama_7b_v2) */
  models?: number;
  /**
   * Capacity of each accelerator type as a fraction of what the unlimited solution uses of it
   * (rounded up; types it leaves unused get none); below 1 the greedy solver cannot give every
   * server its best candidate. Computing it runs the core's unlimited optimization once.
   */
  capacityFactor?: number;
  /**
   * Servers whose avgOutTokens is 1..4, which makes the batch size
   * maxBatchSize·atTokens/avgOutTokens reach the tens of thousands: true for all servers, or the
   * share of servers (0..1).
   */
  smallOutTokens?: boolean | number;
  saturationPolicy?: SaturationPolicy;
  delayedBestEffort?: boolean;
}

export const DEFAULT_ACCELERATORS = 20;
export const DEFAULT_MODELS = 9;
/** Ample: every type has half as much again as the unlimited solution uses. */
export const DEFAULT_CAPACITY_FACTOR = 1.5;

/** Tokens at which maxBatchSize is given, as in the samples. */
const AT_TOKENS = 512;

interface AcceleratorType {
  type: string;
  /** GB */
  memSize: number;
  /** GB/s */
  memBW: number;
  power: { idle: number; full: number; midPower: number };
  /** cents per hour */
  cost: number;
  /** decode speed relative to an A100 */
  speed: number;
}

/** The large sample's types first, so that the default selection resembles it. */
const ACCELERATOR_TYPES: readonly AcceleratorType[] = [
  { type: 'L4', memSize: 24, memBW: 300, power: { idle: 25, full: 75, midPower: 65 }, cost: 6, speed: 0.08 },
  { type: 'L40S', memSize: 48, memBW: 864, power: { idle: 100, full: 300, midPower: 250 }, cost: 32, speed: 0.43 },
  { type: 'A100', memSize: 80, memBW: 2000, power: { idle: 150, full: 400, midPower: 320 }, cost: 40, speed: 1 },
  { type: 'H100', memSize: 80, memBW: 3350, power: { idle: 200, full: 700, midPower: 600 }, cost: 75, speed: 1.7 },
  { type: 'AIU2', memSize: 128, memBW: 204, power: { idle: 25, full: 75, midPower: 65 }, cost: 3.75, speed: 0.1 },
  { type: 'G2', memSize: 96, memBW: 2400, power: { idle: 180, full: 600, midPower: 500 }, cost: 23, speed: 1.2 },
  { type: 'MI210', memSize: 64, memBW: 1638, power: { idle: 100, full: 300, midPower: 250 }, cost: 26, speed: 0.83 },
  { type: 'MI250', memSize: 128, memBW: 3200, power: { idle: 165, full: 500, midPower: 400 }, cost: 46, speed: 1.6 },
  { type: 'MI300X', memSize: 192, memBW: 5300, power: { idle: 220, full: 750, midPower: 650 }, cost: 65, speed: 2.7 },
  { type: 'T4', memSize: 16, memBW: 320, power: { idle: 10, full: 70, midPower: 50 }, cost: 3.5, speed: 0.05 },
  { type: 'A10G', memSize: 24, memBW: 600, power: { idle: 30, full: 150, midPower: 120 }, cost: 10, speed: 0.2 },
  { type: 'H200', memSize: 141, memBW: 4800, power: { idle: 200, full: 700, midPower: 600 }, cost: 95, speed: 2 },
  { type: 'Gaudi3', memSize: 128, memBW: 3700, power: { idle: 150, full: 900, midPower: 700 }, cost: 55, speed: 1.5 },
  { type: 'B200', memSize: 192, memBW: 8000, power: { idle: 300, full: 1000, midPower: 850 }, cost: 140, speed: 3 },
];
const SAMPLE_TYPE_COUNT = 9;
const MULTIPLICITIES = [1, 2, 4, 8] as const;
export const MAX_ACCELERATORS = ACCELERATOR_TYPES.length * MULTIPLICITIES.length;

interface ModelKind {
  name: string;
  /** billions of parameters held in memory */
  sizeB: number;
  /** billions of parameters used per token (smaller for mixtures of experts) */
  activeB: number;
  /** Premium ITL target (ms) before feasibility adjustment, as in the samples */
  premiumITL: number;
}

/** The large sample's models first. */
const MODEL_KINDS: readonly ModelKind[] = [
  { name: 'llama_7b', sizeB: 7, activeB: 7, premiumITL: 40 },
  { name: 'llama_13b', sizeB: 13, activeB: 13, premiumITL: 80 },
  { name: 'llama3_8b', sizeB: 8, activeB: 8, premiumITL: 80 },
  { name: 'llama_70b', sizeB: 70, activeB: 70, premiumITL: 80 },
  { name: 'mistral_7b', sizeB: 7, activeB: 7, premiumITL: 40 },
  { name: 'granite_13b', sizeB: 13, activeB: 13, premiumITL: 40 },
  { name: 'granite_20b', sizeB: 20, activeB: 20, premiumITL: 40 },
  { name: 'granite_34b', sizeB: 34, activeB: 34, premiumITL: 80 },
  { name: 'mixtral_8_7b', sizeB: 47, activeB: 13, premiumITL: 80 },
  { name: 'granite_3b', sizeB: 3, activeB: 3, premiumITL: 40 },
  { name: 'gemma2_9b', sizeB: 9, activeB: 9, premiumITL: 40 },
  { name: 'qwen2_14b', sizeB: 14, activeB: 14, premiumITL: 40 },
  { name: 'gemma2_27b', sizeB: 27, activeB: 27, premiumITL: 80 },
  { name: 'qwen2_32b', sizeB: 32, activeB: 32, premiumITL: 80 },
  { name: 'falcon_40b', sizeB: 40, activeB: 40, premiumITL: 80 },
  { name: 'llama3_70b', sizeB: 70, activeB: 70, premiumITL: 80 },
  { name: 'mixtral_8_22b', sizeB: 141, activeB: 39, premiumITL: 80 },
];

/** Service classes as in the samples: each lower priority doubles the ITL and TTFT targets. */
const SERVICE_CLASSES = [
  { name: 'Premium', priority: 1, sloScale: 1, share: 0.2 },
  { name: 'Bronze', priority: 2, sloScale: 2, share: 0.3 },
  { name: 'Free', priority: 3, sloScale: 4, share: 0.5 },
] as const;
const PREMIUM_TTFT = 1000;
/** Share of the Free class's model targets that also carry a TPS target. */
const TPS_TARGET_SHARE = 0.3;
const TPS_TARGETS = [1000, 2000, 4000] as const;
/** Targets stay this far above what the fastest accelerator reaches at the lowest load. */
const TARGET_HEADROOM = 1.5;

/** Perf ranges of the samples (ms). */
const ALPHA = { min: 5, max: 300 };
const BETA = { min: 0.1, max: 6 };
const GAMMA = { min: 50, max: 2000 };
const DELTA = { min: 0.005, max: 0.3 };
const MAX_BATCH = { min: 2, max: 256 };
/** decode ms per token per billion active parameters on one A100, from the samples */
const ALPHA_PER_BILLION = 1.6;
/** GB of memory per request of AT_TOKENS tokens, per billion parameters, from the samples */
const KV_GB_PER_BILLION = 0.13;
/** Memory kept free beside the weights (fp16: 2 GB per billion parameters). */
const WEIGHT_HEADROOM = 1.2;
/** Share of (model, accelerator) pairs without perf data, so that models differ in reach. */
const MISSING_PERF_SHARE = 0.15;
const MIN_PERF_ENTRIES = 3;

/** Load ranges of the samples. */
const ARRIVAL_RATE = { min: 1, max: 600 }; // requests per minute
const TOKENS = { min: 32, max: 2048 };
const SMALL_OUT_TOKENS = { min: 1, max: 4 };

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** log-uniform: as many small values as large ones, per order of magnitude */
  logUniform(min: number, max: number): number {
    return Math.exp(this.uniform(Math.log(min), Math.log(max)));
  }
  integer(min: number, max: number): number {
    return Math.min(max, min + Math.floor(this.next() * (max - min + 1)));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length - 1)];
  }
}

function clamp(value: number, range: { min: number; max: number }): number {
  return Math.min(Math.max(value, range.min), range.max);
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** Multiples of `step` at or above `value`. */
function ceilTo(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function acceleratorEntries(count: number): { spec: AcceleratorSpec; kind: AcceleratorType }[] {
  const sampleTypes = ACCELERATOR_TYPES.slice(0, SAMPLE_TYPE_COUNT);
  const otherTypes = ACCELERATOR_TYPES.slice(SAMPLE_TYPE_COUNT);
  // Sample types single, double and quadruple; then the others; then what is left.
  const order: [AcceleratorType, number][] = [
    ...[1, 2, 4].flatMap((m) => sampleTypes.map((t): [AcceleratorType, number] => [t, m])),
    ...[1, 2].flatMap((m) => otherTypes.map((t): [AcceleratorType, number] => [t, m])),
    ...otherTypes.map((t): [AcceleratorType, number] => [t, 4]),
    ...ACCELERATOR_TYPES.map((t): [AcceleratorType, number] => [t, 8]),
  ];
  return order.slice(0, count).map(([kind, multiplicity]) => ({
    kind,
    spec: {
      name: multiplicity === 1 ? kind.type : `${multiplicity}x${kind.type}`,
      type: kind.type,
      multiplicity,
      memSize: kind.memSize * multiplicity,
      memBW: kind.memBW * multiplicity,
      power: {
        idle: kind.power.idle * multiplicity,
        full: kind.power.full * multiplicity,
        midPower: kind.power.midPower * multiplicity,
        midUtil: 0.6,
      },
      cost: round(kind.cost * multiplicity, 2),
    },
  }));
}

function modelKinds(count: number): ModelKind[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = MODEL_KINDS[i % MODEL_KINDS.length];
    const version = Math.floor(i / MODEL_KINDS.length);
    return version === 0 ? kind : { ...kind, name: `${kind.name}_v${version + 1}` };
  });
}

/** Perf data of a model on one accelerator entry. */
function perfData(
  model: ModelKind,
  acc: { spec: AcceleratorSpec; kind: AcceleratorType },
  modelSpeed: number,
  random: Random,
): ModelAcceleratorPerfData {
  const weightsGB = 2 * model.sizeB;
  // Fewest accelerators (of this entry) whose memory holds the weights; 8 at most.
  const accCount = [1, 2, 4, 8].find((n) => n * acc.spec.memSize >= WEIGHT_HEADROOM * weightsGB) ?? 8;
  const freeGB = Math.max(accCount * acc.spec.memSize - weightsGB, 0);
  const maxBatchSize = Math.floor(clamp((freeGB / (KV_GB_PER_BILLION * model.sizeB)) * random.uniform(0.9, 1.1), MAX_BATCH));
  // Cards within one entry scale less than linearly; separate instances split the layers.
  const parallelism = acc.kind.speed * accCount * Math.sqrt(acc.spec.multiplicity);
  const alpha = clamp((ALPHA_PER_BILLION * model.activeB * modelSpeed * random.uniform(0.9, 1.1)) / parallelism, ALPHA);
  // Per-request decode growth rises with model size (KV cache traffic), as in the samples.
  const betaRatio = Math.min(0.02 + 0.003 * model.sizeB, 0.25) * random.uniform(0.8, 1.25);
  const beta = clamp(alpha * betaRatio, BETA);
  return {
    name: model.name,
    acc: acc.spec.name,
    accCount,
    maxBatchSize,
    atTokens: AT_TOKENS,
    decodeParms: { alpha: round(alpha, 2), beta: round(beta, 3) },
    prefillParms: {
      gamma: round(clamp(8 * alpha * random.uniform(0.9, 1.1), GAMMA), 2),
      delta: round(clamp(beta / 32, DELTA), 6),
    },
  };
}

/** ITL and TTFT (ms) of a single request on this perf data at the lowest load, longest prompt. */
function lowLoadLatency(perf: ModelAcceleratorPerfData): { itl: number; ttft: number } {
  return {
    itl: perf.decodeParms.alpha + perf.decodeParms.beta,
    ttft: perf.prefillParms.gamma + perf.prefillParms.delta * TOKENS.max,
  };
}

/**
 * Premium targets of a model: those of the samples, raised where even the best accelerator
 * could not meet them, so that every server has a feasible candidate.
 */
function premiumTargets(model: ModelKind, perfs: readonly ModelAcceleratorPerfData[]): { itl: number; ttft: number } {
  // The accelerator that comes closest to the sample targets, in the worse of the two.
  const shortfall = (latency: { itl: number; ttft: number }) =>
    Math.max(latency.itl / model.premiumITL, latency.ttft / PREMIUM_TTFT);
  const best = perfs.map(lowLoadLatency).reduce((a, b) => (shortfall(a) <= shortfall(b) ? a : b));
  return {
    itl: Math.max(model.premiumITL, ceilTo(TARGET_HEADROOM * best.itl, 10)),
    ttft: Math.max(PREMIUM_TTFT, ceilTo(TARGET_HEADROOM * best.ttft, 100)),
  };
}

function validateOptions(options: GeneratorOptions): void {
  const wholeAtLeast = (name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
    }
  };
  wholeAtLeast('servers', options.servers, 0);
  wholeAtLeast('seed', options.seed, Number.MIN_SAFE_INTEGER);
  wholeAtLeast('accelerators', options.accelerators, 1, MAX_ACCELERATORS);
  wholeAtLeast('models', options.models, 1);
  const { capacityFactor, smallOutTokens, saturationPolicy } = options;
  if (capacityFactor !== undefined && !(capacityFactor >= 0 && Number.isFinite(capacityFactor))) {
    throw new RangeError(`capacityFactor must be a finite number of at least 0, not ${capacityFactor}`);
  }
  if (typeof smallOutTokens === 'number' && !(smallOutTokens >= 0 && smallOutTokens <= 1)) {
    throw new RangeError(`smallOutTokens must be a share from 0 to 1, not ${smallOutTokens}`);
  }
  if (saturationPolicy !== undefined && !SATURATION_POLICIES.includes(saturationPolicy)) {
    throw new RangeError(`saturationPolicy must be one of ${SATURATION_POLICIES.join(', ')}, not ${saturationPolicy}`);
  }
}

export function generateSystem(options: GeneratorOptions): SystemData {
  validateOptions(options);
  const random = new Random(options.seed ?? 0);
  const accelerators = acceleratorEntries(options.accelerators ?? DEFAULT_ACCELERATORS);
  const models = modelKinds(options.models ?? DEFAULT_MODELS);

  const perfByModel = new Map<string, ModelAcceleratorPerfData[]>();
  for (const model of models) {
    const modelSpeed = random.uniform(0.8, 1.25);
    const all = accelerators.map((acc) => perfData(model, acc, modelSpeed, random));
    const missing = new Set(all.filter(() => random.chance(MISSING_PERF_SHARE)));
    const kept = all.filter((perf) => !missing.has(perf));
    // Put back the fastest missing ones until the model runs on enough accelerators.
    const byAlpha = [...missing].sort((a, b) => a.decodeParms.alpha - b.decodeParms.alpha);
    while (kept.length < Math.min(MIN_PERF_ENTRIES, all.length)) kept.push(byAlpha.shift() as ModelAcceleratorPerfData);
    perfByModel.set(model.name, kept);
  }

  const serviceClasses: ServiceClassSpec[] = SERVICE_CLASSES.map((svc) => ({
    name: svc.name,
    priority: svc.priority,
    modelTargets: [],
  }));
  for (const model of models) {
    const premium = premiumTargets(model, perfByModel.get(model.name) as ModelAcceleratorPerfData[]);
    SERVICE_CLASSES.forEach((svc, i) => {
      const target: ModelTarget = {
        model: model.name,
        'slo-itl': premium.itl * svc.sloScale,
        'slo-ttft': premium.ttft * svc.sloScale,
        'slo-tps': svc.name === 'Free' && random.chance(TPS_TARGET_SHARE) ? random.pick(TPS_TARGETS) : 0,
      };
      serviceClasses[i].modelTargets.push(target);
    });
  }

  const smallOutShare = options.smallOutTokens === true ? 1 : options.smallOutTokens || 0;
  const digits = String(Math.max(options.servers - 1, 0)).length;
  const servers: ServerSpec[] = Array.from({ length: options.servers }, (_, i) => {
    const svc = pickClass(random);
    const model = random.pick(models);
    const avgOutTokens = random.chance(smallOutShare)
      ? random.integer(SMALL_OUT_TOKENS.min, SMALL_OUT_TOKENS.max)
      : Math.round(random.logUniform(TOKENS.min, TOKENS.max));
    const load = {
      arrivalRate: round(random.logUniform(ARRIVAL_RATE.min, ARRIVAL_RATE.max), 1),
      avgInTokens: Math.round(random.logUniform(TOKENS.min, TOKENS.max)),
      avgOutTokens,
    };
    return {
      name: `${svc.name}-${model.name}-${String(i).padStart(digits, '0')}`,
      class: svc.name,
      model: model.name,
      keepAccelerator: false,
      minNumReplicas: 0,
      maxBatchSize: 0,
      currentAlloc: emptyAllocation(load),
      desiredAlloc: emptyAllocation(),
    };
  });

  const spec: SystemSpec = {
    acceleratorData: { accelerators: accelerators.map((acc) => acc.spec) },
    modelData: { models: models.flatMap((model) => perfByModel.get(model.name) as ModelAcceleratorPerfData[]) },
    serviceClassData: { serviceClasses },
    serverData: { servers },
    optimizerData: {
      optimizer: {
        ...DEFAULT_OPTIMIZER_SPEC,
        saturationPolicy: options.saturationPolicy ?? DEFAULT_OPTIMIZER_SPEC.saturationPolicy,
        delayedBestEffort: options.delayedBestEffort ?? false,
      },
    },
    capacityData: { count: [] },
  };
  spec.capacityData.count = capacityFor(spec, options.capacityFactor ?? DEFAULT_CAPACITY_FACTOR);
  return { system: spec };
}

function pickClass(random: Random): (typeof SERVICE_CLASSES)[number] {
  let draw = random.uniform(0, 1);
  for (const svc of SERVICE_CLASSES) {
    if (draw < svc.share) return svc;
    draw -= svc.share;
  }
  return SERVICE_CLASSES[SERVICE_CLASSES.length - 1];
}

/** Units of each accelerator type the unlimited solution takes, times `factor`, rounded up. */
function capacityFor(spec: SystemSpec, factor: number): { type: string; count: number }[] {
  const { allocations } = optimize(System.fromSpec(spec), { ...DEFAULT_OPTIMIZER_SPEC, unlimited: true });
  const types = new Set(spec.acceleratorData.accelerators.map((acc) => acc.type));
  const used = new Map(ACCELERATOR_TYPES.filter((t) => types.has(t.type)).map((t) => [t.type, 0]));
  for (const allocation of allocations.values()) {
    const type = allocation.acceleratorType;
    used.set(type, (used.get(type) ?? 0) + allocation.numReplicas * allocation.unitsPerReplica);
  }
  // Rounded first so that float error (10 × 0.7 = 7.000000000000001) does not add a unit.
  return [...used].map(([type, units]) => ({ type, count: Math.ceil(round(units * factor, 9)) }));
}
