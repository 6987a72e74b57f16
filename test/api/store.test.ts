/** The one store: what it loads from storage, and that a failed write changes nothing. */
import { describe, expect, it } from 'vitest';
import { PersistentSystemStore, type SnapshotStorage } from '../../src/api/index.js';
import { parseWith, SNAPSHOT_VERSION, System, SystemDataSchema, ValidationError, type SystemSnapshot } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

const sample = () => System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system);

function storageOf(stored: unknown, persisted: SystemSnapshot[] = []): SnapshotStorage {
  return { load: () => stored, persist: (snapshot) => void persisted.push(snapshot) };
}

describe('PersistentSystemStore', () => {
  it('loads a snapshot written before versions were recorded, missing fields taking their zero values', async () => {
    const old = { system: { acceleratorData: { accelerators: [{ name: 'A100', cost: 40 }] } }, models: ['no_perf_data'] };
    const store = await PersistentSystemStore.open(storageOf(old), () => new System());
    const system = await store.read();
    expect(system.getAccelerator('A100')).toMatchObject({ name: 'A100', cost: 40, multiplicity: 0 });
    expect(system.listModelNames()).toEqual(['no_perf_data']);
    expect(system.toSnapshot().version).toBe(SNAPSHOT_VERSION);
  });

  it('refuses a snapshot of a newer version, or one that is not a snapshot, saying what is wrong', async () => {
    const newer = { ...sample().toSnapshot(), version: SNAPSHOT_VERSION + 1 };
    await expect(PersistentSystemStore.open(storageOf(newer), sample)).rejects.toThrow(/^version: .*written by a newer version/);
    await expect(PersistentSystemStore.open(storageOf({ system: {} }), sample)).rejects.toThrow(ValidationError);
    await expect(PersistentSystemStore.open(storageOf({ system: {} }), sample)).rejects.toThrow(/^models: /);
  });

  it('starts from initial() when nothing is stored, persisting it only when asked', async () => {
    const persisted: SystemSnapshot[] = [];
    await PersistentSystemStore.open(storageOf(undefined, persisted), sample);
    expect(persisted).toEqual([]);
    await PersistentSystemStore.open(storageOf(undefined, persisted), sample, true);
    expect(persisted).toEqual([sample().toSnapshot()]);
  });

  it('a failed write changes nothing, and the next change goes through', async () => {
    let fail = true;
    const persisted: SystemSnapshot[] = [];
    const storage: SnapshotStorage = {
      load: () => undefined,
      persist: (snapshot) => {
        if (fail) throw new Error('disk full');
        persisted.push(snapshot);
      },
    };
    const store = await PersistentSystemStore.open(storage, sample);
    const before = (await store.read()).toSnapshot();
    await expect(store.update((system) => system.removeServer('Free-llama_13b'))).rejects.toThrow('disk full');
    await expect(store.replace(new System())).rejects.toThrow('disk full');
    expect((await store.read()).toSnapshot()).toEqual(before);
    fail = false;
    await store.update((system) => system.removeServer('Free-llama_13b'));
    expect((await store.read()).getServer('Free-llama_13b')).toBeUndefined();
    expect(persisted).toEqual([(await store.read()).toSnapshot()]);
  });
});
