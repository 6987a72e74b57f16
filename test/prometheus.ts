/**
 * A real Prometheus (Debian's package, /usr/bin/prometheus) for the metrics tests: started on a
 * free port of 127.0.0.1 with a data folder of its own and the scrape jobs it is given, queried
 * through its HTTP API, stopped by the test. Its targets must be on this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './net.js';
import { prerequisite } from './prerequisites.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Whether Debian's prometheus (and its promtool) is installed; skips (or fails in CI) without. */
export function havePrometheus(): boolean {
  return prerequisite(existsSync(PROMETHEUS) && existsSync(PROMTOOL), `the Prometheus tests need ${PROMETHEUS} and ${PROMTOOL} (apt-get install prometheus)`);
}

export interface ScrapeJob {
  name: string;
  /** host:port on this machine */
  target: string;
  metricsPath?: string;
  /** sent as Authorization: Bearer <token> */
  token?: string;
}

/** One vector element of an instant query's answer. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: URL;
  /** The answer of an instant query; throws when Prometheus reports an error. */
  query(promql: string): Promise<VectorSample[]>;
  /** Polls `promql` until `done` holds for its answer; throws with the last answer after `timeoutMs`. */
  waitFor(promql: string, done: (samples: VectorSample[]) => boolean, timeoutMs?: number): Promise<VectorSample[]>;
  /** everything it logged so far */
  output(): string;
  stop(): Promise<void>;
}

const LOCAL_TARGET = /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** A scrape config; JSON is YAML, so the token needs no YAML quoting. */
function config(jobs: readonly ScrapeJob[]): string {
  return JSON.stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: jobs.map((job) => ({
      job_name: job.name,
      metrics_path: job.metricsPath ?? '/metrics',
      static_configs: [{ targets: [job.target] }],
      ...(job.token !== undefined && { authorization: { credentials: job.token } }),
    })),
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startPrometheus(jobs: readonly ScrapeJob[]): Promise<Prometheus> {
  for (const job of jobs) if (!LOCAL_TARGET.test(job.target)) throw new Error(`${job.target}: the tests scrape only this machine`);
  const folder = mkdtempSync(join(tmpdir(), 'inferno-prometheus-'));
  const configFile = join(folder, 'prometheus.yml');
  writeFileSync(configFile, config(jobs));
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}/`);
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
    rmSync(folder, { recursive: true, force: true });
  };

  const query = async (promql: string): Promise<VectorSample[]> => {
    const response = await fetch(new URL(`api/v1/query?${new URLSearchParams({ query: promql })}`, url));
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorSample[] } };
    if (body.status !== 'success' || !body.data) throw new Error(`${promql}: ${body.error ?? response.status}`);
    if (body.data.resultType !== 'vector') throw new Error(`${promql}: a ${body.data.resultType}, not a vector`);
    return body.data.result;
  };

  const waitFor = async (promql: string, done: (samples: VectorSample[]) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: VectorSample[] = [];
    while (Date.now() < deadline) {
      last = await query(promql);
      if (done(last)) return last;
      await sleep(250);
    }
    throw new Error(`${promql}: still ${JSON.stringify(last)} after ${timeoutMs} ms; Prometheus said:\n${output}`);
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
      const ready = await fetch(new URL('-/ready', url)).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`prometheus not ready after ${START_TIMEOUT_MS} ms:\n${output}`);
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, query, waitFor, output: () => output, stop };
}
