/** The one HiGHS loading rule (src/highs/load-once.ts): load once, forget a failure. */
import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../src/highs/load-once.js';

/** A loader that fails on the calls numbered in `failing` (1-based) and otherwise answers its call number. */
function scriptedLoader(failing: number[]) {
  const loader = {
    calls: 0,
    load: async () => {
      const call = ++loader.calls;
      if (failing.includes(call)) throw new Error(`load ${call} failed`);
      return { call };
    },
  };
  return loader;
}

describe('loadOnce', () => {
  it('loads once and gives every caller the same result', async () => {
    const loader = scriptedLoader([]);
    const load = loadOnce(loader.load);
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toBe(second);
    expect(await load()).toBe(first);
    expect(loader.calls).toBe(1);
  });

  it('forgets a failed load: the next call loads again and that result is kept', async () => {
    const loader = scriptedLoader([1]);
    const load = loadOnce(loader.load);
    await expect(load()).rejects.toThrow('load 1 failed');
    const loaded = await load();
    expect(loaded).toEqual({ call: 2 });
    expect(await load()).toBe(loaded);
    expect(loader.calls).toBe(2);
  });

  it('callers waiting on a load that fails all get its error, and share the next load', async () => {
    const loader = scriptedLoader([1]);
    const load = loadOnce(loader.load);
    const waiting = [load(), load()];
    for (const answer of waiting) await expect(answer).rejects.toThrow('load 1 failed');
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toEqual({ call: 2 });
    expect(second).toBe(first);
    expect(loader.calls).toBe(2);
  });

  it('keeps forgetting while loads fail', async () => {
    const loader = scriptedLoader([1, 2, 3]);
    const load = loadOnce(loader.load);
    for (const call of [1, 2, 3]) await expect(load()).rejects.toThrow(`load ${call} failed`);
    expect(await load()).toEqual({ call: 4 });
  });
});
