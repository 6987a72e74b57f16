/**
 * A real Prometheus (Debian's package) scrapes two Node servers started here, one without a
 * token and one, stateless, with INFERNO_TOKEN, and its query API answers what their last
 * /optimizeOne implies. promtool (Prometheus's own parser and linter) checks the exposition and
 * README's scrape config; README's PromQL and every dashboard query run against the data.
 * Skips without prometheus, and fails in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/api/exposition.js';
import { createApi, MemorySystemStore, type ApiMode } from '../../src/api/index.js';
import { parseWith, SystemDataSchema, type AllocationSolution, type ServerExplanation, type SystemData } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { SAMPLES } from '../../src/samples/index.js';
import { codeBlocks, dashboardQueries, metricNames } from '../metrics-docs.js';
import { havePrometheus, PROMTOOL, startPrometheus, type Prometheus, type VectorSample } from '../prometheus.js';

const HAVE_PROMETHEUS = havePrometheus();
const TOKEN = 'prometheus-scrape-token';
const NAMED_SERVER = 'Premium-llama_70b';

interface Started {
  server: Server;
  /** the Accept header of every GET /metrics it was sent */
  accepts: string[];
  base: URL;
  solution: AllocationSolution;
  /** /explain's view of the same system */
  explained: ServerExplanation[];
}

const running: Server[] = [];
let open: Started;
let guarded: Started;
let prometheus: Prometheus | undefined;

/** A Node server that has optimized `data` with /optimizeOne. */
async function start(mode: ApiMode, data: SystemData, token?: string): Promise<Started> {
  const api = createApi({ store: new MemorySystemStore(), mode, token, optimizeOptions: { mipSolver: await loadNodeMipSolver() } });
  const accepts: string[] = [];
  const seen = (request: Request) => {
    if (new URL(request.url).pathname === '/metrics') accepts.push(request.headers.get('accept') ?? '');
    return api.fetch(request);
  };
  const server = createNodeServer({ api: { ...api, fetch: seen }, log: () => undefined });
  running.push(server);
  const base = await listen(server, '127.0.0.1', 0);
  const post = async (path: string) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const response = await fetch(new URL(path, base), { method: 'POST', headers, body: JSON.stringify(data) });
    expect(response.status, path).toBe(200);
    return response.json();
  };
  const solution = (await post('/optimizeOne')) as AllocationSolution;
  const explained = ((await post('/explain')) as { servers: ServerExplanation[] }).servers;
  return { server, accepts, base, solution, explained };
}

const target = (url: URL) => `${url.hostname}:${url.port}`;
const numbers = (samples: VectorSample[]) => samples.map((sample) => Number(sample.value[1]));
/** Samples keyed by the value of `label`. */
const byLabel = (samples: VectorSample[], label: string) => Object.fromEntries(samples.map((s) => [s.metric[label], Number(s.value[1])]));

beforeAll(async () => {
  if (!HAVE_PROMETHEUS) return;
  const large = parseWith(SystemDataSchema, SAMPLES.large);
  const smallMilp = parseWith(SystemDataSchema, SAMPLES.small);
  smallMilp.system.optimizerData.optimizer.milpSolver = true;
  [open, guarded] = await Promise.all([start('stateful', large), start('stateless', smallMilp, TOKEN)]);
  prometheus = await startPrometheus([
    { name: 'inferno', target: target(open.base) },
    { name: 'inferno-token', target: target(guarded.base), token: TOKEN },
    { name: 'inferno-no-token', target: target(guarded.base) },
  ]);
  // every job scraped at least once
  await prometheus.waitFor('up', (samples) => samples.length === 3);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(running.map((server) => new Promise((done) => server.close(done))));
}, 30_000);

describe.skipIf(!HAVE_PROMETHEUS)('a real Prometheus scraping the Node server', { timeout: 90_000 }, () => {
  const waitFor = (promql: string, done: (samples: VectorSample[]) => boolean) => prometheus!.waitFor(promql, done);

  it('scrapes the server without a token, and the one with a token only when it sends it', async () => {
    const up = await waitFor('up', (samples) => byLabel(samples, 'job').inferno === 1 && byLabel(samples, 'job')['inferno-token'] === 1);
    expect(byLabel(up, 'job')).toEqual({ inferno: 1, 'inferno-token': 1, 'inferno-no-token': 0 });
    // and it asked for OpenMetrics, which it was given
    expect(open.accepts.length).toBeGreaterThan(0);
    expect(new Set(open.accepts.map(negotiateFormat))).toEqual(new Set(['openmetrics']));
  });

  it('answers the desired replicas of a named server, and of every server, as /optimizeOne did', async () => {
    const expected = open.solution.allocations[NAMED_SERVER].numReplicas;
    expect(expected).toBeGreaterThan(0);
    const named = await waitFor(`inferno_server_desired_replicas{job="inferno",server="${NAMED_SERVER}"}`, (s) => s.length === 1);
    expect(numbers(named)).toEqual([expected]);
    const all = byLabel(await prometheus!.query('inferno_server_desired_replicas{job="inferno"}'), 'server');
    expect(Object.keys(all)).toHaveLength(open.explained.length);
    for (const [server, replicas] of Object.entries(all)) expect(replicas, server).toBe(open.solution.allocations[server]?.numReplicas ?? 0);
  });

  it('answers the total cost of the answer', async () => {
    const cost = Object.values(open.solution.allocations).reduce((sum, a) => sum + a.cost, 0);
    const [total] = numbers(await waitFor('inferno_total_cost_cents_per_hour{job="inferno"}', (s) => s.length === 1));
    expect(total).toBeCloseTo(cost, 6);
  });

  it('answers how many servers of each priority are within SLO, as /explain tells', async () => {
    const expected: Record<string, number> = {};
    for (const server of open.explained) {
      if (server.status === 'allocated') expected[server.priority] = (expected[server.priority] ?? 0) + 1;
    }
    const within = await waitFor('sum by (priority) (inferno_servers{job="inferno",state="within_slo"})', (s) => s.length > 0);
    expect(byLabel(within, 'priority')).toEqual(expected);
  });

  it("answers the MILP's status from the stateless server, scraped with its token", async () => {
    const status = guarded.solution.summary?.status;
    const statuses = await waitFor('inferno_milp_status{job="inferno-token"} == 1', (s) => s.length > 0);
    expect(statuses.map((s) => s.metric.status)).toEqual([status]);
    const [replicas] = numbers(await prometheus!.query(`inferno_server_desired_replicas{job="inferno-token",server="Premium-llama_13b"}`));
    expect(replicas).toBe(guarded.solution.allocations['Premium-llama_13b'].numReplicas);
  });

  it("runs README's PromQL example: the servers out of SLO by priority", async () => {
    const [example] = codeBlocks('promql');
    const expected: Record<string, number> = {};
    for (const server of [...open.explained, ...guarded.explained]) {
      if (server.status === 'best-effort' || server.status === 'unallocated') expected[server.priority] = (expected[server.priority] ?? 0) + 1;
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    const answer = await waitFor(example.trim(), (s) => s.length > 0);
    expect(byLabel(answer, 'priority')).toEqual(expected);
  });

  it('runs every query of the Grafana dashboard, each metric it names having data', async () => {
    for (const { where, expr } of dashboardQueries()) {
      await prometheus!.query(expr);
      for (const name of metricNames(expr)) {
        const found = await waitFor(`count({__name__="${name}"})`, (s) => s.length > 0);
        expect(numbers(found)[0], `${where}: ${name}`).toBeGreaterThan(0);
      }
    }
  });
});

describe.skipIf(!HAVE_PROMETHEUS)('promtool', () => {
  it('finds the text exposition valid and without lint problems', async () => {
    for (const started of [open, guarded]) {
      const response = await fetch(new URL('/metrics', started.base), { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const checked = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await response.text(), encoding: 'utf8' });
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.status).toBe(0);
    }
  });

  it("accepts README's prometheus.yml", () => {
    const [config] = codeBlocks('yaml');
    const folder = mkdtempSync(join(tmpdir(), 'inferno-promtool-'));
    try {
      writeFileSync(join(folder, 'prometheus.yml'), config);
      const checked = spawnSync(PROMTOOL, ['check', 'config', join(folder, 'prometheus.yml')], { encoding: 'utf8' });
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
