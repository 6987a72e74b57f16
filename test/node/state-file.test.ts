/**
 * INFERNO_STATE_FILE: the FileSystemStore on its own, then `inferno-edge serve` as a child
 * process: it refuses a bad file, and killed with SIGKILL while writes go on, it leaves a file
 * that holds one whole state with every acknowledged write, which the next start reads back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWith, System, SystemDataSchema, type AcceleratorSpec } from '../../src/core/index.js';
import { FileSystemStore, StateFileError } from '../../src/node/file-store.js';
import { SAMPLES } from '../../src/samples/index.js';
import { acceleratorSpec } from '../core/builders.js';

const BIN = new URL('../../bin/inferno-edge.mjs', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'inferno-state-'));
let folders = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(): string {
  const path = join(root, `case-${++folders}`);
  mkdirSync(path);
  return path;
}

const sample = () => System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);
const stored = (file: string) => System.fromSnapshot(JSON.parse(readFileSync(file, 'utf8'))).toSnapshot();

describe('FileSystemStore', () => {
  it('without a file: starts with the initial system and writes it at once', async () => {
    const file = join(folder(), 'state.json');
    const store = await FileSystemStore.open(file, sample);
    expect((await store.read()).toSnapshot()).toEqual(sample().toSnapshot());
    expect(stored(file)).toEqual(sample().toSnapshot());
  });

  it('every change is in the file when it resolves, and a new store reads it back', async () => {
    const file = join(folder(), 'state.json');
    const store = await FileSystemStore.open(file, sample);
    await store.update((system) => system.addAccelerator(acceleratorSpec('H100')));
    expect(stored(file).system.acceleratorData.accelerators.map((a) => a.name)).toContain('H100');
    await store.update((system) => system.addModel('no_perf_data'));
    const reopened = await FileSystemStore.open(file, () => new System());
    expect((await reopened.read()).toSnapshot()).toEqual((await store.read()).toSnapshot());
    expect((await reopened.read()).models.has('no_perf_data')).toBe(true);
    await store.replace(new System());
    expect(stored(file)).toEqual(new System().toSnapshot());
  });

  it('an update that throws writes nothing and keeps the system as it was', async () => {
    const file = join(folder(), 'state.json');
    const store = await FileSystemStore.open(file, sample);
    const bytes = readFileSync(file);
    const failing = store.update((system) => {
      system.removeServer('Free-llama_13b');
      throw new Error('refused half-way');
    });
    await expect(failing).rejects.toThrow('refused half-way');
    expect(readFileSync(file)).toEqual(bytes);
    expect((await store.read()).getServer('Free-llama_13b')).toBeDefined();
  });

  it('a write that fails is not applied, and the error is passed on', async () => {
    const dir = folder();
    const file = join(dir, 'state.json');
    const store = await FileSystemStore.open(file, sample);
    rmSync(dir, { recursive: true });
    await expect(store.update((system) => system.removeServer('Free-llama_13b'))).rejects.toThrow(/ENOENT/);
    await expect(store.replace(new System())).rejects.toThrow(/ENOENT/);
    expect((await store.read()).toSnapshot()).toEqual(sample().toSnapshot());
  });

  it('runs concurrent updates one at a time, losing none', async () => {
    const file = join(folder(), 'state.json');
    const store = await FileSystemStore.open(file, () => new System());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((system) => system.addAccelerator(acceleratorSpec(`acc-${i}`)))));
    expect(stored(file).system.acceleratorData.accelerators).toHaveLength(20);
  });

  it.each([
    ['empty', '', /is not a saved system/],
    ['not JSON', '{"system": ', /is not a saved system/],
    ['not a snapshot', '{"servers": []}', /is not a saved system .*models/],
    ['an invalid system', JSON.stringify({ system: { serverData: { servers: [{ name: 's', minNumReplicas: -1 }] } }, models: [] }), /minNumReplicas/],
  ])('refuses a file that is %s, naming it, and leaves it as it was', async (_what, text, problem) => {
    const file = join(folder(), 'state.json');
    writeFileSync(file, text);
    const opening = FileSystemStore.open(file, sample);
    await expect(opening).rejects.toThrow(StateFileError);
    await expect(opening).rejects.toThrow(problem);
    await expect(opening).rejects.toThrow(`state file ${file}:`);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a file it cannot read, and a folder it cannot write', async () => {
    const dir = folder();
    await expect(FileSystemStore.open(dir, sample)).rejects.toThrow(/cannot be read/);
    await expect(FileSystemStore.open(join(dir, 'absent', 'state.json'), sample)).rejects.toThrow(/cannot be written/);
  });
});

/** `inferno-edge serve` with INFERNO_STATE_FILE, on a free port. */
function startServe(stateFile: string, args: string[] = []): { child: ChildProcess; listening: Promise<URL>; exited: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, INFERNO_HOST: '127.0.0.1', INFERNO_PORT: '0', INFERNO_STATE_FILE: stateFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<URL>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(new URL(match[1]));
    });
    child.once('exit', () => reject(new Error(`serve exited before listening:\n${output}`)));
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.once('exit', (code) => resolve({ code, output })));
  listening.catch(() => undefined);
  return { child, listening, exited };
}

describe('inferno-edge serve with INFERNO_STATE_FILE', () => {
  it('refuses to start on an invalid file: exit 1, a message naming it, the file untouched', async () => {
    const file = join(folder(), 'state.json');
    writeFileSync(file, '{"system": {"serverData": ');
    const { code, output } = await startServe(file).exited;
    expect(code).toBe(1);
    expect(output).toContain(`state file ${file}: is not a saved system`);
    expect(readFileSync(file, 'utf8')).toBe('{"system": {"serverData": ');
  }, 30_000);

  it('killed with SIGKILL while writes go on: the file always holds one whole state, with every acknowledged write', async () => {
    const file = join(folder(), 'state.json');
    const lanes = 4;
    /** per lane, the accelerators it asked for, in order, and how many were acknowledged */
    const sent: string[][] = Array.from({ length: lanes }, () => []);
    const acknowledged = Array.from({ length: lanes }, () => 0);
    // a fixed sequence of kill moments (ms after a round's first acknowledged write, so that each
    // round has one however slow the machine): "random", but the same every run
    const killAfter = [150, 40, 320, 90];
    for (const [round, delay] of killAfter.entries()) {
      const server = startServe(file, ['--empty']);
      const base = await server.listening;
      // the restarted server answers what the file held
      const answered = (await (await fetch(new URL('/getAccelerators', base))).json()) as { accelerators: AcceleratorSpec[] };
      const fromFile = stored(file).system.acceleratorData.accelerators;
      expect(answered.accelerators).toEqual(fromFile);
      if (round === 0) {
        // a system of some size, so that each write takes a while and a kill may land inside one
        const servers = Array.from({ length: 2000 }, (_, i) => ({ name: `bulk-${i}`, class: 'Premium', model: 'm' }));
        expect((await fetch(new URL('/setServers', base), { method: 'POST', body: JSON.stringify({ servers }) })).status).toBe(200);
      }
      let killed = false;
      let firstAcknowledged: () => void;
      const acknowledgedOnce = new Promise<void>((resolve) => (firstAcknowledged = resolve));
      const writing = Array.from({ length: lanes }, async (_, lane) => {
        while (!killed) {
          const name = `lane-${lane}-${String(sent[lane].length).padStart(4, '0')}`;
          sent[lane].push(name);
          try {
            const response = await fetch(new URL('/addAccelerator', base), { method: 'POST', body: JSON.stringify(acceleratorSpec(name)) });
            await response.arrayBuffer();
            if (response.status !== 200) throw new Error(`addAccelerator answered ${response.status}`);
            acknowledged[lane] = sent[lane].length;
            firstAcknowledged();
          } catch (error) {
            if (!killed) throw error;
          }
        }
      });
      // a write that fails before any is acknowledged fails the test here
      await Promise.race([acknowledgedOnce, Promise.all(writing)]);
      await new Promise((resolve) => setTimeout(resolve, delay));
      killed = true;
      server.child.kill('SIGKILL');
      await server.exited;
      await Promise.all(writing);

      const names = new Set(stored(file).system.acceleratorData.accelerators.map((a) => a.name));
      expect(stored(file).system.serverData.servers).toHaveLength(2000);
      for (let lane = 0; lane < lanes; lane++) {
        // each lane writes one at a time: the file holds its first n writes, n = acknowledged or one more
        const held = sent[lane].filter((name) => names.has(name)).length;
        expect(sent[lane].slice(0, held).every((name) => names.has(name)), `lane ${lane}`).toBe(true);
        expect([acknowledged[lane], acknowledged[lane] + 1], `lane ${lane}, round ${round}`).toContain(held);
        // what the next round sends comes after what is held
        sent[lane].length = held;
        acknowledged[lane] = held;
      }
      expect(names.size).toBe(sent.reduce((total, lane) => total + lane.length, 0));
    }
    expect(acknowledged.reduce((total, count) => total + count, 0)).toBeGreaterThanOrEqual(killAfter.length);
    expect(existsSync(file)).toBe(true);
  }, 60_000);
});
