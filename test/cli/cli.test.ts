import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

const BIN = new URL('../../bin/inferno-edge.mjs', import.meta.url).pathname;

function cli(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('inferno-edge optimize', () => {
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
