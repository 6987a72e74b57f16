/**
 * The verbs of the seed's Commands List plus the reference's /applyAllocation, as routes.
 * Entities are named in the path (GET) or in the body (POST). Set and add verbs insert or
 * replace by name, as the reference does; remove verbs answer what they removed. A verb that
 * changes the system runs inside one store update, so a refusal (404, 422) changes nothing.
 */
import { z } from 'zod';
import {
  AcceleratorCountSchema,
  AcceleratorDataSchema,
  AcceleratorSpecSchema,
  AllocationSolutionSchema,
  CapacityDataSchema,
  DoneSchema,
  LOWEST_PRIORITY,
  ModelAcceleratorPerfDataSchema,
  ModelDataSchema,
  ModelNamesSchema,
  ModelTargetSchema,
  NameSchema,
  OptimizerDataSchema,
  OptimizerSpecSchema,
  ServerDataSchema,
  ServerSpecSchema,
  ServiceClassDataSchema,
  ServiceClassSpecSchema,
  SystemDataSchema,
  ValidationError,
  parseWith,
  sameKey,
  System,
  type OptimizeOptions,
  type OptimizerData,
  type OptimizerSpec,
  type ServiceClassSpec,
} from '../core/index.js';
import { ApiError, found, notFound } from './errors.js';
import type { Params, Route, RouteContext } from './route.js';

/** /optimize takes OptimizerData or, as the reference's handler does, the bare OptimizerSpec. */
export const OptimizeRequestSchema = z.union([OptimizerDataSchema, OptimizerSpecSchema]);

/** A GET verb that only reads; the stateless server has these too. */
function query<R extends z.ZodType>(path: string, summary: string, response: R, answer: (system: System, params: Params) => z.output<R>): Route<R> {
  return {
    method: 'GET',
    path,
    summary,
    stateless: true,
    access: 'read',
    response,
    handle: async (params, _json, { store }) => answer(await store.read(), params),
  };
}

/** A GET verb that changes the system (the reference's remove and add-by-name verbs). */
function command<R extends z.ZodType>(path: string, summary: string, response: R, apply: (system: System, params: Params) => z.output<R>): Route<R> {
  return {
    method: 'GET',
    path,
    summary,
    stateless: false,
    access: 'write',
    response,
    handle: (params, _json, { store }) => store.update((system) => apply(system, params)),
  };
}

function post<S extends z.ZodType, R extends z.ZodType, T = z.output<S>>(
  path: string,
  summary: string,
  request: S,
  response: R,
  handle: (body: T, context: RouteContext) => Promise<z.output<R>>,
  options: { parse?: (json: unknown) => T; stateless?: boolean } = {},
): Route<R> {
  const parse = options.parse ?? ((json: unknown) => parseWith(request, json) as T);
  return {
    method: 'POST',
    path,
    summary,
    stateless: options.stateless ?? false,
    access: 'write',
    request,
    response,
    handle: (_params, json, context) => handle(parse(json), context),
  };
}

/** A POST verb that applies its body to the system and answers it, as the reference does. */
function echo<S extends z.ZodType>(
  path: string,
  summary: string,
  schema: S,
  apply: (system: System, body: z.output<S>) => void,
): Route<S> {
  return post(path, summary, schema, schema, async (body, { store }) => {
    await store.update((system) => apply(system, body));
    return body;
  });
}

function requireModel(system: System, name: string): void {
  if (!system.models.has(name)) throw notFound(`model ${name}`);
}

function requireServiceClass(system: System, name: string): void {
  if (!system.serviceClasses.has(name)) throw notFound(`service class ${name}`);
}

/**
 * The reference refuses targets sent with another priority than the class has, which catches
 * a client that means a different class; priority 0 (not given) is taken to mean "any".
 */
function requireSamePriority(system: System, spec: ServiceClassSpec): void {
  const priority = system.serviceClasses.get(spec.name)?.priority;
  if (spec.priority !== 0 && spec.priority !== priority) {
    const message = `service class ${spec.name} has priority ${priority}, not ${spec.priority}`;
    throw new ValidationError([{ path: 'priority', message }]);
  }
}

/** A priority in the path: an integer, as Go's Atoi reads it; out of 1..100 means 100. */
function parsePriority(text: string): number {
  const priority = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(priority)) {
    throw new ValidationError([{ path: 'priority', message: `must be a whole number, not "${text}"` }]);
  }
  return priority;
}

function isOptimizerData(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  return Object.keys(json).some((key) => sameKey(key, 'optimizer'));
}

function parseOptimizeRequest(json: unknown): OptimizerData {
  return isOptimizerData(json) ? parseWith(OptimizerDataSchema, json) : { optimizer: parseWith(OptimizerSpecSchema, json) };
}

/** What an optimization reads of a system: all of it but the desired allocations and the last spec. */
function inputsOf(system: System): string {
  const spec = system.toSpec();
  return JSON.stringify({ ...spec, optimizerData: undefined, serverData: { servers: spec.serverData.servers.map((s) => ({ ...s, desiredAlloc: undefined })) } });
}

/** The core's options for `spec`, with the MILP solver loaded if it asks for one. */
export async function optimizeOptionsFor(spec: OptimizerSpec, { optimizeOptions, loadMipSolver }: RouteContext): Promise<OptimizeOptions> {
  if (!spec.milpSolver || optimizeOptions.mipSolver || !loadMipSolver) return optimizeOptions;
  return { ...optimizeOptions, mipSolver: await loadMipSolver() };
}

export const VERBS: readonly Route[] = [
  echo('/setAccelerators', 'Add or replace accelerator specs (by name); answers them',
    AcceleratorDataSchema, (system, data) => system.setAccelerators(data.accelerators)),
  query('/getAccelerators', 'All accelerator specs',
    AcceleratorDataSchema, (system) => ({ accelerators: system.listAccelerators() })),
  query('/getAccelerator/:name', 'The spec of an accelerator',
    AcceleratorSpecSchema, (system, { name }) => found(system.getAccelerator(name), `accelerator ${name}`)),
  echo('/addAccelerator', 'Add or replace an accelerator spec; answers it',
    AcceleratorSpecSchema, (system, spec) => system.addAccelerator(spec)),
  command('/removeAccelerator/:name', 'Remove an accelerator; answers its spec',
    AcceleratorSpecSchema, (system, { name }) => found(system.removeAccelerator(name), `accelerator ${name}`)),

  echo('/setCapacities', 'Set the unit counts of accelerator types; answers them',
    CapacityDataSchema, (system, data) => system.setCapacities(data)),
  query('/getCapacities', 'The unit counts of all accelerator types',
    CapacityDataSchema, (system) => ({ count: system.listCapacities() })),
  query('/getCapacity/:type', 'The unit count of an accelerator type',
    AcceleratorCountSchema, (system, { type }) => found(system.getCapacity(type), `capacity of accelerator type ${type}`)),
  echo('/setCapacity', 'Set the unit count of an accelerator type; answers it',
    AcceleratorCountSchema, (system, count) => system.setCapacity(count)),
  command('/removeCapacity/:type', 'Remove the unit count of an accelerator type; answers it',
    AcceleratorCountSchema, (system, { type }) => found(system.removeCapacity(type), `capacity of accelerator type ${type}`)),

  echo('/setModels', 'Add or replace perf data of models on accelerators; answers it',
    ModelDataSchema, (system, data) => system.setModels(data)),
  query('/getModels', 'The names of all models',
    ModelNamesSchema, (system) => system.listModelNames()),
  query('/getModel/:name', 'The perf data of a model on every accelerator',
    ModelDataSchema, (system, { name }) => found(system.getModel(name), `model ${name}`)),
  command('/addModel/:name', 'Add a model without perf data (an existing one keeps its data); answers its name',
    NameSchema, (system, { name }) => {
      system.addModel(name);
      return name;
    }),
  command('/removeModel/:name', 'Remove a model and its perf data; answers its name',
    NameSchema, (system, { name }) => {
      if (!system.removeModel(name)) throw notFound(`model ${name}`);
      return name;
    }),

  echo('/setServiceClasses', 'Add or replace service classes (by name); answers them',
    ServiceClassDataSchema, (system, data) => system.setServiceClasses(data.serviceClasses)),
  query('/getServiceClasses', 'All service classes',
    ServiceClassDataSchema, (system) => ({ serviceClasses: system.listServiceClasses() })),
  query('/getServiceClass/:name', 'A service class',
    ServiceClassSpecSchema, (system, { name }) => found(system.getServiceClass(name), `service class ${name}`)),
  command('/addServiceClass/:name', 'Add or replace a service class, without targets, at the lowest priority (100)',
    ServiceClassSpecSchema, (system, { name }) => system.addServiceClass(name, LOWEST_PRIORITY)),
  command('/addServiceClass/:name/:priority', 'Add or replace a service class, without targets; priority 1 (highest) to 100',
    ServiceClassSpecSchema, (system, { name, priority }) => system.addServiceClass(name, parsePriority(priority))),
  command('/removeServiceClass/:name', 'Remove a service class; answers it',
    ServiceClassSpecSchema, (system, { name }) => found(system.removeServiceClass(name), `service class ${name}`)),

  post('/addServiceClassModelTargets', 'Add or replace SLO targets of an existing service class; answers the class',
    ServiceClassSpecSchema, ServiceClassSpecSchema, (spec, { store }) =>
      store.update((system) => {
        requireServiceClass(system, spec.name);
        requireSamePriority(system, spec);
        return found(system.addServiceClassModelTargets(spec), `service class ${spec.name}`);
      })),
  query('/getServiceClassModelTarget/:name/:model', 'The SLO targets of a model in a service class',
    ModelTargetSchema, (system, { name, model }) => {
      requireServiceClass(system, name);
      return found(system.getServiceClassModelTarget(name, model), `target for model ${model} in service class ${name}`);
    }),
  command('/removeServiceClassModelTarget/:name/:model', 'Remove the SLO targets of a model in a service class; answers them',
    ModelTargetSchema, (system, { name, model }) => {
      requireServiceClass(system, name);
      return found(system.removeServiceClassModelTarget(name, model), `target for model ${model} in service class ${name}`);
    }),

  echo('/setServers', 'Add or replace servers (by name); answers them',
    ServerDataSchema, (system, data) => system.setServers(data.servers)),
  query('/getServers', 'All servers, with their current and desired allocations',
    ServerDataSchema, (system) => ({ servers: system.listServers() })),
  query('/getServer/:name', 'A server',
    ServerSpecSchema, (system, { name }) => found(system.getServer(name), `server ${name}`)),
  echo('/addServer', 'Add or replace a server; answers it',
    ServerSpecSchema, (system, spec) => system.addServer(spec)),
  command('/removeServer/:name', 'Remove a server; answers it',
    ServerSpecSchema, (system, { name }) => found(system.removeServer(name), `server ${name}`)),

  query('/getModelAcceleratorPerf/:name/:acc', 'The perf data of a model on an accelerator',
    ModelAcceleratorPerfDataSchema, (system, { name, acc }) => {
      requireModel(system, name);
      return found(system.getModelAcceleratorPerf(name, acc), `perf data of model ${name} on accelerator ${acc}`);
    }),
  echo('/addModelAcceleratorPerf', 'Add or replace the perf data of an existing model on an accelerator; answers it',
    ModelAcceleratorPerfDataSchema, (system, perf) => {
      requireModel(system, perf.name);
      system.addModelAcceleratorPerf(perf);
    }),
  command('/removeModelAcceleratorPerf/:name/:acc', 'Remove the perf data of a model on an accelerator; answers it',
    ModelAcceleratorPerfDataSchema, (system, { name, acc }) => {
      requireModel(system, name);
      return found(system.removeModelAcceleratorPerf(name, acc), `perf data of model ${name} on accelerator ${acc}`);
    }),

  post('/optimize', "Optimize the stored system; sets every server's desired allocation",
    OptimizeRequestSchema, AllocationSolutionSchema, async (data, context) => {
      const options = await optimizeOptionsFor(data.optimizer, context);
      // The optimization may run elsewhere and take long: other requests go on meanwhile.
      const system = await context.store.read();
      const run = context.metrics.startRun(data.optimizer);
      const { solution } = await run.optimize(() => context.runner.optimize(system, data.optimizer, options));
      await context.store.update((current) => {
        if (inputsOf(current) !== inputsOf(system)) {
          throw new ApiError(409, 'the system changed while it was being optimized; optimize it again');
        }
        current.recordOptimization(data.optimizer, solution);
      });
      run.stored();
      return solution;
    },
    { parse: parseOptimizeRequest }),
  post('/optimizeOne', 'Optimize the given system, which replaces the stored one (the /get verbs read it afterwards)',
    SystemDataSchema, AllocationSolutionSchema, async (data, context) => {
      const spec = data.system.optimizerData.optimizer;
      const system = System.fromSpec(data.system);
      const options = await optimizeOptionsFor(spec, context);
      const run = context.metrics.startRun(spec);
      const { solution } = await run.optimize(() => context.runner.optimize(system, spec, options));
      system.recordOptimization(spec, solution);
      await context.store.replace(system);
      run.stored();
      return solution;
    },
    { stateless: true }),
  command('/applyAllocation', "Make every server's desired allocation its current one",
    DoneSchema, (system) => {
      system.applyDesiredAllocations();
      return 'Done' as const;
    }),
];
