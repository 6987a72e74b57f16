/** GET /metrics over the API: what it tells after optimizations, how it counts, its format. */
import { describe, expect, it, vi } from 'vitest';
import { ApiMetrics, countingWrites, createApi, MemorySystemStore, type Api, type SystemStore } from '../../src/api/index.js';
import { CONTENT_TYPES, negotiateFormat, renderExposition, type MetricFamily } from '../../src/api/exposition.js';
import { METRICS, SERVER_STATES, type ServerState } from '../../src/api/metrics.js';
import {
  explain,
  parseWith,
  System,
  SystemDataSchema,
  type AllocationSolution,
  type OptimizerSpec,
  type ServerStatus,
  type SystemData,
} from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { SAMPLES } from '../../src/samples/index.js';
import { parseExposition, samplesOf, valueOf, type ParsedFamily } from '../exposition.js';

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const mipSolver = await loadNodeMipSolver();

function sample(name: 'small' | 'large', optimizer: Partial<OptimizerSpec> = {}): SystemData {
  const data = parseWith(SystemDataSchema, SAMPLES[name]);
  data.system.optimizerData.optimizer = { ...data.system.optimizerData.optimizer, ...optimizer };
  return data;
}

async function send(api: Api, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return api.fetch(new Request(`http://inferno.test${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) }));
}

async function optimizeOne(api: Api, data: SystemData): Promise<AllocationSolution> {
  const response = await send(api, 'POST', '/optimizeOne', data);
  expect(response.status).toBe(200);
  return (await response.json()) as AllocationSolution;
}

async function scrapeText(api: Api, headers: Record<string, string> = {}): Promise<string> {
  const response = await send(api, 'GET', '/metrics', undefined, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(CONTENT_TYPES.prometheus);
  return response.text();
}

async function scrape(api: Api): Promise<Map<string, ParsedFamily>> {
  return parseExposition(await scrapeText(api));
}

const STATE_OF: Record<ServerStatus, ServerState> = {
  allocated: 'within_slo',
  'best-effort': 'best_effort',
  unallocated: 'unallocated',
  'not-needed': 'not_needed',
};

/** Servers by "priority state", as /explain's statuses give them. */
function explainedStates(data: SystemData): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const server of explain(System.fromSpec(data.system), data.system.optimizerData.optimizer, { mipSolver }).servers) {
    const key = `${server.priority} ${STATE_OF[server.status]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('GET /metrics after an optimization', { timeout: 30_000 }, () => {
  it("gives every server's desired and current allocation, targets and headroom, and the total cost", async () => {
    const data = sample('large');
    const api = createApi({ store: new MemorySystemStore() });
    const solution = await optimizeOne(api, data);
    const metrics = await scrape(api);
    const classes = new Map(data.system.serviceClassData.serviceClasses.map((c) => [c.name, c]));
    let allocated = 0;
    for (const server of data.system.serverData.servers) {
      const labels = { server: server.name };
      const desired = solution.allocations[server.name];
      const target = classes.get(server.class)?.modelTargets.find((t) => t.model === server.model);
      expect(valueOf(metrics, 'inferno_server_desired_replicas', labels)).toBe(desired?.numReplicas ?? 0);
      expect(valueOf(metrics, 'inferno_server_current_replicas', labels)).toBe(server.currentAlloc.numReplicas);
      expect(valueOf(metrics, 'inferno_server_replica_change', labels)).toBe((desired?.numReplicas ?? 0) - server.currentAlloc.numReplicas);
      expect(valueOf(metrics, 'inferno_server_info', { ...labels, class: server.class, model: server.model })).toBe(1);
      expect(valueOf(metrics, 'inferno_server_slo_itl_seconds', labels)).toBeCloseTo((target?.['slo-itl'] ?? NaN) / 1000, 12);
      expect(valueOf(metrics, 'inferno_server_slo_ttft_seconds', labels)).toBeCloseTo((target?.['slo-ttft'] ?? NaN) / 1000, 12);
      if (!desired || desired.numReplicas === 0) {
        expect(valueOf(metrics, 'inferno_server_predicted_itl_seconds', labels)).toBeUndefined();
        continue;
      }
      allocated++;
      expect(samplesOf(metrics, 'inferno_server_desired_accelerator_info', labels)).toEqual([{ labels: { ...labels, accelerator: desired.accelerator }, value: 1 }]);
      expect(valueOf(metrics, 'inferno_server_desired_max_batch_size', labels)).toBe(desired.maxBatch);
      expect(valueOf(metrics, 'inferno_server_desired_cost_cents_per_hour', labels)).toBe(desired.cost);
      expect(valueOf(metrics, 'inferno_server_predicted_itl_seconds', labels)).toBeCloseTo(desired.itlAverage / 1000, 12);
      expect(valueOf(metrics, 'inferno_server_predicted_ttft_seconds', labels)).toBeCloseTo(desired.ttftAverage / 1000, 12);
      const margins = [
        (target!['slo-itl'] - desired.itlAverage) / target!['slo-itl'],
        (target!['slo-ttft'] - desired.ttftAverage) / target!['slo-ttft'],
      ];
      expect(valueOf(metrics, 'inferno_server_slo_headroom_ratio', labels)).toBeCloseTo(Math.min(...margins), 12);
    }
    expect(allocated).toBeGreaterThan(20);
    const cost = Object.values(solution.allocations).reduce((sum, a) => sum + a.cost, 0);
    expect(valueOf(metrics, 'inferno_total_cost_cents_per_hour')).toBeCloseTo(cost, 6);
  });

  it('counts servers by priority and state as /explain does, under every solver and saturation policy', async () => {
    const seen = new Set<string>();
    // The MILP runs on the small sample: on the large one it may stop at its time limit, and
    // /explain's own run could then end elsewhere.
    const variants: ['small' | 'large', Partial<OptimizerSpec>][] = [
      ['large', {}],
      ['large', { saturationPolicy: 'None' }],
      ['large', { saturationPolicy: 'RoundRobin' }],
      ['large', { saturationPolicy: 'PriorityExhaustive', delayedBestEffort: true }],
      ['large', { unlimited: true }],
      ['small', { milpSolver: true, saturationPolicy: 'PriorityRoundRobin' }],
    ];
    for (const [name, variant] of variants) {
      const data = sample(name, variant);
      // scarce capacity, and a server without load
      for (const server of data.system.serverData.servers) server.currentAlloc.load.arrivalRate *= 3;
      data.system.serverData.servers[0].currentAlloc.load.arrivalRate = 0;
      const api = createApi({ store: new MemorySystemStore(), optimizeOptions: { mipSolver } });
      await optimizeOne(api, data);
      const counted = Object.fromEntries(
        samplesOf(await scrape(api), 'inferno_servers').map(({ labels, value }) => [`${labels.priority} ${labels.state}`, value]),
      );
      expect(counted, JSON.stringify(variant)).toEqual(explainedStates(data));
      for (const key of Object.keys(counted)) seen.add(key.split(' ')[1]);
    }
    expect([...seen].sort()).toEqual([...SERVER_STATES].sort());
  });

  it('gives the units the allocations take and the capacity, by accelerator type', async () => {
    const data = sample('large');
    const api = createApi({ store: new MemorySystemStore() });
    const solution = await optimizeOne(api, data);
    const accelerators = new Map(data.system.acceleratorData.accelerators.map((a) => [a.name, a]));
    const expected: Record<string, number> = {};
    for (const [name, allocation] of Object.entries(solution.allocations)) {
      const server = data.system.serverData.servers.find((s) => s.name === name)!;
      const perf = data.system.modelData.models.find((m) => m.name === server.model && m.acc === allocation.accelerator)!;
      const accelerator = accelerators.get(allocation.accelerator)!;
      expected[accelerator.type] = (expected[accelerator.type] ?? 0) + allocation.numReplicas * perf.accCount * accelerator.multiplicity;
    }
    const metrics = await scrape(api);
    expect(Object.fromEntries(samplesOf(metrics, 'inferno_accelerator_units_used').map((s) => [s.labels.type, s.value]))).toEqual(expected);
    expect(Object.fromEntries(samplesOf(metrics, 'inferno_accelerator_units_available').map((s) => [s.labels.type, s.value]))).toEqual(
      Object.fromEntries(data.system.capacityData.count.map((c) => [c.type, c.count])),
    );
  });

  it("gives the MILP's status and gap after a MILP, and neither after the greedy", async () => {
    const api = createApi({ store: new MemorySystemStore(), optimizeOptions: { mipSolver } });
    const solution = await optimizeOne(api, sample('small', { milpSolver: true }));
    const summary = solution.summary!;
    let metrics = await scrape(api);
    const statuses = samplesOf(metrics, 'inferno_milp_status');
    expect(statuses.filter((s) => s.value === 1)).toEqual([{ labels: { status: summary.status }, value: 1 }]);
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    expect(valueOf(metrics, 'inferno_milp_gap_ratio')).toBe(summary.gap);
    expect(samplesOf(metrics, 'inferno_last_optimization_duration_seconds')).toEqual([
      { labels: { solver: 'milp' }, value: expect.any(Number) },
    ]);
    await optimizeOne(api, sample('small'));
    metrics = await scrape(api);
    expect(samplesOf(metrics, 'inferno_milp_status')).toEqual([]);
    expect(samplesOf(metrics, 'inferno_milp_gap_ratio')).toEqual([]);
  });

  it('has every metric METRICS defines (but the state-file ones), and no other', async () => {
    const api = createApi({ store: new MemorySystemStore(), optimizeOptions: { mipSolver } });
    await optimizeOne(api, sample('small', { milpSolver: true }));
    const exposed = [...(await scrape(api)).keys()].sort();
    const defined = Object.values(METRICS)
      .filter((m) => !m.name.startsWith('inferno_state_file'))
      .map((m) => (m.type === 'counter' ? `${m.name}_total` : m.name));
    expect(exposed).toEqual(defined.sort());
  });
});

describe('GET /metrics: runs and requests', { timeout: 30_000 }, () => {
  it('counts optimizations by solver and outcome and times them with the injected clock', async () => {
    let clock = 0;
    const metrics = new ApiMetrics({ now: () => (clock += 1500), wallClock: () => 1_700_000_000_000 });
    const store = new MemorySystemStore(System.fromSpec(sample('small').system));
    const api = createApi({ store, metrics });
    expect((await send(api, 'POST', '/optimize', { optimizer: {} })).status).toBe(200);
    expect((await send(api, 'POST', '/optimizeOne', sample('small', { unlimited: true }))).status).toBe(200);
    const before = await scrapeText(api);
    // no MILP solver in this API: a 422, counted as failed, and the last run stays
    expect((await send(api, 'POST', '/optimize', { optimizer: { milpSolver: true } })).status).toBe(422);
    const parsed = await scrape(api);
    expect(samplesOf(parsed, 'inferno_optimizations_total')).toEqual([
      { labels: { solver: 'greedy', outcome: 'solved' }, value: 1 },
      { labels: { solver: 'milp', outcome: 'failed' }, value: 1 },
      { labels: { solver: 'unlimited', outcome: 'solved' }, value: 1 },
    ]);
    // each run took 1.5 s by the injected clock
    const text = await scrapeText(api);
    for (const solver of ['greedy', 'milp', 'unlimited']) {
      const series = text.split('\n').filter((line) => line.startsWith('inferno_optimization_duration_seconds') && line.includes(`solver="${solver}"`));
      expect(series.filter((line) => / 1$/.test(line)).map((line) => /le="([^"]+)"|_(sum|count)/.exec(line)?.slice(1).find(Boolean))).toEqual([
        '2.5', '5', '10', '30', '60', '+Inf', 'count',
      ]);
      expect(series).toContain(`inferno_optimization_duration_seconds_sum{solver="${solver}"} 1.5`);
    }
    expect(samplesOf(parsed, 'inferno_last_optimization_duration_seconds')).toEqual([{ labels: { solver: 'unlimited' }, value: 1.5 }]);
    expect(samplesOf(parsed, 'inferno_last_optimization_timestamp_seconds')).toEqual([{ labels: { solver: 'unlimited' }, value: 1_700_000_000 }]);
    const lastRunLines = (exposition: string) => exposition.split('\n').filter((line) => /^inferno_(last_|servers|accelerator_units_used)/.test(line));
    expect(lastRunLines(await scrapeText(api))).toEqual(lastRunLines(before));
  });

  it('counts requests by route and status: unknown paths as "other", refusals of the token too', async () => {
    const api = createApi({ store: new MemorySystemStore(System.fromSpec(sample('small').system)), token: 's3cret' });
    const auth = { authorization: 'Bearer s3cret' };
    await send(api, 'GET', '/getServer/Premium-llama_13b', undefined, auth);
    await send(api, 'GET', '/getServer/nobody', undefined, auth);
    await send(api, 'GET', '/getServer/nobody', undefined, auth);
    await send(api, 'POST', '/getServers', {}, auth);
    await send(api, 'GET', '/no/such/verb', undefined, auth);
    await send(api, 'GET', '/getServers');
    await send(api, 'GET', '/health');
    const parsed = parseExposition(await scrapeText(api, auth));
    expect(samplesOf(parsed, 'inferno_http_requests_total')).toEqual([
      { labels: { verb: '/getServer/:name', status: '200' }, value: 1 },
      { labels: { verb: '/getServer/:name', status: '404' }, value: 2 },
      { labels: { verb: '/getServers', status: '401' }, value: 1 },
      { labels: { verb: '/getServers', status: '405' }, value: 1 },
      { labels: { verb: '/health', status: '200' }, value: 1 },
      { labels: { verb: 'other', status: '404' }, value: 1 },
    ]);
  });

  it('needs the token like every verb, and is served in stateless mode', async () => {
    const guarded = createApi({ store: new MemorySystemStore(), token: 's3cret' });
    expect((await send(guarded, 'GET', '/metrics')).status).toBe(401);
    expect((await send(guarded, 'GET', '/metrics', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await send(guarded, 'GET', '/metrics', undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
    const stateless = createApi({ store: new MemorySystemStore(), mode: 'stateless' });
    await optimizeOne(stateless, sample('small'));
    expect(valueOf(await scrape(stateless), 'inferno_server_desired_replicas', { server: 'Premium-llama_13b' })).toBeGreaterThan(0);
    expect((await send(stateless, 'POST', '/metrics', {})).status).toBe(405);
  });

  it('changes nothing stored', async () => {
    const store = new MemorySystemStore(System.fromSpec(sample('large').system));
    const api = createApi({ store });
    const before = (await store.read()).toData();
    await scrapeText(api);
    expect((await store.read()).toData()).toEqual(before);
  });

  it('counts the writes of a store that persists, and the ones that fail', async () => {
    let failing = false;
    const memory = new MemorySystemStore(System.fromSpec(sample('small').system));
    // a store whose writes fail while `failing`, after the change was made (as a full disk would)
    const persisting: SystemStore = {
      read: () => memory.read(),
      update: (fn) =>
        memory.update((system) => {
          const result = fn(system);
          if (failing) throw new Error('disk full');
          return result;
        }),
      replace: async (system) => {
        if (failing) throw new Error('disk full');
        await memory.replace(system);
      },
    };
    const metrics = new ApiMetrics({ stateFile: true });
    const api = createApi({ store: countingWrites(persisting, metrics), metrics });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect((await send(api, 'GET', '/removeServer/Free-llama_13b')).status).toBe(200);
    expect((await send(api, 'POST', '/optimize', {})).status).toBe(200);
    expect((await send(api, 'GET', '/removeServer/nobody')).status).toBe(404);
    failing = true;
    expect((await send(api, 'GET', '/removeServer/Premium-llama_13b')).status).toBe(500);
    expect((await send(api, 'POST', '/optimizeOne', sample('small'))).status).toBe(500);
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
    const parsed = await scrape(api);
    expect(valueOf(parsed, 'inferno_state_file_writes_total')).toBe(2);
    expect(valueOf(parsed, 'inferno_state_file_write_failures_total')).toBe(2);
  });
});

describe('the exposition format', () => {
  it('escapes label values so that any server name reads back as it was', async () => {
    const data = sample('small');
    const names = ['quote " in it', 'back\\slash', 'new\nline', 'ünïcödé 🚀', '{braces},="x"'];
    const template = data.system.serverData.servers[0];
    data.system.serverData.servers = names.map((name) => ({ ...template, name }));
    const api = createApi({ store: new MemorySystemStore() });
    await optimizeOne(api, data);
    const info = samplesOf(await scrape(api), 'inferno_server_info').map((s) => s.labels.server);
    expect(info.sort()).toEqual([...names].sort());
  });

  it('escapes HELP text as each format wants it', () => {
    const family: MetricFamily = { name: 'x', help: 'a \\ b\n"c"', type: 'gauge', samples: [{ labels: {}, value: 1 }] };
    expect(renderExposition([family], 'prometheus')).toBe('# HELP x a \\\\ b\\n"c"\n# TYPE x gauge\nx 1\n');
    expect(renderExposition([family], 'openmetrics')).toBe('# HELP x a \\\\ b\\n\\"c\\"\n# TYPE x gauge\nx 1\n# EOF\n');
  });

  it('serves OpenMetrics when Accept prefers it, as Prometheus asks', () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text; version=1.0.0')).toBe('openmetrics');
    expect(negotiateFormat(null)).toBe('prometheus');
    expect(negotiateFormat('')).toBe('prometheus');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0.2,text/plain')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
    expect(negotiateFormat('application/json, ;;; q=x')).toBe('prometheus');
  });

  it('writes OpenMetrics: counters as families without _total, canonical bounds, units, # EOF', async () => {
    const api = createApi({ store: new MemorySystemStore() });
    await optimizeOne(api, sample('small'));
    const response = await send(api, 'GET', '/metrics', undefined, { accept: PROMETHEUS_ACCEPT });
    expect(response.headers.get('content-type')).toBe(CONTENT_TYPES.openmetrics);
    const text = await response.text();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE inferno_optimizations counter\n');
    expect(text).toContain('\ninferno_optimizations_total{solver="greedy",outcome="solved"} 1\n');
    expect(text).toContain('# UNIT inferno_optimization_duration_seconds seconds\n');
    expect(text).toMatch(/\ninferno_optimization_duration_seconds_bucket\{solver="greedy",le="1\.0"\} [01]\n/);
    expect(text).not.toMatch(/le="1"/);
  });

  it('gives the same bytes for the same system, whatever the order of its parts', async () => {
    const forward = sample('large');
    const reversed = sample('large');
    for (const list of [reversed.system.serverData.servers, reversed.system.modelData.models, reversed.system.capacityData.count]) list.reverse();
    const texts = await Promise.all(
      [forward, reversed].map(async (data) => {
        const api = createApi({ store: new MemorySystemStore(), metrics: new ApiMetrics({ now: () => 0, wallClock: () => 0 }) });
        await optimizeOne(api, data);
        return scrapeText(api);
      }),
    );
    expect(texts[1]).toBe(texts[0]);
  });
});
