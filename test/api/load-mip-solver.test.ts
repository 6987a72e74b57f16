/** createApi's loadMipSolver: the MILP solver is loaded when a request asks for it, and only then. */
import { describe, expect, it, vi } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { optimize, System, type MipSolver } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { call, smallSample } from './client.js';

function countingLoader(load: () => Promise<MipSolver> = loadNodeMipSolver) {
  const loader = { calls: 0, load: () => (loader.calls++, load()) };
  return loader;
}

function sampleApi(loader: { load: () => Promise<MipSolver> }, mipSolver?: MipSolver) {
  const store = new MemorySystemStore(System.fromSpec(smallSample().system));
  return { api: createApi({ store, loadMipSolver: loader.load, optimizeOptions: { mipSolver } }), store };
}

describe('loadMipSolver', () => {
  it('is not called by requests that do not ask for milpSolver', async () => {
    const loader = countingLoader();
    const { api } = sampleApi(loader);
    expect((await call(api, 'POST', '/optimize', {})).status).toBe(200);
    expect((await call(api, 'POST', '/optimizeOne', smallSample())).status).toBe(200);
    expect((await call(api, 'GET', '/getServers')).status).toBe(200);
    expect(loader.calls).toBe(0);
  });

  it('gives /optimize and /optimizeOne the solver it loads when they ask for milpSolver', async () => {
    const loader = countingLoader();
    const { api } = sampleApi(loader);
    const mipSolver = await loadNodeMipSolver();
    const sample = smallSample();
    const spec = { ...sample.system.optimizerData.optimizer, milpSolver: true };
    const expected = optimize(System.fromSpec(sample.system), spec, { mipSolver }).solution;
    const stored = await call(api, 'POST', '/optimize', { milpSolver: true });
    expect(stored.status).toBe(200);
    expect(stored.body.allocations).toEqual(expected.allocations);
    const given = await call(api, 'POST', '/optimizeOne', { system: { ...sample.system, optimizerData: { optimizer: spec } } });
    expect(given.body.summary.solver).toBe(mipSolver.name);
    expect(loader.calls).toBe(2);
  });

  it('is not called when optimizeOptions has a solver already', async () => {
    const loader = countingLoader();
    const { api } = sampleApi(loader, await loadNodeMipSolver());
    expect((await call(api, 'POST', '/optimize', { milpSolver: true })).status).toBe(200);
    expect(loader.calls).toBe(0);
  });

  it('a loader that fails is a 500 that changes nothing', async () => {
    const loader = countingLoader(() => Promise.reject(new Error('no WebAssembly here')));
    const { api, store } = sampleApi(loader);
    const before = (await store.read()).toSnapshot();
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const answer = await call(api, 'POST', '/optimize', { milpSolver: true });
      expect(answer).toMatchObject({ status: 500, body: { message: 'internal error; the server log has the details' } });
      expect(log).toHaveBeenCalledWith('unexpected error:', new Error('no WebAssembly here'));
    } finally {
      log.mockRestore();
    }
    expect((await store.read()).toSnapshot()).toEqual(before);
  });
});
