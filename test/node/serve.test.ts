/** `inferno-edge serve`: its options, and the real command run as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { serveOptions } from '../../src/node/serve.js';
import { SAMPLES } from '../../src/samples/index.js';
import { freePort } from '../net.js';

const BIN = new URL('../../bin/inferno-edge.mjs', import.meta.url).pathname;

describe('serve options', () => {
  it('defaults to stateful on localhost:8080', () => {
    expect(serveOptions([], {})).toEqual({ mode: 'stateful', empty: false, host: 'localhost', port: 8080, corsOrigins: [], maxRuns: 16 });
  });

  it('reads INFERNO_HOST and INFERNO_PORT, --stateless, -F and --empty', () => {
    expect(serveOptions(['--stateless', '--empty'], { INFERNO_HOST: '0.0.0.0', INFERNO_PORT: '9000' })).toEqual({
      mode: 'stateless',
      empty: true,
      host: '0.0.0.0',
      port: 9000,
      corsOrigins: [],
      maxRuns: 16,
    });
    expect(serveOptions(['-F'], {})).toMatchObject({ mode: 'stateful' });
  });

  it('reads INFERNO_TOKEN, INFERNO_CORS_ORIGINS and INFERNO_STATE_FILE; empty values are unset', () => {
    const env = { INFERNO_TOKEN: 't0ken', INFERNO_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173', INFERNO_STATE_FILE: 'state.json' };
    expect(serveOptions([], env)).toMatchObject({ token: 't0ken', corsOrigins: ['https://a.example.com', 'http://localhost:5173'], stateFile: 'state.json' });
    expect(serveOptions([], { INFERNO_TOKEN: '', INFERNO_CORS_ORIGINS: '', INFERNO_STATE_FILE: '' })).toEqual(serveOptions([], {}));
  });

  it('reads INFERNO_OPTIMIZER_THREADS and INFERNO_MAX_OPTIMIZATIONS, refusing what is not a count', () => {
    expect(serveOptions([], { INFERNO_OPTIMIZER_THREADS: '3', INFERNO_MAX_OPTIMIZATIONS: '40' })).toMatchObject({ threads: 3, maxRuns: 40 });
    expect(serveOptions([], { INFERNO_OPTIMIZER_THREADS: '', INFERNO_MAX_OPTIMIZATIONS: '' })).toEqual(serveOptions([], {}));
    expect(serveOptions([], { INFERNO_OPTIMIZER_THREADS: '0' })).toBe('INFERNO_OPTIMIZER_THREADS must be a whole number from 1 to 1024, not "0"');
    expect(serveOptions([], { INFERNO_MAX_OPTIMIZATIONS: 'many' })).toBe('INFERNO_MAX_OPTIMIZATIONS must be a whole number from 1 to 1024, not "many"');
  });

  it('reads INFERNO_READ_TOKEN, which needs INFERNO_TOKEN and must differ from it', () => {
    expect(serveOptions([], { INFERNO_TOKEN: 'admin', INFERNO_READ_TOKEN: 'reader' })).toMatchObject({ token: 'admin', readToken: 'reader' });
    expect(serveOptions([], { INFERNO_TOKEN: 'admin', INFERNO_READ_TOKEN: '' })).toEqual(serveOptions([], { INFERNO_TOKEN: 'admin' }));
    expect(serveOptions([], { INFERNO_READ_TOKEN: 'reader' })).toBe('INFERNO_READ_TOKEN needs INFERNO_TOKEN: without it every request may do everything');
    expect(serveOptions([], { INFERNO_TOKEN: 'same', INFERNO_READ_TOKEN: 'same' })).toBe('INFERNO_READ_TOKEN must differ from INFERNO_TOKEN');
  });

  it('refuses a CORS entry that is not an origin, and a state file in stateless mode', () => {
    expect(serveOptions([], { INFERNO_CORS_ORIGINS: 'https://a.example.com/app' })).toBe(
      'INFERNO_CORS_ORIGINS: "https://a.example.com/app" is not an origin (scheme://host[:port], e.g. https://app.example.com)',
    );
    expect(serveOptions(['--stateless'], { INFERNO_STATE_FILE: 'state.json' })).toMatch(/^INFERNO_STATE_FILE .* --stateless$/);
  });

  it('refuses unknown flags, contradictory modes and a bad port', () => {
    expect(serveOptions(['--port=1'], {})).toBe('unknown option: --port=1');
    expect(serveOptions(['-F', '--stateless'], {})).toMatch(/exclude each other/);
    expect(serveOptions([], { INFERNO_PORT: 'http' })).toMatch(/INFERNO_PORT must be a port number/);
    expect(serveOptions([], { INFERNO_PORT: '70000' })).toMatch(/INFERNO_PORT must be a port number/);
  });
});


/** Starts `inferno-edge serve`; resolves with the URL it prints once it listens, and all it prints. */
function startServe(args: string[], port: number, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, INFERNO_HOST: '127.0.0.1', INFERNO_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = output.match(/listening on (http:\/\/\S+)/);
      if (listening) resolve({ child, url: listening[1], output: () => output });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('inferno-edge serve as a child process', () => {
  it('serves the stateful API with the small sample on INFERNO_HOST:INFERNO_PORT, and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, url } = await startServe([], port);
    try {
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      expect(await (await fetch(`${url}health`)).json()).toEqual({ status: 'ok', mode: 'stateful' });
      const data = parseWith(SystemDataSchema, SAMPLES.small);
      const expected = optimize(System.fromSpec(data.system), data.system.optimizerData.optimizer).solution;
      const response = await fetch(`${url}optimize`, { method: 'POST', body: JSON.stringify(data.system.optimizerData) });
      expect(await response.json()).toEqual(expected);
      // the Node server loads HiGHS, so milpSolver works here (the router alone answers 422)
      const milp = await fetch(`${url}optimize`, { method: 'POST', body: '{"milpSolver": true}' });
      expect(milp.status).toBe(200);
      expect(((await milp.json()) as { summary: { solver: string } }).summary.solver).toMatch(/^HiGHS/);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  }, 30_000);

  it('--stateless serves the stateless API, empty', async () => {
    const { child, url } = await startServe(['--stateless'], 0);
    try {
      expect(await (await fetch(`${url}health`)).json()).toEqual({ status: 'ok', mode: 'stateless' });
      expect(await (await fetch(`${url}getServers`)).json()).toEqual({ servers: [] });
      expect((await fetch(`${url}setServers`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  }, 30_000);

  it('INFERNO_TOKEN and INFERNO_CORS_ORIGINS: the token asked of every verb but /health, CORS for the origins listed', async () => {
    const origin = 'http://localhost:5173';
    const { child, url } = await startServe([], 0, { INFERNO_TOKEN: 'child-token', INFERNO_CORS_ORIGINS: origin });
    try {
      expect((await fetch(`${url}health`)).status).toBe(200);
      const refused = await fetch(`${url}getServers`, { headers: { origin } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const answered = await fetch(`${url}getServers`, { headers: { origin, authorization: 'Bearer child-token' } });
      expect(answered.status).toBe(200);
      expect(answered.headers.get('access-control-allow-origin')).toBe(origin);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  }, 30_000);

  it('INFERNO_READ_TOKEN reads and gets 403 on a write; neither token is ever logged', async () => {
    const [admin, reader] = ['child-admin-t0ken', 'child-read-t0ken'];
    const { child, url, output } = await startServe([], 0, { INFERNO_TOKEN: admin, INFERNO_READ_TOKEN: reader });
    try {
      expect(output()).toMatch(/token required \(read-only token too\)/);
      const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      expect((await fetch(`${url}getServers`, as(reader))).status).toBe(200);
      expect((await fetch(`${url}removeServer/Free-llama_13b`, as(reader))).status).toBe(403);
      expect((await fetch(`${url}exportSystem`, as(reader))).status).toBe(403);
      expect((await fetch(`${url}getServer/Free-llama_13b`, as(admin))).status).toBe(200);
      expect((await fetch(`${url}removeServer/Free-llama_13b`, as(`${admin}x`))).status).toBe(401);
      expect((await fetch(`${url}removeServer/Free-llama_13b`, as(admin))).status).toBe(200);
    } finally {
      expect(await stop(child)).toBe(0);
    }
    expect(output()).toMatch(/GET \/removeServer\/Free-llama_13b 403/);
    expect(output()).not.toContain('t0ken');
  }, 30_000);

  it('INFERNO_STATE_FILE: /metrics counts the writes of the state file, and the ones that fail', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'inferno-serve-metrics-'));
    const file = join(folder, 'state.json');
    const { child, url } = await startServe([], 0, { INFERNO_STATE_FILE: file });
    const counts = async () => {
      const text = await (await fetch(`${url}metrics`)).text();
      const count = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      return [count('inferno_state_file_writes_total'), count('inferno_state_file_write_failures_total')];
    };
    try {
      expect(await counts()).toEqual([0, 0]);
      expect((await fetch(`${url}removeServer/Free-llama_13b`)).status).toBe(200);
      expect((await fetch(`${url}optimize`, { method: 'POST', body: '{}' })).status).toBe(200);
      expect((await fetch(`${url}removeServer/nobody`)).status).toBe(404);
      expect(await counts()).toEqual([2, 0]);
      // the store writes through STATE.tmp: a folder in its place makes the next write fail
      mkdirSync(`${file}.tmp`);
      expect((await fetch(`${url}removeServer/Free-llama_70b`)).status).toBe(500);
      rmSync(`${file}.tmp`, { recursive: true });
      expect((await fetch(`${url}removeServer/Free-llama_70b`)).status).toBe(200);
      expect(await counts()).toEqual([3, 1]);
    } finally {
      expect(await stop(child)).toBe(0);
      rmSync(folder, { recursive: true, force: true });
    }
  }, 30_000);
});
