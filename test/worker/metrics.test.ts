/**
 * GET /metrics in workerd: per system, the default one at the bare path; the record of the last
 * optimization stored in the system's Durable Object (so that it outlives the instance), the
 * counters per object (so that they do not).
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseWith, SystemDataSchema, type AllocationSolution } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { parseExposition, samplesOf, valueOf } from '../exposition.js';
import { call } from './client.js';

const stub = (name: string) => env.SYSTEMS.get(env.SYSTEMS.idFromName(name));

async function scrapeText(path: string): Promise<string> {
  const response = await exports.default.fetch(new Request(`http://inferno.test${path}`));
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/** The lines of the metrics of the last optimization. */
function lastRunLines(text: string): string[] {
  return text.split('\n').filter((line) => /^inferno_(last_optimization|servers|accelerator_units_used|milp)/.test(line));
}

describe('GET /metrics on the Worker', () => {
  it('covers the system the path names', async () => {
    const large = parseWith(SystemDataSchema, SAMPLES.large);
    const optimized = await call('POST', '/systems/metrics-a/optimizeOne', large);
    expect(optimized.status).toBe(200);
    const solution = optimized.body as AllocationSolution;
    const metrics = parseExposition(await scrapeText('/systems/metrics-a/metrics'));
    for (const server of large.system.serverData.servers) {
      expect(valueOf(metrics, 'inferno_server_desired_replicas', { server: server.name }), server.name).toBe(
        solution.allocations[server.name]?.numReplicas ?? 0,
      );
    }
    const servers = samplesOf(metrics, 'inferno_servers').reduce((sum, s) => sum + s.value, 0);
    expect(servers).toBe(large.system.serverData.servers.length);
    expect(samplesOf(metrics, 'inferno_optimizations_total')).toEqual([{ labels: { solver: 'greedy', outcome: 'solved' }, value: 1 }]);
    expect(valueOf(metrics, 'inferno_http_requests_total', { verb: '/optimizeOne', status: '200' })).toBe(1);
    // workerd run locally lets the clock advance during CPU work (a deployed Worker's does not)
    expect(valueOf(metrics, 'inferno_last_optimization_duration_seconds', { solver: 'greedy' })).toBeGreaterThan(0);
    // another system knows nothing of it
    const other = parseExposition(await scrapeText('/systems/metrics-b/metrics'));
    expect(samplesOf(other, 'inferno_server_info')).toEqual([]);
    expect(samplesOf(other, 'inferno_optimizations_total')).toEqual([]);
  });

  it('at the bare path covers the default system', async () => {
    const bare = parseExposition(await scrapeText('/metrics'));
    const named = parseExposition(await scrapeText('/systems/default/metrics'));
    const servers = (metrics: typeof bare) => samplesOf(metrics, 'inferno_server_info').map((s) => s.labels.server);
    expect(servers(bare)).toEqual(parseWith(SystemDataSchema, SAMPLES.small).system.serverData.servers.map((s) => s.name).sort());
    expect(servers(named)).toEqual(servers(bare));
    // the same object counted both scrapes
    expect(valueOf(named, 'inferno_http_requests_total', { verb: '/metrics', status: '200' })).toBe(1);
  });

  it('keeps the record of the last optimization beside the system: a new instance tells the same; counters restart', async () => {
    const small = parseWith(SystemDataSchema, SAMPLES.small);
    expect((await call('POST', '/systems/metrics-kept/optimizeOne', small)).status).toBe(200);
    const before = await scrapeText('/systems/metrics-kept/metrics');
    expect(lastRunLines(before).length).toBeGreaterThan(3);
    const first = await runInDurableObject(stub('metrics-kept'), (instance) => instance);
    await abortAllDurableObjects();
    const after = await scrapeText('/systems/metrics-kept/metrics');
    expect(await runInDurableObject(stub('metrics-kept'), (instance) => instance)).not.toBe(first);
    expect(lastRunLines(after)).toEqual(lastRunLines(before));
    expect(samplesOf(parseExposition(after), 'inferno_optimizations_total')).toEqual([]);
  });

  it('forgets the last optimization of a deleted system, in this instance and the next; the next optimization is told again', async () => {
    const small = parseWith(SystemDataSchema, SAMPLES.small);
    const path = '/systems/metrics-deleted';
    const lastDurations = async () => lastRunLines(await scrapeText(`${path}/metrics`)).filter((line) => line.startsWith('inferno_last_optimization_duration_seconds'));
    const optimizeAndDelete = async () => {
      expect((await call('POST', `${path}/optimizeOne`, small)).status).toBe(200);
      expect(await lastDurations()).toHaveLength(1);
      expect(await call('POST', `${path}/deleteSystem`)).toMatchObject({ status: 200, body: { systemId: 'metrics-deleted' } });
    };
    await optimizeAndDelete();
    expect(lastRunLines(await scrapeText(`${path}/metrics`))).toEqual([]);
    // the same instance stores the next record, its table dropped with the system
    await optimizeAndDelete();
    await abortAllDurableObjects();
    expect(lastRunLines(await scrapeText(`${path}/metrics`))).toEqual([]);
  });

  it('ignores a stored record it cannot read', async () => {
    expect((await call('POST', '/systems/metrics-garbled/optimizeOne', parseWith(SystemDataSchema, SAMPLES.small))).status).toBe(200);
    await runInDurableObject(stub('metrics-garbled'), (_, state) => {
      state.storage.sql.exec("UPDATE last_optimization SET record = '{\"solver\": 7}'");
    });
    await abortAllDurableObjects();
    const metrics = parseExposition(await scrapeText('/systems/metrics-garbled/metrics'));
    expect(samplesOf(metrics, 'inferno_last_optimization_duration_seconds')).toEqual([]);
    expect(samplesOf(metrics, 'inferno_server_info').length).toBeGreaterThan(0);
  });
});
