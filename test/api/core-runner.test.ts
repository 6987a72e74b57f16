/** The API's optimizations through a CoreRunner: what runs elsewhere, and what changes meanwhile. */
import { describe, expect, it } from 'vitest';
import { createApi, IN_PROCESS, MemorySystemStore, type CoreRunner } from '../../src/api/index.js';
import { System } from '../../src/core/index.js';
import { call, smallSample, snapshot } from './client.js';

/** The in-process runner, whose optimizations wait until `release` is called. */
function heldRunner(): { runner: CoreRunner; started: Promise<void>; release: () => void } {
  let release = () => {};
  let begin = () => {};
  const started = new Promise<void>((resolve) => (begin = resolve));
  const held = new Promise<void>((resolve) => (release = resolve));
  const runner: CoreRunner = {
    optimize: async (...args) => {
      begin();
      await held;
      return IN_PROCESS.optimize(...args);
    },
    explain: IN_PROCESS.explain,
  };
  return { runner, started, release };
}

describe('optimizations through a runner', () => {
  it('/optimize refuses with 409 when the system changed while it ran, keeping the change and nothing of the answer', async () => {
    const { runner, started, release } = heldRunner();
    const store = new MemorySystemStore(System.fromSpec(smallSample().system));
    const api = createApi({ store, runner });
    const optimizing = call(api, 'POST', '/optimize', {});
    await started;
    const server = { name: 'added-meanwhile', class: 'Premium', model: 'granite_13b' };
    expect((await call(api, 'POST', '/addServer', server)).status).toBe(200);
    const changed = await snapshot(store);
    release();
    const answer = await optimizing;
    expect(answer.status).toBe(409);
    expect(answer.body.message).toMatch(/changed while it was being optimized/);
    expect(await snapshot(store)).toEqual(changed);
  });

  it('/optimize records the answer when nothing changed meanwhile, reads going on', async () => {
    const { runner, started, release } = heldRunner();
    const store = new MemorySystemStore(System.fromSpec(smallSample().system));
    const api = createApi({ store, runner });
    const optimizing = call(api, 'POST', '/optimize', {});
    await started;
    expect((await call(api, 'GET', '/getServers')).status).toBe(200);
    release();
    const answer = await optimizing;
    expect(answer.status).toBe(200);
    const expected = createApi({ store: new MemorySystemStore(System.fromSpec(smallSample().system)) });
    expect(answer.body).toEqual((await call(expected, 'POST', '/optimize', {})).body);
    expect((await call(api, 'GET', '/getServers')).body).toEqual((await call(expected, 'GET', '/getServers')).body);
  });
});
