import { describe, expect, it } from 'vitest';
import { MemorySystemStore } from '../../src/api/index.js';
import { System } from '../../src/core/index.js';
import { acceleratorSpec } from '../core/builders.js';


describe('MemorySystemStore', () => {
  it('read answers a copy: changing it changes nothing stored', async () => {
    const store = new MemorySystemStore();
    const copy = await store.read();
    copy.addAccelerator(acceleratorSpec('A100'));
    expect((await store.read()).accelerators.size).toBe(0);
  });

  it('keeps a copy of the system it starts with and of what replace gives it', async () => {
    const system = new System();
    const store = new MemorySystemStore(system);
    system.addAccelerator(acceleratorSpec('A100'));
    expect((await store.read()).accelerators.size).toBe(0);
    await store.replace(system);
    system.addAccelerator(acceleratorSpec('G2'));
    expect([...(await store.read()).accelerators.keys()]).toEqual(['A100']);
  });

  it('update commits what fn did and answers its result', async () => {
    const store = new MemorySystemStore();
    const result = await store.update((system) => {
      system.addAccelerator(acceleratorSpec('A100'));
      return 'added';
    });
    expect(result).toBe('added');
    expect((await store.read()).getAccelerator('A100')).toEqual(acceleratorSpec('A100'));
  });

  it('update commits nothing when fn throws part-way, and passes the error on', async () => {
    const store = new MemorySystemStore();
    await store.update((system) => system.addAccelerator(acceleratorSpec('A100', 40)));
    const failing = store.update((system) => {
      system.addAccelerator(acceleratorSpec('G2'));
      system.removeAccelerator('A100');
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    expect((await store.read()).listAccelerators()).toEqual([acceleratorSpec('A100', 40)]);
  });

  it('runs concurrent updates one at a time, in the order they were called', async () => {
    const store = new MemorySystemStore();
    // Each update names its accelerator after how many it sees: interleaving would repeat a name.
    const updates = Array.from({ length: 50 }, () =>
      store.update((system) => {
        const name = `acc-${String(system.accelerators.size).padStart(2, '0')}`;
        system.addAccelerator(acceleratorSpec(name));
        return name;
      }),
    );
    const failing = store.update(() => {
      throw new Error('refused');
    });
    const reads = store.read();
    const names = await Promise.all(updates);
    await expect(failing).rejects.toThrow('refused');
    expect(names).toEqual(Array.from({ length: 50 }, (_, i) => `acc-${String(i).padStart(2, '0')}`));
    expect((await reads).accelerators.size).toBe(50);
  });
});
