import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySystemToken } from '../../src/api/index.js';
import { tokenRequest } from '../../src/cli/token-command.js';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { readOptimizerLightJson } from '../optimizer-light-fixtures.js';

const BIN = new URL('../../bin/inferno-edge.mjs', import.meta.url).pathname;

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// each test starts `inferno-edge` processes, which share 2 cores with every other test file
describe('inferno-edge optimize', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-cli-'));
  const smallFile = join(dir, 'small.json');
  writeFileSync(smallFile, JSON.stringify(SAMPLES.small));
  const parsed = parseWith(SystemDataSchema, SAMPLES.small);
  const expected = optimize(System.fromSpec(parsed.system), parsed.system.optimizerData.optimizer).solution;

  it('prints the AllocationSolution of a file and exits 0', () => {
    const { status, stdout } = cli(['optimize', smallFile]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('reads stdin with -, and --stats writes one JSON line with totalMs to stderr', () => {
    const { status, stdout, stderr } = cli(['optimize', '-', '--stats'], JSON.stringify(SAMPLES.small));
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(expected);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).totalMs).toBeGreaterThan(0);
  });

  it('rejects invalid input with exit 2, naming the field', () => {
    const bad = { system: { serverData: { servers: [{ name: 's', currentAlloc: { load: { avgInTokens: 'many' } } }] } } };
    const { status, stdout, stderr } = cli(['optimize', '-'], JSON.stringify(bad));
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/system\.serverData\.servers\.0\.currentAlloc\.load\.avgInTokens: .*expected number/);
  });

  it('rejects text that is not JSON, a missing file and bad usage with exit 2', () => {
    expect(cli(['optimize', '-'], '{"system": ').status).toBe(2);
    const missing = cli(['optimize', join(dir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['optimize']).status).toBe(2);
  });
});

describe('inferno-edge explain', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-explain-'));
  const largeFile = join(dir, 'large.json');
  writeFileSync(largeFile, JSON.stringify(SAMPLES.large));

  it('prints one row per server with its status and why', () => {
    const { status, stdout } = cli(['explain', largeFile]);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+CLASS\s+PRIO\s+STATUS/);
    const servers = (SAMPLES.large as { system: { serverData: { servers: { name: string }[] } } }).system.serverData.servers;
    for (const { name } of servers) expect(lines.some((line) => line.startsWith(`${name} `))).toBe(true);
    expect(stdout).toMatch(/Free-mixtral_8_7b .* best-effort .* best effort under the saturation policy: 1 of the 38 replicas/);
    expect(lines.at(-1)).toMatch(/^solver: greedy; total cost: \d+(\.\d+)? cents\/hour$/);
  });

  it('--server prints every candidate of one server, feasible or not, with the reason', () => {
    const { status, stdout } = cli(['explain', largeFile, '--server', 'Free-mixtral_8_7b']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^server Free-mixtral_8_7b \(class Free, model mixtral_8_7b, priority 3\)/);
    expect(stdout).toMatch(/\nAIU2 +no +.*ITL target 320 ms is below/);
    expect(stdout).toMatch(/\n2xMI300X +yes .*no room: needs 52 units of MI300X/);
  });

  it('names an unknown server, and bad usage, with exit 2', () => {
    const unknown = cli(['explain', largeFile, '--server', 'nobody']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('server nobody not found\n');
    expect(cli(['explain', largeFile, '--server']).status).toBe(2);
  });
});

/** Each test starts the CLI (about 2 s on a loaded machine): the default 5 s is too short for two. */
describe("today's Inferno data (perfParms) on the command line", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-today-'));
  // llm-inferno/sample-data's own consolidated file, as a new user downloads it
  const todayFile = join(dir, 'system-data.json');
  writeFileSync(todayFile, JSON.stringify(readOptimizerLightJson('small/system-data.json')));
  // the same, with a tuner that has not converged on granite_13b yet: all its perfParms zero
  const untuned = structuredClone(readOptimizerLightJson('small/system-data.json')) as {
    system: { modelData: { models: { name: string; perfParms: Record<string, number> }[] } };
  };
  for (const perf of untuned.system.modelData.models) if (perf.name === 'granite_13b') perf.perfParms = { alpha: 0, beta: 0, gamma: 0 };
  const untunedFile = join(dir, 'untuned.json');
  writeFileSync(untunedFile, JSON.stringify(untuned));

  it('optimize allocates every server, quietly', () => {
    const { status, stdout, stderr } = cli(['optimize', todayFile]);
    expect(status).toBe(0);
    expect(Object.keys(JSON.parse(stdout).allocations)).toHaveLength(15);
    expect(stderr).toBe('');
  });

  it('optimize says on stderr which perf data sized nothing and which servers were left out; stdout stays the answer', () => {
    const { status, stdout, stderr } = cli(['optimize', untunedFile]);
    expect(status).toBe(0);
    const solution = JSON.parse(stdout);
    expect(Object.keys(solution.allocations).filter((name) => name.endsWith('granite_13b'))).toEqual([]);
    expect(Object.keys(solution.allocations)).toHaveLength(12);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual(solution.warnings.map((warning: string) => `warning: ${warning}`));
    expect(lines.filter((line) => /^warning: model granite_13b on \S+ has no usable performance parameters/.test(line))).toHaveLength(6);
    expect(lines.filter((line) => /^warning: server \S+-granite_13b is left without an allocation/.test(line))).toHaveLength(3);
  });

  it('explain prints the same warnings on stderr, and why each such server got nothing', () => {
    const { status, stdout, stderr } = cli(['explain', untunedFile]);
    expect(status).toBe(0);
    const parsed = parseWith(SystemDataSchema, untuned);
    const { warnings } = optimize(System.fromSpec(parsed.system), parsed.system.optimizerData.optimizer).solution;
    expect(stderr).toBe(warnings!.map((warning) => `warning: ${warning}\n`).join(''));
    expect(stdout).toMatch(/Premium-granite_13b .* unallocated .* no accelerator has usable performance parameters for model granite_13b/);
  });
});

describe('inferno-edge token', { timeout: 60_000 }, () => {
  const SECRET = 'cli-s3cret';

  it('prints a token for one system, signed with INFERNO_TOKEN: write and version 1 unless told', async () => {
    const plain = cli(['token', 'team-a'], undefined, { INFERNO_TOKEN: SECRET });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^ie1~team-a~write~1~[\w-]{43}\n$/);
    expect(await verifySystemToken(SECRET, plain.stdout.trim())).toEqual({ systemId: 'team-a', scope: 'write', version: 1 });
    const read = cli(['token', '--scope', 'read', 'team-a', '--version', '7'], undefined, { INFERNO_TOKEN: SECRET });
    expect(read.status).toBe(0);
    expect(await verifySystemToken(SECRET, read.stdout.trim())).toEqual({ systemId: 'team-a', scope: 'read', version: 7 });
    expect(await verifySystemToken('another', read.stdout.trim())).toBeUndefined();
  });

  it('without INFERNO_TOKEN: exit 2 and why, nothing on stdout', () => {
    const { status, stdout, stderr } = cli(['token', 'team-a'], undefined, { INFERNO_TOKEN: '' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^INFERNO_TOKEN is not set: tokens are signed with it\nusage:\n/);
  });

  it.each([
    [[], 'name one system'],
    [['a', 'b'], 'name one system'],
    [['team a'], 'SYSTEM must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-", not "team a"'],
    [['team-a', '--scope', 'admin'], '--scope is read or write, not "admin"'],
    [['team-a', '--version', '0'], '--version is a whole number from 1 to 999999999, not "0"'],
    [['team-a', '--version', '1e3'], '--version is a whole number from 1 to 999999999, not "1e3"'],
    [['team-a', '--version'], '--version needs a value'],
    [['team-a', '--ttl', '5'], 'unknown option: --ttl'],
  ])('refuses %j: %s', (args, message) => {
    expect(tokenRequest(args)).toBe(message);
  });
});
