import { describe, expect, it } from 'vitest';
import { explain, ExplainRequestSchema, inputWarnings, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

function warningsOf(json: unknown) {
  return inputWarnings(SystemDataSchema, json, parseWith(SystemDataSchema, json).system);
}

/** The large sample, with `edit` applied to a copy. */
function large(edit: (system: Record<string, any>) => void): { system: Record<string, any> } {
  const data = structuredClone(SAMPLES.large) as { system: Record<string, any> };
  edit(data.system);
  return data;
}

describe('inputWarnings', () => {
  it('finds nothing in the samples', () => {
    expect(warningsOf(SAMPLES.small)).toEqual([]);
    expect(warningsOf(SAMPLES.large)).toEqual([]);
  });

  it('names an unknown key at any depth, suggesting the key it resembles', () => {
    const data = large((system) => {
      system.acceleratorData.accelerators[2].multiplicty = 2;
      system.serverData.servers[1].currentAlloc.load.arrivalrate = 1;
      system.extra = true;
    });
    expect(warningsOf({ ...data, comment: 'x' })).toEqual([
      { path: 'system.acceleratorData.accelerators.2.multiplicty', message: 'unknown key, ignored: did you mean multiplicity?' },
      // A known key in another case is no warning (arrivalrate above is one: it is read).
      { path: 'system.extra', message: 'unknown key, ignored (known here: acceleratorData, modelData, serviceClassData, serverData, optimizerData, capacityData)' },
      { path: 'comment', message: 'unknown key, ignored (known here: system)' },
    ]);
  });

  it('reads keys as the schemas do: in any case, in whatever the request wraps around the system', () => {
    const data = { System: { ServerData: (SAMPLES.small as { system: { serverData: unknown } }).system.serverData }, scaleLoad: 2, extraCapacity: { G2: 1 }, scaleload: 3 };
    const parsed = parseWith(ExplainRequestSchema, data);
    const unknown = inputWarnings(ExplainRequestSchema, data, parsed.system).filter((warning) => warning.message.startsWith('unknown'));
    expect(unknown).toEqual([]);
  });

  it('names servers whose class or model does not exist, or whose class has no target for its model', () => {
    const data = large((system) => {
      system.serverData.servers[0].model = 'llama_13bX';
      system.serverData.servers[1].class = 'Gold';
      // A class without targets: the server's model has perf data, but no target there.
      system.serviceClassData.serviceClasses.push({ name: 'Spot', priority: 5 });
      system.serverData.servers[3].class = 'Spot';
    });
    const servers = data.system.serverData.servers;
    expect(warningsOf(data)).toEqual([
      { path: 'system.serverData.servers.0.model', message: `model llama_13bX has no perf data: server ${servers[0].name} cannot be allocated` },
      { path: 'system.serverData.servers.1.class', message: `service class Gold does not exist: server ${servers[1].name} cannot be allocated` },
      {
        path: 'system.serverData.servers.3.model',
        message: `service class ${servers[3].class} has no SLO target for model ${servers[3].model}: server ${servers[3].name} cannot be allocated`,
      },
    ]);
  });

  it('names the default class when a server gives none and the default class does not exist', () => {
    expect(warningsOf({ system: { serverData: { servers: [{ name: 's', model: 'm' }] } } })).toEqual([
      { path: 'system.serverData.servers.0.class', message: 'no class given, and the default class Free does not exist: server s cannot be allocated' },
      { path: 'system.serverData.servers.0.model', message: 'model m has no perf data: server s cannot be allocated' },
    ]);
  });

  it('names perf data for an accelerator that does not exist', () => {
    const data = large((system) => (system.modelData.models[4].acc = 'H999'));
    expect(warningsOf(data)).toEqual([{ path: 'system.modelData.models.4.acc', message: 'accelerator H999 does not exist: no accelerator has this name' }]);
  });

  it('says that a document without servers has nothing to optimize', () => {
    expect(warningsOf({})).toEqual([{ path: 'system.serverData.servers', message: 'no servers: there is nothing to optimize' }]);
  });

  it('gives the same warnings whatever the order of the input', () => {
    const data = large((system) => {
      system.serverData.servers[0].model = 'nope';
      system.serverData.servers[0].colour = 'red';
    });
    const reversed = { system: Object.fromEntries(Object.entries(data.system).reverse()) };
    expect(warningsOf(reversed).sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual(warningsOf(data).sort((a, b) => (a.path < b.path ? -1 : 1)));
  });
});

describe('the explanation of a server that references what is missing', () => {
  function explained(data: { system: Record<string, any> }, index: number) {
    const parsed = parseWith(SystemDataSchema, data);
    return explain(System.fromSpec(parsed.system), parsed.system.optimizerData.optimizer).servers.find((s) => s.server === data.system.serverData.servers[index].name);
  }

  it('names the model when the model does not exist, not the class that has no target for it', () => {
    const data = large((system) => (system.serverData.servers[0].model = 'llama_13bX'));
    expect(explained(data, 0)).toMatchObject({ status: 'unallocated', decision: 'model llama_13bX not found' });
  });

  it('names the missing target when the model exists', () => {
    const data = large((system) => {
      system.serviceClassData.serviceClasses.push({ name: 'Spot', priority: 5 });
      system.serverData.servers[0].class = 'Spot';
    });
    const { model } = data.system.serverData.servers[0];
    expect(explained(data, 0)).toMatchObject({ status: 'unallocated', decision: `service class Spot has no SLO target for model ${model}` });
  });
});
