import { describe, expect, it } from 'vitest';
import { explain, parseWith, System, SystemDataSchema, whatIf, type OptimizerSpec } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { server, systemData } from './builders.js';

function load(data: unknown): { system: System; spec: OptimizerSpec } {
  const parsed = parseWith(SystemDataSchema, data);
  return { system: System.fromSpec(parsed.system), spec: parsed.system.optimizerData.optimizer };
}

describe('explain', () => {
  it('explains every server of the large sample, without changing the system', () => {
    const { system, spec } = load(SAMPLES.large);
    const before = JSON.stringify(system.toData());
    const explanation = explain(system, spec);
    expect(JSON.stringify(system.toData())).toBe(before);
    expect(explanation.servers.map((s) => s.server)).toEqual(system.listServers().map((s) => s.name));
    for (const s of explanation.servers) {
      expect(s.decision.length).toBeGreaterThan(0);
      if (s.allocation) expect(s.candidates.filter((c) => c.chosen).map((c) => c.accelerator)).toEqual([s.allocation.accelerator]);
    }
    // the sample is capacity-bound: some servers get best effort, and say so
    expect(explanation.servers.some((s) => s.status === 'best-effort' && /saturation policy/.test(s.decision))).toBe(true);
  });

  it('gives each left-out server the right reason', () => {
    const { system, spec } = load(
      systemData({
        servers: [
          server({ name: 'missing-class', class: 'Gold' }),
          server({ name: 'missing-target', model: 'llama_70b' }),
          server({ name: 'unknown-model', class: 'Gold', model: 'nope' }),
          server({ name: 'impossible-ttft', class: 'Tight' }),
          server({ name: 'zero-load', arrivalRate: 0 }),
          server({ name: 'keep-unknown', keepAccelerator: true, currentAlloc: { accelerator: 'H100', numReplicas: 1 } }),
          server({ name: 'ok' }),
        ],
        classes: [
          { name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 40, 'slo-ttft': 1000 }] },
          { name: 'Tight', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 40, 'slo-ttft': 10 }] },
        ],
      }),
    );
    const byName = Object.fromEntries(explain(system, spec).servers.map((s) => [s.server, s]));
    expect(byName['missing-class']).toMatchObject({ status: 'unallocated', decision: 'service class Gold not found' });
    expect(byName['missing-target']).toMatchObject({ status: 'unallocated', decision: 'service class Premium has no SLO target for model llama_70b' });
    expect(byName['unknown-model'].decision).toBe('service class Gold not found');
    expect(byName['impossible-ttft']).toMatchObject({ status: 'unallocated', decision: 'no accelerator can meet its SLOs (see each candidate)' });
    for (const c of byName['impossible-ttft'].candidates) expect(c.reason).toMatch(/^TTFT target 10 ms is below/);
    expect(byName['zero-load']).toMatchObject({ status: 'not-needed', allocation: null });
    expect(byName['keep-unknown']).toMatchObject({ status: 'unallocated', decision: 'keepAccelerator: current accelerator H100 not found' });
    expect(byName.ok).toMatchObject({ status: 'allocated', decision: expect.stringMatching(/least value .* of 3 feasible candidates/) });
  });

  it('says when a model is unknown even though the class exists', () => {
    const { system, spec } = load(
      systemData({
        servers: [server({ name: 's', model: 'mystery' })],
        classes: [{ name: 'Premium', priority: 1, modelTargets: [{ model: 'mystery', 'slo-itl': 40 }] }],
      }),
    );
    expect(explain(system, spec).servers[0].decision).toBe('model mystery not found');
  });

  it('says which candidate capacity forced, and why a server got nothing', () => {
    const { system, spec } = load(
      systemData({
        servers: [server({ name: 'a', arrivalRate: 120 }), server({ name: 'b', arrivalRate: 120 })],
        capacity: { A100: 0, G2: 5 },
      }),
    );
    const servers = explain(system, spec).servers;
    const forced = servers.find((s) => /capacity forced/.test(s.decision));
    const left = servers.find((s) => s.status === 'unallocated');
    expect(forced ?? left).toBeDefined();
    if (left) expect(left.decision).toMatch(/no candidate fits the capacity left \(\w+: \d+ \w+ units needed, \d+ left/);
    const refused = servers.flatMap((s) => s.candidates).filter((c) => c.note?.startsWith('no room'));
    expect(refused.length).toBeGreaterThan(0);
  });
});

describe('explain a best-effort allocation', () => {
  it('says whether its replicas can take the load', () => {
    const explained = (g2: number) => {
      const { system, spec } = load(
        systemData({
          accelerators: [{ name: 'G2', type: 'G2', multiplicity: 1, cost: 23 }],
          servers: [server({ name: 's', class: 'Bronze', arrivalRate: 600 })],
          capacity: { G2: g2 },
          optimizer: { saturationPolicy: 'PriorityExhaustive' },
        }),
      );
      return explain(system, spec).servers[0];
    };
    const needed = explained(1000).allocation!.numReplicas;
    const short = explained(needed - 1);
    expect(short.status).toBe('best-effort');
    expect(short.decision).toBe(`best effort under the saturation policy: ${needed - 1} of the ${needed} replicas its SLOs need on G2; its ITL and TTFT are those of its load on these replicas`);
    const one = explained(1);
    expect(one.status).toBe('best-effort');
    expect(one.decision).toMatch(/^best effort under the saturation policy: 1 of the \d+ replicas .*grows without bound: TTFT unbounded/);
  });
});

describe('explain, where the ITL does not change with the load (batch size 1)', () => {
  it('a target it misses at every load leaves the server out, saying so on each candidate', () => {
    const { system, spec } = load(
      systemData({
        servers: [server({ name: 's', maxBatchSize: 1 })],
        classes: [{ name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 10 }] }],
      }),
    );
    const [s] = explain(system, spec).servers;
    expect(s).toMatchObject({ status: 'unallocated', allocation: null });
    for (const c of s.candidates) expect(c.reason).toMatch(/^ITL target 10 ms is below [\d.]+ ms, its value at every load/);
  });
});

describe('what-if', () => {
  it('reports the servers that change when load grows or capacity is added', () => {
    const { system, spec } = load(systemData({ servers: [server({ name: 'a', arrivalRate: 60 }), server({ name: 'b', class: 'Bronze', arrivalRate: 60 })] }));
    const same = whatIf(system, spec, {});
    expect(same.changes).toEqual([]);
    const doubled = whatIf(system, spec, { scaleLoad: 4 });
    expect(doubled.changes.map((c) => c.server)).toEqual(['a', 'b']);
    for (const change of doubled.changes) expect(change.after.numReplicas).toBeGreaterThan(change.before.numReplicas);

    const short = load(systemData({ servers: [server({ name: 'a', arrivalRate: 600 })], capacity: { A100: 0, G2: 1 } }));
    const more = whatIf(short.system, short.spec, { extraCapacity: { G2: 100 } });
    expect(more.changes).toEqual([{ server: 'a', before: expect.objectContaining({ status: 'unallocated' }), after: expect.objectContaining({ status: 'allocated' }) }]);
  });
});
