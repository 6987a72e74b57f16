/**
 * Each system's state in its Durable Object's SQLite storage: it outlives the object's
 * instance, a rejected request leaves it exactly as it was, and large systems fit.
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { System } from '../../src/core/index.js';
import { PersistentSystemStore } from '../../src/api/index.js';
import { sqlSnapshotStorage } from '../../src/worker/sql-system-store.js';
import { call, readState, smallSample } from './client.js';

const stub = (name: string) => env.SYSTEMS.get(env.SYSTEMS.idFromName(name));

/** The stored rows of a system, as text, to compare byte for byte. */
function storedRows(name: string): Promise<string[]> {
  return runInDurableObject(stub(name), (_, state) =>
    state.storage.sql
      .exec<{ bytes: ArrayBuffer }>('SELECT bytes FROM system_snapshot ORDER BY chunk')
      .toArray()
      .map((row) => new TextDecoder().decode(row.bytes)),
  );
}

/** The small sample with `count` more servers, named with multi-byte characters. */
function largeSystem(count: number): System {
  const system = System.fromSpec(smallSample().system);
  const template = system.listServers()[0];
  for (let i = 0; i < count; i++) system.addServer({ ...template, name: `sérvér-${i}-🚀` });
  return system;
}

describe('persistence', () => {
  it('a new instance of the Durable Object rebuilds the system from storage', async () => {
    expect((await call('POST', '/systems/kept/optimizeOne', smallSample())).status).toBe(200);
    expect((await call('GET', '/systems/kept/addModel/no_perf_data')).status).toBe(200);
    expect((await call('GET', '/systems/kept/removeServer/Free-llama_13b')).status).toBe(200);
    const before = await readState('/systems/kept');
    const first = await runInDurableObject(stub('kept'), (instance) => instance);
    await abortAllDurableObjects();
    const second = await runInDurableObject(stub('kept'), (instance) => instance);
    expect(second).not.toBe(first);
    expect(await readState('/systems/kept')).toEqual(before);
    expect((await call('GET', '/systems/kept/getModels')).body).toContain('no_perf_data');
  });

  it('the default system keeps what it was told, not the sample it started with', async () => {
    expect((await call('GET', '/removeServer/Premium-llama_70b')).status).toBe(200);
    await abortAllDurableObjects();
    expect((await call('GET', '/getServer/Premium-llama_70b')).status).toBe(404);
    expect((await call('GET', '/getServer/Premium-granite_13b')).status).toBe(200);
  });

  it('a rejected request leaves the stored rows exactly as they were', async () => {
    expect((await call('POST', '/systems/refusals/optimizeOne', smallSample())).status).toBe(200);
    const rows = await storedRows('refusals');
    const state = await readState('/systems/refusals');
    const refusals: [string, string, unknown, number][] = [
      ['POST', '/setServers', { servers: [{ name: 'x', currentAlloc: { numReplicas: -1 } }] }, 400],
      ['POST', '/setAccelerators', '{"accelerators": [', 400],
      ['POST', '/addServiceClassModelTargets', { name: 'NoSuchClass', modelTargets: [] }, 404],
      ['GET', '/removeModelAcceleratorPerf/no_such_model/A100', undefined, 404],
      ['POST', '/optimizeOne', { system: { serverData: { servers: [{ name: 1 }] } } }, 400],
      ['POST', '/optimize', { optimizer: { saturationPolicy: 'Sometimes' } }, 400],
    ];
    for (const [method, path, body, status] of refusals) {
      expect((await call(method, `/systems/refusals${path}`, body)).status, `${method} ${path}`).toBe(status);
    }
    expect(await storedRows('refusals')).toEqual(rows);
    await abortAllDurableObjects();
    expect(await readState('/systems/refusals')).toEqual(state);
  });

  it('a failed storage write leaves the system in memory as it was', async () => {
    await runInDurableObject(stub('failing-disk'), async (_, state) => {
      const failing = { sql: state.storage.sql, transactionSync: () => { throw new Error('disk full'); } };
      const store = await PersistentSystemStore.open(sqlSnapshotStorage(failing as unknown as DurableObjectStorage), () =>
        System.fromSpec(smallSample().system),
      );
      const before = (await store.read()).toSnapshot();
      await expect(store.update((system) => system.removeServer('Free-llama_13b'))).rejects.toThrow('disk full');
      await expect(store.replace(new System())).rejects.toThrow('disk full');
      expect((await store.read()).toSnapshot()).toEqual(before);
    });
  });

  it('an update that throws part-way stores nothing', async () => {
    await runInDurableObject(stub('half-done'), async (_, state) => {
      const store = await PersistentSystemStore.open(sqlSnapshotStorage(state.storage), () => System.fromSpec(smallSample().system));
      await store.replace(await store.read());
      const rows = state.storage.sql.exec('SELECT * FROM system_snapshot').toArray();
      const failing = store.update((system) => {
        system.removeServer('Free-llama_13b');
        throw new Error('refused half-way');
      });
      await expect(failing).rejects.toThrow('refused half-way');
      expect(state.storage.sql.exec('SELECT * FROM system_snapshot').toArray()).toEqual(rows);
      expect((await store.read()).getServer('Free-llama_13b')).toBeDefined();
    });
  });

  it('stores a system over the 2 MB SQLite value limit in several rows and reads it back exactly', async () => {
    const system = largeSystem(6000);
    const bytes = new TextEncoder().encode(JSON.stringify(system.toSnapshot())).length;
    expect(bytes).toBeGreaterThan(2 * 1024 * 1024);
    await runInDurableObject(stub('large'), async (_, state) => {
      const store = await PersistentSystemStore.open(sqlSnapshotStorage(state.storage), () => new System());
      await store.replace(system);
      const rows = state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM system_snapshot').one().n;
      expect(rows).toBeGreaterThanOrEqual(3);
      const reloaded = await PersistentSystemStore.open(sqlSnapshotStorage(state.storage), () => new System());
      expect((await reloaded.read()).toSnapshot()).toEqual(system.toSnapshot());
    });
    await abortAllDurableObjects();
    expect((await call('GET', `/systems/large/getServer/${encodeURIComponent('sérvér-5999-🚀')}`)).status).toBe(200);
    // each load validates the 6000 servers' snapshot (about a second on a busy machine)
  }, 30_000);
});
