/**
 * The entities of one optimization system and the operations the REST verbs need.
 * Entities are kept by name; every listing is sorted by name so that output never depends on
 * the order in which things were added.
 */
import {
  DEFAULT_OPTIMIZER_SPEC,
  emptyAllocation,
  type AcceleratorCount,
  type AcceleratorSpec,
  type AllocationData,
  type CapacityData,
  type ModelAcceleratorPerfData,
  type ModelData,
  type ModelTarget,
  type OptimizerSpec,
  type ServerSpec,
  type ServiceClassSpec,
  type SystemData,
  type SystemSpec,
} from './schemas.js';

/** Lowest priority (largest number); also the priority of a class given none or an invalid one. */
export const LOWEST_PRIORITY = 100;
export const HIGHEST_PRIORITY = 1;
/** Class of a server that names none, as in the reference. */
export const DEFAULT_SERVICE_CLASS = 'Free';

export interface ServiceClass {
  name: string;
  priority: number;
  /** SLO targets by model name */
  targets: Map<string, ModelTarget>;
}

/** A lossless plain-JSON form of a System, for storage (SystemData cannot hold a model without perf data). */
export interface SystemSnapshot {
  system: SystemSpec;
  /** every model name, those without perf data included */
  models: string[];
}

export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()].sort(byName);
}

function sortedValues<V>(map: ReadonlyMap<string, V>): V[] {
  return sortedKeys(map).map((key) => map.get(key) as V);
}

function clonePerf(perf: ModelAcceleratorPerfData): ModelAcceleratorPerfData {
  const copy = { ...perf, decodeParms: { ...perf.decodeParms }, prefillParms: { ...perf.prefillParms } };
  if (perf.perfParms) copy.perfParms = { ...perf.perfParms };
  return copy;
}

/**
 * A copy with exactly the fields of an allocation: the seed's, and the placements of a split one
 * (the next round's transition penalties need them). Solutions' other extensions are dropped.
 */
function cloneAllocation(alloc: AllocationData): AllocationData {
  const { accelerator, numReplicas, maxBatch, cost, itlAverage, ttftAverage, load, placements } = alloc;
  const copy: AllocationData = { accelerator, numReplicas, maxBatch, cost, itlAverage, ttftAverage, load: { ...load } };
  if (placements) copy.placements = placements.map((p) => ({ ...p }));
  return copy;
}

function cloneServer(server: ServerSpec): ServerSpec {
  return { ...server, currentAlloc: cloneAllocation(server.currentAlloc), desiredAlloc: cloneAllocation(server.desiredAlloc) };
}

function normalPriority(priority: number): number {
  return priority >= HIGHEST_PRIORITY && priority <= LOWEST_PRIORITY ? priority : LOWEST_PRIORITY;
}

export class System {
  readonly accelerators = new Map<string, AcceleratorSpec>();
  /** available units by accelerator type */
  readonly capacity = new Map<string, number>();
  /** perf data by model name, then accelerator name */
  readonly models = new Map<string, Map<string, ModelAcceleratorPerfData>>();
  readonly serviceClasses = new Map<string, ServiceClass>();
  readonly servers = new Map<string, ServerSpec>();
  /** the optimizer spec the system was given or last optimized with */
  optimizer: OptimizerSpec = { ...DEFAULT_OPTIMIZER_SPEC };

  static fromSpec(spec: SystemSpec): System {
    const system = new System();
    system.optimizer = { ...spec.optimizerData.optimizer };
    system.setAccelerators(spec.acceleratorData.accelerators);
    system.setModels(spec.modelData);
    system.setServiceClasses(spec.serviceClassData.serviceClasses);
    system.setServers(spec.serverData.servers);
    system.setCapacities(spec.capacityData);
    return system;
  }

  clone(): System {
    return System.fromSnapshot(this.toSnapshot());
  }

  // Accelerators: set and add insert or replace by name (the reference's set merges, too).

  setAccelerators(specs: readonly AcceleratorSpec[]): void {
    for (const spec of specs) this.addAccelerator(spec);
  }

  addAccelerator(spec: AcceleratorSpec): void {
    this.accelerators.set(spec.name, { ...spec, power: { ...spec.power } });
  }

  getAccelerator(name: string): AcceleratorSpec | undefined {
    return this.accelerators.get(name);
  }

  listAccelerators(): AcceleratorSpec[] {
    return sortedValues(this.accelerators);
  }

  removeAccelerator(name: string): AcceleratorSpec | undefined {
    const spec = this.accelerators.get(name);
    this.accelerators.delete(name);
    return spec;
  }

  // Capacities, by accelerator type.

  setCapacities(data: CapacityData): void {
    for (const count of data.count) this.setCapacity(count);
  }

  setCapacity(count: AcceleratorCount): void {
    this.capacity.set(count.type, count.count);
  }

  getCapacity(type: string): AcceleratorCount | undefined {
    const count = this.capacity.get(type);
    return count === undefined ? undefined : { type, count };
  }

  listCapacities(): AcceleratorCount[] {
    return sortedKeys(this.capacity).map((type) => ({ type, count: this.capacity.get(type) as number }));
  }

  removeCapacity(type: string): AcceleratorCount | undefined {
    const count = this.getCapacity(type);
    this.capacity.delete(type);
    return count;
  }

  // Models and their perf data per accelerator.

  setModels(data: ModelData): void {
    for (const perf of data.models) this.addModelAcceleratorPerf(perf);
  }

  /** Adds a model with no perf data; an existing model keeps its data. */
  addModel(name: string): void {
    if (!this.models.has(name)) this.models.set(name, new Map());
  }

  getModel(name: string): ModelData | undefined {
    const perfByAccelerator = this.models.get(name);
    return perfByAccelerator && { models: sortedValues(perfByAccelerator).map(clonePerf) };
  }

  listModelNames(): string[] {
    return sortedKeys(this.models);
  }

  removeModel(name: string): boolean {
    return this.models.delete(name);
  }

  /** Adds or replaces the perf data of a model on an accelerator, adding the model if new. */
  addModelAcceleratorPerf(perf: ModelAcceleratorPerfData): void {
    this.addModel(perf.name);
    this.models.get(perf.name)?.set(perf.acc, clonePerf(perf));
  }

  getModelAcceleratorPerf(model: string, accelerator: string): ModelAcceleratorPerfData | undefined {
    const perf = this.models.get(model)?.get(accelerator);
    return perf && clonePerf(perf);
  }

  removeModelAcceleratorPerf(model: string, accelerator: string): ModelAcceleratorPerfData | undefined {
    const perf = this.getModelAcceleratorPerf(model, accelerator);
    this.models.get(model)?.delete(accelerator);
    return perf;
  }

  // Service classes and their SLO targets.

  setServiceClasses(specs: readonly ServiceClassSpec[]): void {
    for (const spec of specs) {
      this.addServiceClass(spec.name, spec.priority);
      this.addServiceClassModelTargets(spec);
    }
  }

  /** Adds a service class with no targets, or replaces one, as the reference does. */
  addServiceClass(name: string, priority: number): ServiceClassSpec {
    this.serviceClasses.set(name, { name, priority: normalPriority(priority), targets: new Map() });
    return this.getServiceClass(name) as ServiceClassSpec;
  }

  getServiceClass(name: string): ServiceClassSpec | undefined {
    const svc = this.serviceClasses.get(name);
    return (
      svc && {
        name: svc.name,
        priority: svc.priority,
        modelTargets: sortedValues(svc.targets).map((target) => ({ ...target })),
      }
    );
  }

  listServiceClasses(): ServiceClassSpec[] {
    return sortedKeys(this.serviceClasses).map((name) => this.getServiceClass(name) as ServiceClassSpec);
  }

  removeServiceClass(name: string): ServiceClassSpec | undefined {
    const spec = this.getServiceClass(name);
    this.serviceClasses.delete(name);
    return spec;
  }

  /** Adds or replaces targets of an existing class; the class must exist. */
  addServiceClassModelTargets(spec: ServiceClassSpec): ServiceClassSpec | undefined {
    const svc = this.serviceClasses.get(spec.name);
    if (!svc) return undefined;
    for (const target of spec.modelTargets) svc.targets.set(target.model, { ...target });
    return this.getServiceClass(spec.name);
  }

  getServiceClassModelTarget(className: string, model: string): ModelTarget | undefined {
    const target = this.serviceClasses.get(className)?.targets.get(model);
    return target && { ...target };
  }

  removeServiceClassModelTarget(className: string, model: string): ModelTarget | undefined {
    const target = this.getServiceClassModelTarget(className, model);
    this.serviceClasses.get(className)?.targets.delete(model);
    return target;
  }

  // Servers.

  setServers(specs: readonly ServerSpec[]): void {
    for (const spec of specs) this.addServer(spec);
  }

  addServer(spec: ServerSpec): void {
    this.servers.set(spec.name, cloneServer(spec));
  }

  getServer(name: string): ServerSpec | undefined {
    const server = this.servers.get(name);
    return server && cloneServer(server);
  }

  listServers(): ServerSpec[] {
    return sortedValues(this.servers).map(cloneServer);
  }

  removeServer(name: string): ServerSpec | undefined {
    const server = this.getServer(name);
    this.servers.delete(name);
    return server;
  }

  /** The class a server belongs to: its own, or the default class when it names none. */
  serviceClassOf(server: ServerSpec): string {
    return server.class === '' ? DEFAULT_SERVICE_CLASS : server.class;
  }

  /** Records the optimizer's answer: allocated servers get it, the others an empty allocation. */
  setDesiredAllocations(allocations: Readonly<Record<string, AllocationData>>): void {
    for (const [name, server] of this.servers) {
      const desired = allocations[name];
      server.desiredAlloc = desired ? cloneAllocation(desired) : emptyAllocation(server.currentAlloc.load);
    }
  }

  /** Every server's desired allocation becomes its current one (the reference's /applyAllocation). */
  applyDesiredAllocations(): void {
    for (const server of this.servers.values()) server.currentAlloc = cloneAllocation(server.desiredAlloc);
  }

  toSpec(optimizer: OptimizerSpec = this.optimizer): SystemSpec {
    const perf = this.listModelNames().flatMap((name) => this.getModel(name)?.models ?? []);
    return {
      acceleratorData: { accelerators: this.listAccelerators() },
      modelData: { models: perf },
      serviceClassData: { serviceClasses: this.listServiceClasses() },
      serverData: { servers: this.listServers() },
      optimizerData: { optimizer: { ...optimizer } },
      capacityData: { count: this.listCapacities() },
    };
  }

  toData(optimizer?: OptimizerSpec): SystemData {
    return { system: this.toSpec(optimizer) };
  }

  /** Everything the system holds, models without perf data included, as plain JSON. */
  toSnapshot(): SystemSnapshot {
    return { system: this.toSpec(), models: this.listModelNames() };
  }

  static fromSnapshot(snapshot: SystemSnapshot): System {
    const system = System.fromSpec(snapshot.system);
    for (const name of snapshot.models) system.addModel(name);
    return system;
  }
}
